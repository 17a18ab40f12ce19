"""The bidirectional LM equals torch's nn.RNN/LSTM/GRU(bidirectional=True) and autograd."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rnnviz.checkpoints.vocab import Token
from rnnviz.engine import bidir_bptt
from rnnviz.engine.bidir import BiRNNLM
from rnnviz.engine.bidir_bptt import bidir_gradient_rows
from rnnviz.engine.bidir_params import BiParams, random_bidir
from rnnviz.engine.bptt import Cancelled, default_targets
from rnnviz.engine.factory import (
    NotForThisModel,
    any_memory_curves,
    build_engine,
    engine_gradient_rows,
    engine_targets,
    has_state_grad,
    layer_labels,
    rnn_only,
    sees_future,
)
from rnnviz.engine.network import RNNLM, State
from rnnviz.engine.params import CELLS, random_params
from rnnviz.session.trace import run_trace
from tests.engine.bidir_torch_ref import grad_norms, module, to_numpy, unrolled
from tests.engine.test_parity import assert_close

IDS = [3, 1, 4, 1, 5, 9, 2, 6]


def _engine_states(recs: list, kind: str) -> np.ndarray:
    """(2L, T, H) from the records."""
    return np.stack([getattr(r, kind) for r in recs], axis=1)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("layers", [1, 2])
def test_run_matches_torch_bidirectional_module(cell: str, layers: int) -> None:
    p = random_bidir(cell, 12, 7, layers=layers, embedding=5, seed=layers)
    model = BiRNNLM(p)
    recs = model.run(IDS)
    mod = module(p)
    x = torch.from_numpy(p.embedding.astype(np.float64))[torch.tensor(IDS)][:, None, :]
    with torch.no_grad():
        out, hn = mod(x)
    out_np = out[:, 0].numpy()  # (T, 2H): top layer [forward; reverse]
    h = _engine_states(recs, "h")
    assert_close(np.concatenate((h[-2], h[-1]), axis=1), out_np)
    dec = out_np @ p.decoder_w.T.astype(np.float64) + p.decoder_b
    assert_close(np.stack([r.logits for r in recs]), dec)
    e = np.exp(dec - dec.max(1, keepdims=True))
    assert_close(np.stack([r.probs for r in recs]), e / e.sum(1, keepdims=True))
    # every layer and direction, c and gates, against the unrolled nn.*Cell network
    u = unrolled(p, IDS)
    assert_close(np.concatenate((to_numpy(u.h)[-2], to_numpy(u.h)[-1]), 1), out_np)
    assert_close(h, to_numpy(u.h))
    if cell == "lstm":
        assert_close(_engine_states(recs, "c"), to_numpy(u.c))
    assert set(recs[0].gates) == set(u.gates)
    for g, per in u.gates.items():
        assert_close(np.stack([r.gates[g] for r in recs], axis=1), np.stack(
            [np.stack(v) for v in per]))
    # the batched forward: logits and torch's h_n (c_n)
    logits, final = model.forward(np.array([IDS, IDS[::-1]]))
    assert_close(logits[0], dec)
    assert_close(final.h[:, 0], (hn[0] if cell == "lstm" else hn).numpy()[:, 0])
    if cell == "lstm":
        assert final.c is not None
        assert_close(final.c[:, 0], hn[1].numpy()[:, 0])
    assert_close(logits[1], np.stack([r.logits for r in model.run(IDS[::-1])]))


def test_empty_text() -> None:
    model = BiRNNLM(random_bidir("gru", 10, 4, layers=2, seed=1))
    assert model.run([]) == []
    logits, final = model.forward(np.zeros((3, 0), np.int64))
    assert logits.shape == (3, 0, 10) and final.h.shape == (4, 3, 4)


def test_priming_sets_only_the_forward_direction() -> None:
    """run(ids, state) = torch with h_0 = [state's forward rows; zeros for the reverse]."""
    p = random_bidir("lstm", 10, 6, layers=2, embedding=4, seed=5)
    model = BiRNNLM(p)
    rng = np.random.default_rng(0)
    h0 = rng.normal(size=(4, 1, 6)).astype(np.float32)
    c0 = rng.normal(size=(4, 1, 6)).astype(np.float32)
    recs = model.run(IDS, State(h0, c0))
    h_t, c_t = torch.from_numpy(h0.astype(np.float64)), torch.from_numpy(c0.astype(np.float64))
    h_t[1::2], c_t[1::2] = 0.0, 0.0  # what the engine ignores
    x = torch.from_numpy(p.embedding.astype(np.float64))[torch.tensor(IDS)][:, None, :]
    with torch.no_grad():
        out, _ = module(p)(x, (h_t, c_t))
    h = _engine_states(recs, "h")
    assert_close(np.concatenate((h[-2], h[-1]), axis=1), out[:, 0].numpy())


def _reference_rows(p: BiParams, ids: list[int], targets: np.ndarray, truncate: int | None
                    ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """(2L, T, T) h, c and (T, T) input norms by autograd, one backward per target."""
    u = unrolled(p, ids, truncate)
    dec_w = torch.from_numpy(p.decoder_w.astype(np.float64))
    dec_b = torch.from_numpy(p.decoder_b.astype(np.float64))
    rows = []
    for t in range(len(ids)):
        loss = -torch.log_softmax(u.top(t)[0] @ dec_w.T + dec_b, -1)[int(targets[t])]
        rows.append(grad_norms(u, loss, p.cell == "lstm"))
    h = np.stack([r[0] for r in rows], axis=1)
    c = np.stack([r[1] for r in rows], axis=1) if p.cell == "lstm" else None  # type: ignore
    return h, c, np.stack([r[2] for r in rows])


def _check_rows(p: BiParams, ids: list[int], truncate: int | None) -> None:
    model = BiRNNLM(p)
    recs = model.run(ids)
    targets, _ = default_targets(recs)
    ref_h, ref_c, ref_in = _reference_rows(p, ids, targets, truncate)
    n = len(ids)
    full = bidir_gradient_rows(model, recs, targets, 0, n, truncate)  # the batched sweep
    singles = [bidir_gradient_rows(model, recs, targets, t, t + 1, truncate)  # one-row chains
               for t in range(n)]
    one_by_one = (np.concatenate([r.h for r in singles], 1),
                  None if ref_c is None else np.concatenate([r.c for r in singles], 1),  # type: ignore[misc]
                  np.concatenate([r.inputs for r in singles]))
    for got_h, got_c, got_in in ((full.h, full.c, full.inputs), one_by_one):
        assert not np.isnan(got_h).any() and not np.isnan(got_in).any()
        assert_close(got_h, ref_h)
        assert_close(got_in, ref_in)
        if ref_c is not None:
            assert got_c is not None
            assert_close(got_c, ref_c)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("truncate", [None, 3])
def test_gradient_rows_match_autograd(cell: str, layers: int, truncate: int | None) -> None:
    p = random_bidir(cell, 12, 6, layers=layers, embedding=5, seed=11 + layers)
    _check_rows(p, IDS[:7], truncate)


@pytest.mark.parametrize("truncate", [None, 2])
def test_rows_split_into_several_sweeps(truncate: int | None,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Long texts split their rows into sweeps of bounded memory (here 3, 3 and 1 rows)."""
    monkeypatch.setattr(bidir_bptt, "SWEEP_BYTES", 1)
    _check_rows(random_bidir("lstm", 12, 6, layers=2, embedding=5, seed=8), IDS[:7], truncate)
    calls: list[float] = []
    model = BiRNNLM(random_bidir("gru", 12, 6, seed=8))
    recs = model.run(IDS)
    bidir_gradient_rows(model, recs, default_targets(recs)[0], 0, 8,
                        progress=lambda f: calls.append(f) or True)
    assert calls == sorted(calls) and calls[-1] == pytest.approx(1.0)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(CELLS), st.integers(1, 8), st.integers(1, 3), st.integers(1, 6),
       st.integers(0, 2**31), st.lists(st.integers(0, 9), min_size=1, max_size=7),
       st.one_of(st.none(), st.integers(1, 4)))
def test_gradient_rows_random_shapes(cell: str, hidden: int, layers: int, emb: int, seed: int,
                                     ids: list[int], truncate: int | None) -> None:
    _check_rows(random_bidir(cell, 10, hidden, layers=layers, embedding=emb, seed=seed), ids,
                truncate)


def test_gradients_reach_the_future_and_truncation_cuts_both_ways() -> None:
    p = random_bidir("lstm", 12, 6, layers=2, embedding=5, seed=2)
    model = BiRNNLM(p)
    recs = model.run(list(range(10)))
    targets, _ = default_targets(recs)
    full = bidir_gradient_rows(model, recs, targets, 0, 10)
    future = np.triu(np.ones((10, 10), bool), 1)  # s > t
    assert (full.inputs[future] > 0).all()  # the reverse direction read those tokens
    assert (full.h[0][future] > 0).all()  # layer 1 forward: through layer 2 reverse
    assert (full.h[2][future] == 0).all() and (full.h[3][future.T] == 0).all()  # top layer
    cut = bidir_gradient_rows(model, recs, targets, 0, 10, truncate=4)
    block = np.arange(10) // 4
    outside = block[:, None] != block[None, :]
    for arr in (cut.h, cut.c, cut.inputs[None]):
        assert arr is not None
        assert (arr[:, outside] == 0).all() and (arr[:, ~outside & ~np.eye(10, dtype=bool)]
                                                  .max() > 0)
    with pytest.raises(ValueError):
        bidir_gradient_rows(model, recs, targets, 0, 10, truncate=0)
    with pytest.raises(Cancelled):
        bidir_gradient_rows(model, recs, targets, 0, 10, progress=lambda f: f < 0.5)


def test_factory_contract() -> None:
    p = random_bidir("gru", 12, 5, layers=2, seed=1)
    eng = build_engine(p)
    assert isinstance(eng, BiRNNLM)
    assert eng.num_layers == 4 and eng.hidden_size == 5 and eng.task == "lm"
    assert layer_labels(eng) == ("layer 1 →", "layer 1 ←", "layer 2 →", "layer 2 ←")
    assert layer_labels(RNNLM(random_params("gru", 12, 5, layers=2))) == ("layer 1", "layer 2")
    assert sees_future(eng) and not sees_future(RNNLM(random_params("gru", 12, 5)))
    assert not has_state_grad(eng) and has_state_grad(build_engine(random_bidir("lstm", 9, 3)))
    recs = eng.run(IDS)
    targets, is_pred = engine_targets(eng, recs)
    assert targets.tolist() == [*IDS[1:], int(np.argmax(recs[-1].probs))]
    assert is_pred.tolist() == [False] * 7 + [True]
    rows = engine_gradient_rows(eng, recs, targets, 2, 5)
    assert rows.h.shape == (4, 3, 8) and rows.c is None and rows.inputs.shape == (3, 8)
    with pytest.raises(NotForThisModel, match="language models; this is a bidirectional model"):
        rnn_only(eng, "interventions")
    with pytest.raises(NotForThisModel, match="this is a bidirectional model"):
        any_memory_curves(eng, list(range(12)) * 3, 4)


def _tokens(ids: list[int]) -> list[Token]:
    return [Token(f"w{i}", i, False) for i in ids]


def test_run_trace_never_reuses_records_of_a_bidirectional_net() -> None:
    bi = BiRNNLM(random_bidir("lstm", 12, 5, seed=4))
    uni = RNNLM(random_params("lstm", 12, 5, seed=4))
    for model in (bi, uni):
        old = run_trace(model, _tokens(IDS[:5]), None)
        new = run_trace(model, _tokens(IDS), None, reuse=old)
        fresh = model.run(IDS)
        shared = [a is b for a, b in zip(old.records, new.records, strict=False)]
        assert shared == ([False] * 5 if model is bi else [True] * 5)
        for got, want in zip(new.records, fresh, strict=True):
            np.testing.assert_array_equal(got.h, want.h)
            np.testing.assert_array_equal(got.logits, want.logits)
    # and the reuse would have been wrong: the prefix's reverse states changed
    old = run_trace(bi, _tokens(IDS[:5]), None)
    assert not np.allclose(old.records[0].h[1], bi.run(IDS)[0].h[1])
