"""The workspace: several models on one text and cursor, different tokenizers, the traced word
(checked against torch autograd), closing models, bounded gradient stores. No Qt."""

from __future__ import annotations

import numpy as np
import pytest

from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.vocab import Vocab
from rnnviz.engine.params import random_params
from rnnviz.session import MAX_MODELS, SessionError, Workspace
from tests.engine.torch_ref import reference

WORDS = ("the", "cat", "sat", "on", "mat", "<eos>", "<unk>", "a", "dog", "ran", "tom", "mary")
CHARS = tuple("abcdefghijklmnopqrstuvwxyz .")


def word_model(cell: str, seed: int, layers: int = 2) -> LoadedModel:
    p = random_params(cell, len(WORDS), 10, layers=layers, seed=seed, scale=0.6)
    return LoadedModel(p, Vocab(WORDS), "word", "rnnviz", f"{cell}-{seed}.safetensors",
                       {"name": f"{cell}-{seed}"})


def char_model() -> LoadedModel:
    p = random_params("gru", len(CHARS), 8, layers=1, seed=5, scale=0.6)
    return LoadedModel(p, Vocab(CHARS), "char", "rnnviz", "chars.safetensors", {"name": "chars"})


def three_models(text: str = "the cat sat on the mat") -> Workspace:
    ws = Workspace()
    for cell, seed in (("rnn_tanh", 1), ("gru", 2), ("lstm", 3)):
        ws.add_model(word_model(cell, seed))
    ws.set_text(text)
    return ws


def test_models_step_together_and_each_run_equals_its_own_engine() -> None:
    ws = three_models()
    seen: list[int] = []
    ws.cursor_changed.connect(seen.append)
    ws.models[1].step(2)  # any model's stepper moves all
    ws.step(1)
    assert seen == [2, 3] and [s.cursor for s in ws.models] == [3, 3, 3]
    assert ws.aligned
    for s in ws.models:
        assert s.trace is not None and s.engine is not None
        ids = [t.id for t in s.trace.tokens]
        ref = reference(s.engine.params, ids, [int(x) for x in s.trace.targets])
        np.testing.assert_allclose(s.trace.states("h"), ref.h, rtol=1e-5, atol=1e-6)


def test_a_char_model_beside_a_word_model_steps_by_its_own_tokens() -> None:
    ws = Workspace()
    ws.add_model(word_model("lstm", 3))
    chars = ws.add_model(char_model())
    ws.set_text("the cat sat")
    assert not ws.aligned and chars.length == 11
    ws.set_cursor(1)  # the word 'cat' ends at offset 7: the char model stands on its 't'
    assert chars.cursor == 6 and chars.trace is not None
    assert chars.trace.tokens[chars.cursor].text == "t"
    chars.set_cursor(8)  # 's' of 'sat' -> the word model goes to 'sat'
    assert ws.cursor == 2 and ws.models[0].cursor == 2 and chars.cursor == 10


def test_the_traced_word_changes_the_loss_and_gradients_as_torch_says() -> None:
    ws = three_models("the cat sat on the")
    ws.end()
    ws.set_traced_word("tom")
    for s in ws.models:
        assert s.trace is not None and s.engine is not None and s.model is not None
        t = s.cursor
        tom = s.model.vocab.get("tom")
        assert int(s.trace.targets[t]) == tom and s.trace.is_choice(t)
        pred = s.prediction()
        assert pred.target_word == "tom" and not pred.target_is_prediction
        probs = s.trace.records[t].probs.astype(np.float64)
        assert s.trace.losses[t] == pytest.approx(-np.log(probs[tom] / probs.sum()), rel=1e-5)
        ids = [tok.id for tok in s.trace.tokens]
        ref = reference(s.engine.params, ids, [int(x) for x in s.trace.targets])
        row = s.gradient_row(t)
        np.testing.assert_allclose(row.h, ref.grad_h[:, t, : t + 1], rtol=1e-5, atol=1e-9)
        np.testing.assert_allclose(row.inputs, ref.grad_in[t, : t + 1], rtol=1e-5, atol=1e-9)
        if ref.grad_c is not None:
            assert row.c is not None
            np.testing.assert_allclose(row.c, ref.grad_c[:, t, : t + 1], rtol=1e-5, atol=1e-9)
    ws.set_traced_word(None)
    assert all(s.trace is not None and not s.trace.is_choice(s.cursor) for s in ws.models)
    assert all(s.prediction().target_is_prediction for s in ws.models)


def test_a_word_outside_one_vocabulary_is_reported_for_that_model_only() -> None:
    ws = Workspace()
    ws.add_model(word_model("lstm", 3))
    ws.add_model(char_model())
    ws.set_text("the cat")
    ws.end()
    ws.set_traced_word("dog")
    assert ws.models[0].trace is not None and ws.models[0].trace.is_choice(1)
    assert "not in chars" in ws.models[1].traced_note


def test_rows_of_unchanged_targets_survive_a_traced_word() -> None:
    ws = three_models("the cat sat on the mat")
    s = ws.models[2]
    job = s.store(None).missing_job()
    assert job is not None and s.trace is not None
    s.accept_rows(s.trace, None, job(None))
    ws.set_cursor(2)
    ws.set_traced_word("dog")
    ready = s.store(None).ready
    assert ready.tolist() == [True, True, False, True, True, True]


def test_closing_models_and_the_limit_of_four() -> None:
    ws = three_models()
    lead = ws.models[0]
    ws.add_model(word_model("gru", 9))
    with pytest.raises(SessionError):
        ws.add_model(word_model("gru", 10))
    assert len(ws.models) == MAX_MODELS
    ws.set_cursor(4)
    second = ws.models[1].model
    ws.remove_model(0)  # the first slot's object stays and takes the next model
    assert ws.models[0] is lead and lead.model is second and lead.cursor == 4
    while len(ws.models) > 1:
        ws.remove_model(len(ws.models) - 1)
    with pytest.raises(SessionError):
        ws.remove_model(0)


def test_a_text_one_model_cannot_run_changes_nothing() -> None:
    ws = Workspace()
    ws.add_model(word_model("lstm", 3))
    ws.set_text("the cat")
    before = ws.models[0].trace
    with pytest.raises(SessionError):
        ws.set_text("   ")
    assert ws.text == "the cat" and ws.models[0].trace is before


def test_only_the_exact_and_current_truncation_stores_are_kept() -> None:
    ws = three_models()
    s = ws.models[0]
    for k in (2, 3, 4, 5):
        ws.set_truncate(k)
        s.store(k)
    assert set(s._stores) <= {None, 5}
