"""Classifiers step by step equal a torch SampleRNN run on every prefix, and autograd."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rnnviz.checkpoints.vocab import Token
from rnnviz.engine import classifier
from rnnviz.engine.bidir_params import BiParams, random_bidir
from rnnviz.engine.classifier import ClassifierEngine, classifier_gradient_rows
from rnnviz.engine.classifier_params import ClassifierParams
from rnnviz.engine.factory import (
    NotForThisModel,
    any_memory_curves,
    build_engine,
    engine_gradient_rows,
    engine_targets,
    layer_labels,
    rnn_only,
    sees_future,
)
from rnnviz.engine.params import CELLS, ModelParams, random_params
from rnnviz.session.trace import run_trace
from tests.engine.bidir_torch_ref import grad_norms, module, to_numpy, unrolled
from tests.engine.test_parity import assert_close
from tests.engine.torch_ref import reference

IDS = [3, 1, 4, 1, 5, 9, 2]
CLASSES = ("neg", "neutral", "pos")


class SampleRNN(torch.nn.Module):
    """The tutorial's classifier: embedding -> nn.RNN/LSTM/GRU(batch_first=True) -> fc on
    out[:, -1, :] ('last-output') or on [h_n forward; h_n reverse] ('final-states')."""

    def __init__(self, p: ClassifierParams) -> None:
        super().__init__()
        net = p.net
        self.emb = torch.nn.Embedding.from_pretrained(torch.from_numpy(
            net.embedding.astype(np.float64)))
        self.rnn = module(net, batch_first=True)
        self.fc = torch.nn.Linear(net.decoder_w.shape[1], len(p.classes)).double()
        self.fc.load_state_dict({"weight": torch.from_numpy(net.decoder_w.astype(np.float64)),
                                 "bias": torch.from_numpy(net.decoder_b.astype(np.float64))})
        self.pool, self.bi = p.pool, isinstance(net, BiParams)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        out, hn = self.rnn(self.emb(ids))
        if self.pool == "last-output":
            return self.fc(out[:, -1, :])
        h_n = hn[0] if isinstance(hn, tuple) else hn
        return self.fc(torch.cat((h_n[-2], h_n[-1]), -1) if self.bi else h_n[-1])


def _uni(cell: str, layers: int, seed: int) -> ModelParams:
    p = random_params(cell, 12, 6, layers=layers, embedding=5, seed=seed)
    rng = np.random.default_rng(seed)
    return replace(p, decoder_w=rng.uniform(-1, 1, (3, 6)).astype(np.float32),
                   decoder_b=rng.uniform(-1, 1, 3).astype(np.float32), output_size=3)


def _params(cell: str, bi: bool, pool: str, layers: int = 2, seed: int = 0) -> ClassifierParams:
    net = (random_bidir(cell, 12, 6, layers=layers, embedding=5, outputs=3, seed=seed) if bi
           else _uni(cell, layers, seed))
    return ClassifierParams(net, CLASSES, pool)


def _torch_prefix_probs(p: ClassifierParams, ids: list[int]) -> np.ndarray:
    model = SampleRNN(p)
    with torch.no_grad():
        logits = [model(torch.tensor([ids[: t + 1]]))[0] for t in range(len(ids))]
    return torch.softmax(torch.stack(logits), -1).numpy()


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("bi", [False, True])
@pytest.mark.parametrize("pool", ["last-output", "final-states"])
def test_class_probabilities_after_every_prefix(cell: str, bi: bool, pool: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    if cell == "gru":  # prefixes in batches of 1 row, not all at once
        monkeypatch.setattr(classifier, "CHUNK_BYTES", 1)
    p = _params(cell, bi, pool, seed=CELLS.index(cell))
    eng = ClassifierEngine(p)
    recs = eng.run(IDS)
    want = _torch_prefix_probs(p, IDS)
    assert_close(np.stack([r.probs for r in recs]), want)
    logits, _ = eng.forward(np.array([IDS, IDS]))
    e = np.exp(logits[1] - logits[1].max(1, keepdims=True))
    assert_close(e / e.sum(1, keepdims=True), want)
    # the decision after the whole text alone (eval's path): torch's fc(out[:, -1])
    final = eng.final_logits(np.array([IDS, IDS[::-1]]))
    with torch.no_grad():
        model = SampleRNN(p)
        want_final = model(torch.tensor([IDS, IDS[::-1]])).numpy()
    assert final.shape == (2, len(CLASSES))
    assert_close(final, want_final)
    # the displayed states are the whole text's run
    if bi:
        assert isinstance(p.net, BiParams)
        u = unrolled(p.net, IDS)
        assert_close(np.stack([r.h for r in recs], axis=1), to_numpy(u.h))
        if cell == "lstm":
            assert_close(np.stack([r.c for r in recs], axis=1), to_numpy(u.c))


def test_pools_differ_for_a_bidirectional_net() -> None:
    """The two pools are different functions of the same weights (the reverse h_n has read the
    whole prefix; out[:, -1] only its last token)."""
    a = ClassifierEngine(_params("gru", True, "last-output", seed=3)).run(IDS)
    b = ClassifierEngine(_params("gru", True, "final-states", seed=3)).run(IDS)
    assert np.allclose(a[0].probs, b[0].probs)  # one token: the same state
    assert not np.allclose(a[-1].probs, b[-1].probs, atol=1e-4)


def _reference_bi_rows(p: ClassifierParams, ids: list[int], targets: np.ndarray,
                       truncate: int | None) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Row t by autograd through the unrolled prefix 0..t; NaN for s > t."""
    net = p.net
    assert isinstance(net, BiParams)
    n, lstm = len(ids), net.cell == "lstm"
    out_h = np.full((2 * net.num_layers, n, n), np.nan)
    out_c = out_h.copy() if lstm else None
    out_in = np.full((n, n), np.nan)
    fc_w = torch.from_numpy(net.decoder_w.astype(np.float64))
    fc_b = torch.from_numpy(net.decoder_b.astype(np.float64))
    for t in range(n):
        u = unrolled(net, ids[: t + 1], truncate)
        rev = u.h[-1][0] if p.pool == "final-states" else u.h[-1][t]
        logits = torch.cat((u.h[-2][t], rev), -1)[0] @ fc_w.T + fc_b
        h, c, e = grad_norms(u, -torch.log_softmax(logits, -1)[int(targets[t])], lstm)
        out_h[:, t, : t + 1], out_in[t, : t + 1] = h, e
        if out_c is not None:
            out_c[:, t, : t + 1] = c
    return out_h, out_c, out_in


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("pool", ["last-output", "final-states"])
@pytest.mark.parametrize("truncate", [None, 3])
def test_bidirectional_gradient_rows_match_autograd(cell: str, pool: str, truncate: int | None,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    if cell in ("gru", "rnn_relu"):  # prefixes in batches of 1 and 2 rows, not all at once
        monkeypatch.setattr(classifier, "CHUNK_BYTES", 1 if cell == "gru" else 17000)
    p = _params(cell, True, pool, seed=7)
    eng = ClassifierEngine(p)
    recs = eng.run(IDS)
    targets, is_pred = engine_targets(eng, recs)
    assert is_pred.all()
    np.testing.assert_array_equal(targets, [int(np.argmax(r.probs)) for r in recs])
    want_h, want_c, want_in = _reference_bi_rows(p, IDS, targets, truncate)
    rows = engine_gradient_rows(eng, recs, targets, 0, len(IDS), truncate)
    assert_close(rows.h, want_h)
    assert_close(rows.inputs, want_in)
    if want_c is not None:
        assert rows.c is not None
        assert_close(rows.c, want_c)
    part = classifier_gradient_rows(eng, recs, targets, 2, 4, truncate)
    assert_close(part.h, want_h[:, 2:4])


@pytest.mark.parametrize("layers", [1, 3])
def test_bidirectional_rows_with_one_and_three_layers(layers: int) -> None:
    p = _params("lstm", True, "final-states", layers=layers, seed=layers)
    eng = ClassifierEngine(p)
    recs = eng.run(IDS[:5])
    assert_close(np.stack([r.probs for r in recs]), _torch_prefix_probs(p, IDS[:5]))
    targets, _ = engine_targets(eng, recs)
    want_h, want_c, want_in = _reference_bi_rows(p, IDS[:5], targets, None)
    rows = engine_gradient_rows(eng, recs, targets, 0, 5)
    assert_close(rows.h, want_h)
    assert_close(rows.inputs, want_in)
    assert rows.c is not None and want_c is not None
    assert_close(rows.c, want_c)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(CELLS), st.integers(1, 7), st.integers(1, 3), st.integers(1, 5),
       st.integers(0, 2**31), st.lists(st.integers(0, 9), min_size=1, max_size=6),
       st.sampled_from(["last-output", "final-states"]), st.one_of(st.none(), st.integers(1, 3)))
def test_bidirectional_random_shapes(cell: str, hidden: int, layers: int, emb: int, seed: int,
                                     ids: list[int], pool: str, truncate: int | None) -> None:
    net = random_bidir(cell, 10, hidden, layers=layers, embedding=emb, outputs=2, seed=seed)
    p = ClassifierParams(net, ("x", "y"), pool)
    eng = ClassifierEngine(p)
    recs = eng.run(ids)
    assert_close(np.stack([r.probs for r in recs]), _torch_prefix_probs(p, ids))
    targets, _ = engine_targets(eng, recs)
    want_h, want_c, want_in = _reference_bi_rows(p, ids, targets, truncate)
    rows = engine_gradient_rows(eng, recs, targets, 0, len(ids), truncate)
    assert_close(rows.h, want_h)
    assert_close(rows.inputs, want_in)
    if want_c is not None:
        assert rows.c is not None
        assert_close(rows.c, want_c)


@pytest.mark.parametrize("cell", CELLS)
def test_unidirectional_gradient_rows_match_autograd(cell: str) -> None:
    """For a unidirectional classifier every prefix's class loss is the step's loss of the
    same net decoding each step; torch_ref's unrolled reference computes exactly that."""
    p = _params(cell, False, "last-output", seed=2)
    eng = ClassifierEngine(p)
    recs = eng.run(IDS)
    targets, _ = engine_targets(eng, recs)
    assert isinstance(p.net, ModelParams)
    ref = reference(p.net, IDS, list(targets))
    assert_close(np.stack([r.logits for r in recs]), ref.logits)
    rows = engine_gradient_rows(eng, recs, targets, 0, len(IDS))
    assert_close(rows.h, ref.grad_h)
    assert_close(rows.inputs, ref.grad_in)
    if ref.grad_c is not None:
        assert rows.c is not None
        assert_close(rows.c, ref.grad_c)


def test_one_hot_input() -> None:
    net = random_bidir("gru", 12, 4, layers=1, outputs=2, seed=9)
    net = replace(net, embedding=np.eye(12, dtype=np.float32),
                  forward=tuple(replace(lay, w_ih=np.random.default_rng(1).uniform(
                      -0.5, 0.5, (12, 12)).astype(np.float32)) for lay in net.forward),
                  reverse=tuple(replace(lay, w_ih=np.random.default_rng(2).uniform(
                      -0.5, 0.5, (12, 12)).astype(np.float32)) for lay in net.reverse))
    p = ClassifierParams(net, ("a", "b"), "last-output", one_hot=True)
    recs = ClassifierEngine(p).run(IDS)
    assert_close(np.stack([r.probs for r in recs]), _torch_prefix_probs(p, IDS))


def _tokens(ids: list[int]) -> list[Token]:
    return [Token(f"w{i}", i, False) for i in ids]


def test_factory_contract_and_trace() -> None:
    bi = build_engine(_params("lstm", True, "final-states"))
    uni = build_engine(_params("lstm", False, "last-output"))
    assert isinstance(bi, ClassifierEngine) and isinstance(uni, ClassifierEngine)
    assert bi.task == uni.task == "classify"
    assert sees_future(bi) and not sees_future(uni)
    assert bi.num_layers == 4 and uni.num_layers == 2
    assert layer_labels(bi)[:2] == ("layer 1 →", "layer 1 ←")
    assert layer_labels(uni) == ("layer 1", "layer 2")
    for eng in (bi, uni):
        with pytest.raises(NotForThisModel, match="language models; this is a classifier"):
            rnn_only(eng, "generation")
        with pytest.raises(NotForThisModel, match="this is a classifier"):
            any_memory_curves(eng, list(range(12)) * 3, 4)
        old = run_trace(eng, _tokens(IDS[:4]), None)
        new = run_trace(eng, _tokens(IDS), None, reuse=old)
        shared = [a is b for a, b in zip(old.records, new.records, strict=False)]
        assert shared == [eng is uni] * 4
        assert new.target_is_prediction.all()
        np.testing.assert_array_equal(new.targets, [int(np.argmax(r.probs)) for r in new.records])
        np.testing.assert_allclose(new.losses, [-np.log(r.probs.max()) for r in new.records],
                                   rtol=1e-5)
