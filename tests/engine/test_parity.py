"""Every number the engine produces equals torch (nn modules and autograd) within 1e-5."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rnnviz.engine.bptt import default_targets, gradient_norms, gradient_rows, losses
from rnnviz.engine.network import RNNLM
from rnnviz.engine.params import CELLS, ModelParams, random_params
from tests.engine.torch_ref import reference, torch_forward_logits

TOL = {"rtol": 1e-5, "atol": 1e-5}


def assert_close(actual: np.ndarray, desired: np.ndarray) -> None:
    """Equal within 1e-5, relative to each element and to the array's scale: float32 sums of
    terms of size M carry rounding of about 1e-7 * M, so an element that cancels to near zero
    is compared against 1e-5 * max(1, max |desired|). NaN must match NaN."""
    scale = max(1.0, float(np.nanmax(np.abs(desired)))) if np.isfinite(desired).any() else 1.0
    np.testing.assert_allclose(actual, desired, rtol=1e-5, atol=1e-5 * scale, equal_nan=True)


@st.composite
def models(draw: st.DrawFn) -> tuple[ModelParams, list[int], int | None]:
    cell = draw(st.sampled_from(CELLS))
    hidden = draw(st.integers(1, 12))
    tied = draw(st.booleans())
    emb = hidden if tied else draw(st.integers(1, 10))
    vocab = draw(st.integers(2, 30))
    p = random_params(cell, vocab, hidden, layers=draw(st.integers(1, 3)), embedding=emb,
                      tied=tied, seed=draw(st.integers(0, 2**31)),
                      scale=draw(st.floats(0.05, 1.2)))
    ids = draw(st.lists(st.integers(0, vocab - 1), min_size=1, max_size=12))
    truncate = draw(st.one_of(st.none(), st.integers(1, 5)))
    return p, ids, truncate


def _check_trace(p: ModelParams, ids: list[int], truncate: int | None) -> None:
    model = RNNLM(p)
    recs = model.run(ids)
    targets, is_pred = default_targets(recs)
    ref = reference(p, ids, list(targets), truncate)
    logits = np.stack([r.logits for r in recs])
    assert_close(logits, ref.logits)
    ref_probs = np.exp(ref.logits - ref.logits.max(axis=1, keepdims=True))
    assert_close(np.stack([r.probs for r in recs]), ref_probs / ref_probs.sum(1, keepdims=True))
    assert_close(np.stack([r.h for r in recs], axis=1), ref.h)
    if ref.c is not None:
        assert_close(np.stack([r.c for r in recs], axis=1), ref.c)  # type: ignore[misc]
    for g, val in ref.gates.items():
        assert_close(np.stack([r.gates[g] for r in recs], axis=1), val)
    assert set(recs[0].gates) == set(ref.gates)
    grads = gradient_norms(model, recs, targets, truncate)
    for got, want in ((grads.h, ref.grad_h), (grads.inputs, ref.grad_in)):
        assert_close(got, want)
        np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    if ref.grad_c is not None:
        assert grads.c is not None
        assert_close(grads.c, ref.grad_c)
    # the last target is the model's own top-1 prediction, and says so
    assert is_pred.tolist() == [False] * (len(ids) - 1) + [True]
    assert targets[-1] == int(np.argmax(ref.logits[-1]))
    ref_loss = [-(ref.logits[t] - np.log(np.exp(ref.logits[t] - ref.logits[t].max()).sum())
                  - ref.logits[t].max())[targets[t]] for t in range(len(ids))]
    assert_close(losses(recs, targets), np.array(ref_loss))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models())
def test_engine_matches_torch(case: tuple[ModelParams, list[int], int | None]) -> None:
    _check_trace(*case)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("tied", [False, True])
@pytest.mark.parametrize("truncate", [None, 4])
def test_every_cell_tying_and_truncation(cell: str, tied: bool, truncate: int | None) -> None:
    p = random_params(cell, 40, 16, layers=2, embedding=10, tied=tied, seed=7, scale=0.6)
    _check_trace(p, [1, 5, 9, 2, 2, 30, 7, 11, 0, 3], truncate)


@pytest.mark.parametrize("cell", CELLS)
def test_real_torch_modules_give_the_same_logits(cell: str) -> None:
    """Against nn.RNN/LSTM/GRU themselves (cuDNN-style fused layers, float32)."""
    p = random_params(cell, 50, 24, layers=3, embedding=12, seed=3)
    ids = [4, 8, 15, 16, 23, 42, 0, 1]
    logits = np.stack([r.logits for r in RNNLM(p).run(ids)])
    np.testing.assert_allclose(logits, torch_forward_logits(p, ids), **TOL)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("truncate", [None, 3])
def test_single_rows_equal_the_full_matrix(cell: str, truncate: int | None) -> None:
    """The per-row chain (used when a token is appended) equals the batched sweep."""
    p = random_params(cell, 30, 20, layers=2, seed=11, scale=0.7)
    model = RNNLM(p)
    recs = model.run([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5])
    targets, _ = default_targets(recs)
    full = gradient_norms(model, recs, targets, truncate)
    for t in (0, 4, 9, 10):
        row = gradient_rows(model, recs, targets, t, t + 1, truncate)
        np.testing.assert_allclose(row.h[:, 0], full.h[:, t], rtol=1e-6, atol=1e-7,
                                   equal_nan=True)
        np.testing.assert_allclose(row.inputs[0], full.inputs[t], rtol=1e-6, atol=1e-7,
                                   equal_nan=True)
        if full.c is not None:
            assert row.c is not None
            np.testing.assert_allclose(row.c[:, 0], full.c[:, t], rtol=1e-6, atol=1e-7,
                                       equal_nan=True)


def test_truncation_cuts_exactly_at_block_edges() -> None:
    p = random_params("lstm", 20, 8, layers=2, seed=1)
    model = RNNLM(p)
    recs = model.run(list(range(10)))
    targets, _ = default_targets(recs)
    g = gradient_norms(model, recs, targets, truncate=4)
    for t in range(10):
        start = t // 4 * 4
        assert np.all(g.h[:, t, :start] == 0.0)
        assert np.all(g.h[:, t, start:t + 1] > 0.0)
        assert np.all(np.isnan(g.h[:, t, t + 1:]))


def test_batched_forward_equals_stepping() -> None:
    p = random_params("gru", 25, 10, layers=2, seed=5)
    model = RNNLM(p)
    ids = np.array([[1, 2, 3, 4, 5], [5, 4, 3, 2, 1]])
    logits, state = model.forward(ids)
    for b in range(2):
        recs = model.run(ids[b].tolist())
        np.testing.assert_allclose(logits[b], np.stack([r.logits for r in recs]), rtol=1e-6,
                                   atol=1e-6)
        np.testing.assert_allclose(state.h[:, b], recs[-1].h, rtol=1e-6, atol=1e-6)


def test_state_carries_across_forward_calls() -> None:
    p = random_params("lstm", 25, 10, layers=2, seed=5)
    model = RNNLM(p)
    ids = np.array([[1, 2, 3, 4, 5, 6]])
    whole, _ = model.forward(ids)
    first, st1 = model.forward(ids[:, :3])
    second, _ = model.forward(ids[:, 3:], st1)
    np.testing.assert_allclose(np.concatenate([first, second], axis=1), whole, rtol=1e-6,
                               atol=1e-6)
