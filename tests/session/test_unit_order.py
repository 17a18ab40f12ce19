"""Heatmap unit orders against direct numpy computations."""

from __future__ import annotations

import numpy as np
import pytest

from rnnviz.session.unit_order import unit_order


def test_orders_match_direct_computations() -> None:
    rng = np.random.default_rng(3)
    s = rng.normal(size=(2, 9, 6)).astype(np.float32)
    s[1, :, 4] = 0.5  # a flat unit
    assert (unit_order(s, "index", 0) == np.arange(6)).all()
    t = 5
    for k in range(2):
        assert list(unit_order(s, "value", t)[k]) == sorted(range(6), key=lambda u: -s[k, t, u])
        var = [float(np.var(s[k, :, u].astype(np.float64))) for u in range(6)]
        assert list(unit_order(s, "variance", t)[k]) == sorted(range(6), key=lambda u: -var[u])
    series = s[0, :, 2]
    order = unit_order(s, "correlation", t, (0, series))
    assert order[0, 0] == 2  # r = 1 with itself
    for k in range(2):
        r = [0.0 if np.std(s[k, :, u]) == 0 else float(np.corrcoef(s[k, :, u], series)[0, 1])
             for u in range(6)]
        assert [round(r[u], 6) for u in order[k]] == sorted((round(v, 6) for v in r),
                                                            reverse=True)
    with pytest.raises(ValueError):
        unit_order(s, "colour", t)
