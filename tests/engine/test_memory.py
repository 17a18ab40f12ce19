"""Memory curves equal float64 torch autograd (one backward per target), path by path."""

from __future__ import annotations

import numpy as np
import pytest

from rnnviz.engine.bptt import Cancelled
from rnnviz.engine.memory import memory_band, memory_curves, memory_span
from rnnviz.engine.network import RNNLM
from rnnviz.engine.params import CELLS, random_params
from tests.engine.torch_ref import reference

RTOL = 1e-3


def ref_band(grad: np.ndarray, max_distance: int) -> np.ndarray:
    """(T, T) torch norms [t, s] -> (n, D+1) [t - D, d] for targets t = D..T-2."""
    n_steps = grad.shape[0]
    ts = np.arange(max_distance, n_steps - 1)
    return np.stack([grad[ts, ts - d] for d in range(max_distance + 1)], axis=1)


def ref_stats(band: np.ndarray) -> dict[str, np.ndarray]:
    """numpy's median and default-method quartiles over targets (axis 0), (D+1,)."""
    return {"median": np.median(band, axis=0), "q25": np.quantile(band, 0.25, axis=0),
            "q75": np.quantile(band, 0.75, axis=0)}


def _case(cell: str, layers: int, seed: int, n_tokens: int = 26) -> tuple:
    p = random_params(cell, 17, 9, layers=layers, embedding=5, seed=seed, scale=0.9)
    ids = np.random.default_rng(seed).integers(0, 17, n_tokens).tolist()
    ref = reference(p, ids, [*ids[1:], 0])  # l_t = -log p(w_{t+1}); the last target is unused
    return p, ids, ref


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("layers", [1, 2])
def test_curves_match_torch_autograd(cell: str, layers: int) -> None:
    d_max = 9
    p, ids, ref = _case(cell, layers, seed=layers * 10 + CELLS.index(cell))
    curves = memory_curves(RNNLM(p), ids, d_max)
    for k in range(layers):
        want = ref_stats(ref_band(ref.grad_h[k], d_max))
        for stat, arr in want.items():
            np.testing.assert_allclose(getattr(curves.h, stat)[k], arr, rtol=RTOL)
        np.testing.assert_array_equal(curves.h.span[k], memory_span(want["median"]))
        if cell == "lstm":
            assert ref.grad_c is not None and curves.c is not None
            want_c = ref_stats(ref_band(ref.grad_c[k], d_max))
            for stat, arr in want_c.items():
                np.testing.assert_allclose(getattr(curves.c, stat)[k], arr, rtol=RTOL)
    if cell != "lstm":
        assert curves.c is None
    want_in = ref_stats(ref_band(ref.grad_in, d_max))
    for stat, arr in want_in.items():
        np.testing.assert_allclose(getattr(curves.inputs, stat), arr, rtol=RTOL)


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_band_is_every_target_and_distance(cell: str) -> None:
    """The band itself (not only its statistics) equals torch element by element."""
    p, ids, ref = _case(cell, 2, seed=3, n_tokens=20)
    band = memory_band(RNNLM(p), ids, 6)
    assert band.first_target == 6 and band.h.shape == (2, 20 - 7, 7)
    for k in range(2):
        np.testing.assert_allclose(band.h[k], ref_band(ref.grad_h[k], 6), rtol=1e-4)
    np.testing.assert_allclose(band.inputs, ref_band(ref.grad_in, 6), rtol=1e-4)


def test_span_is_the_largest_distance_above_one_percent() -> None:
    med = np.array([[2.0, 0.5, 0.019, 0.021, 0.001], [1.0, 1e-3, 1e-3, 1e-3, 0.0101]])
    np.testing.assert_array_equal(memory_span(med), [3, 4])


def test_distance_zero_and_short_streams() -> None:
    p, ids, ref = _case("rnn_tanh", 1, seed=5, n_tokens=8)
    curves = memory_curves(RNNLM(p), ids, 0)
    diag = np.array([ref.grad_h[0, t, t] for t in range(7)])
    np.testing.assert_allclose(curves.h.median[0], [np.median(diag)], rtol=RTOL)
    with pytest.raises(ValueError, match="too few"):
        memory_curves(RNNLM(p), ids, 7)


def test_cancel() -> None:
    p = random_params("gru", 11, 6, seed=1)
    calls: list[float] = []

    def progress(f: float) -> bool:
        calls.append(f)
        return len(calls) < 5

    with pytest.raises(Cancelled):
        memory_band(RNNLM(p), list(range(11)) * 4, 10, progress)
    assert len(calls) == 5 and all(0.0 <= f <= 1.0 for f in calls)
