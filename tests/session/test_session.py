"""The session model with no Qt: stepping, caching, branching, predictions, gradients."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.vocab import Vocab
from rnnviz.engine.bptt import default_targets, gradient_norms
from rnnviz.engine.network import RNNLM
from rnnviz.engine.params import random_params
from rnnviz.session import Session, SessionError

WORDS = ("the", "cat", "sat", "on", "mat", "<eos>", "<unk>", "a", "dog", "ran")


def make_session(cell: str = "lstm") -> Session:
    p = random_params(cell, len(WORDS), 12, layers=2, seed=2, scale=0.6)
    s = Session()
    s.set_model(LoadedModel(p, Vocab(WORDS), "word", "rnnviz", "x.safetensors"))
    return s


def test_session_engine_and_cli_never_import_qt_or_torch() -> None:
    code = ("import sys, rnnviz.session, rnnviz.cli, rnnviz.checkpoints.loader; "
            "bad = [m for m in sys.modules if m.split('.')[0] in "
            "('PySide6', 'pyqtgraph', 'superqt', 'torch')]; print(bad); sys.exit(bool(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_stepping_moves_the_cursor_and_clamps() -> None:
    s = make_session()
    seen: list[int] = []
    s.cursor_changed.connect(seen.append)
    s.set_text("the cat sat on the mat .")
    assert s.length == 7 and s.cursor == 0
    for _ in range(3):
        s.step(+1)
    assert s.cursor == 3
    s.step(-1)
    s.end()
    assert s.cursor == 6
    s.step(+5)
    assert s.cursor == 6
    s.home()
    assert s.cursor == 0
    assert seen == [0, 1, 2, 3, 2, 6, 0]


def test_trace_equals_the_engine_and_stepping_back_recomputes_nothing() -> None:
    s = make_session()
    s.set_text("the cat sat on the mat")
    assert s.trace is not None and s.engine is not None
    ids = [t.id for t in s.trace.tokens]
    fresh = RNNLM(s.engine.params).run(ids)
    np.testing.assert_array_equal(s.trace.states("h"),
                                  np.stack([r.h for r in fresh], axis=1))
    np.testing.assert_array_equal(s.trace.states("f"),
                                  np.stack([r.gates["f"] for r in fresh], axis=1))
    before = list(s.trace.records)
    s.end()
    s.home()
    assert all(a is b for a, b in zip(before, s.trace.records, strict=True))


def test_extending_the_sentence_reuses_the_prefix_and_its_gradient_rows() -> None:
    s = make_session()
    s.set_text("the cat sat on")
    assert s.trace is not None
    old_records = list(s.trace.records)
    full_old = s.store(None)
    job = full_old.missing_job()
    assert job is not None
    s.accept_rows(s.trace, None, job(None))
    s.set_text("the cat sat on the mat")
    assert all(a is b for a, b in zip(old_records, s.trace.records[:4], strict=False))
    store = s.store(None)
    assert store.ready.tolist() == [True, True, True, False, False, False]  # row 3's target changed
    job = store.missing_job()
    assert job is not None
    s.accept_rows(s.trace, None, job(None))
    engine = RNNLM(s.engine.params)  # type: ignore[union-attr]
    recs = engine.run([t.id for t in s.trace.tokens])
    ref = gradient_norms(engine, recs, default_targets(recs)[0])
    np.testing.assert_allclose(store.h, ref.h, rtol=1e-6, atol=1e-7, equal_nan=True)
    np.testing.assert_allclose(store.inputs, ref.inputs, rtol=1e-6, atol=1e-7, equal_nan=True)


def test_branching_to_another_sentence_keeps_only_the_common_prefix() -> None:
    s = make_session("gru")
    s.set_text("the cat sat on the mat")
    assert s.trace is not None
    first = list(s.trace.records)
    s.set_text("the cat ran")
    assert s.trace.records[:2] == first[:2] and s.trace.records[2] is not first[2]
    ref = RNNLM(s.engine.params).run([0, 1, 9])  # type: ignore[union-attr]
    np.testing.assert_allclose(s.trace.records[2].probs, ref[2].probs, rtol=1e-6)


def test_prediction_reports_rank_and_probability_of_the_true_next_word() -> None:
    s = make_session()
    s.set_text("the cat sat on the mat")
    s.set_top_k(3)
    assert s.trace is not None
    for t in range(s.length):
        pred = s.prediction(t)
        probs = s.trace.records[t].probs
        order = np.argsort(-probs, kind="stable")
        assert pred.ids.tolist() == order[:3].tolist()
        np.testing.assert_array_equal(pred.probs, probs[order[:3]])
        assert pred.target_prob == pytest.approx(float(probs[pred.target_id]))
        assert order[pred.target_rank - 1] == pred.target_id or \
            probs[order[pred.target_rank - 1]] == probs[pred.target_id]
        if t < s.length - 1:
            assert pred.target_id == s.trace.tokens[t + 1].id and not pred.target_is_prediction
        else:
            assert pred.target_is_prediction and pred.target_rank == 1


def test_running_perplexity_excludes_the_predicted_last_target() -> None:
    s = make_session()
    s.set_text("the cat sat")
    assert s.trace is not None
    s.end()
    expected = np.exp(s.trace.losses[:2].mean())
    assert s.running_perplexity() == pytest.approx(expected)


def test_gradient_row_matches_the_engine_and_truncation_setting() -> None:
    s = make_session("rnn_tanh")
    s.set_text("the cat sat on the mat a dog ran")
    engine = RNNLM(s.engine.params)  # type: ignore[union-attr]
    recs = engine.run([t.id for t in s.trace.tokens])  # type: ignore[union-attr]
    targets = default_targets(recs)[0]
    for k in (None, 3):
        ref = gradient_norms(engine, recs, targets, k)
        row = s.gradient_row(7, k)
        np.testing.assert_allclose(row.h, ref.h[:, 7, :8], rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(row.inputs, ref.inputs[7, :8], rtol=1e-6, atol=1e-8)


def test_stale_worker_results_are_ignored() -> None:
    s = make_session()
    s.set_text("the cat sat")
    old = s.trace
    job = s.store(None).missing_job()
    s.set_text("a dog ran")
    assert job is not None and old is not None
    assert not s.accept_rows(old, None, job(None))
    assert not s.store(None).ready.any()


def test_bad_requests_raise_session_errors() -> None:
    s = make_session("gru")
    with pytest.raises(SessionError):
        s.set_text("   ")
    with pytest.raises(SessionError):
        s.set_state_kind("c")
    assert s.state_kinds() == ("h", "r", "z", "n")


def test_priming_changes_the_initial_state() -> None:
    s = make_session()
    s.set_text("the cat")
    assert s.trace is not None
    plain = s.trace.records[0].h.copy()
    s.set_prime("a dog ran")
    engine = RNNLM(s.engine.params)  # type: ignore[union-attr]
    state = engine.run([7, 8, 9])[-1].state
    np.testing.assert_allclose(s.trace.records[0].h, engine.step(0, state).h, rtol=1e-6)
    assert not np.allclose(plain, s.trace.records[0].h)
