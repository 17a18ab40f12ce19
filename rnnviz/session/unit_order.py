"""Display orders for the hidden-state heatmap's units: by index, by value at the current step,
by variance over the text, or by correlation with the selected unit. Sorting changes only the
order rows are drawn in; views map a drawn row back to the true unit with the order."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

ORDERS = ("index", "value", "variance", "correlation")


def unit_order(states: NDArray[np.floating], mode: str, t: int,
               selected: tuple[int, NDArray[np.floating]] | None = None) -> NDArray[np.int64]:
    """(L, H) unit indices in drawing order (row 0 first) for states (L, T, H).

    value: descending value at step t; variance: descending variance over steps 0..T-1;
    correlation: descending Pearson r with ``selected`` = (layer, its (T,) series), over the text
    (a unit with no variation gets r = 0); index: 0..H-1."""
    n_layers, _, n_units = states.shape
    if mode == "index" or (mode == "correlation" and selected is None):
        return np.tile(np.arange(n_units, dtype=np.int64), (n_layers, 1))
    x = states.astype(np.float64)
    if mode == "value":
        key = x[:, t, :]
    elif mode == "variance":
        key = x.var(axis=1)
    elif mode == "correlation":
        assert selected is not None
        key = correlations(x, np.asarray(selected[1], np.float64))
    else:
        raise ValueError(f"unknown order {mode!r} (expected one of {', '.join(ORDERS)})")
    return np.argsort(-key, axis=1, kind="stable").astype(np.int64)


def correlations(states: NDArray[np.float64], series: NDArray[np.float64]) -> NDArray[np.float64]:
    """(L, H) Pearson r of every unit's (T,) series with ``series`` (0 where either is flat)."""
    a = states - states.mean(axis=1, keepdims=True)
    b = series - series.mean()
    den = np.sqrt((a * a).sum(axis=1) * (b * b).sum())
    num = np.einsum("lth,t->lh", a, b)
    return np.divide(num, den, out=np.zeros_like(num), where=den > 0)
