"""Backward language models in the workspace: the model reads the text last to first, the
shared cursor is a text position, and at position i a backward model holds the state after
reading T-1..i and predicts word i-1. States are checked against torch run over the reversed
ids; positions against brute-force offsets. No Qt."""

from __future__ import annotations

import dataclasses

import numpy as np

from rnnviz.checkpoints.model import LoadedModel
from rnnviz.session import Workspace
from tests.engine.torch_ref import reference
from tests.session.test_workspace import WORDS, char_model, word_model

TEXT = "the cat sat on the mat"


def backward(model: LoadedModel) -> LoadedModel:
    return dataclasses.replace(model, meta={**model.meta, "direction": "backward",
                                            "name": model.name + "-backward"})


def pair(lead_backward: bool = False) -> Workspace:
    """A forward and a backward model (of other weights) on TEXT; the backward one leads
    when ``lead_backward``."""
    fwd, bwd = word_model("lstm", 3), backward(word_model("gru", 4))
    ws = Workspace()
    for m in ((bwd, fwd) if lead_backward else (fwd, bwd)):
        ws.add_model(m)
    ws.set_text(TEXT)
    return ws


def text_ids() -> list[int]:
    return [WORDS.index(w) for w in TEXT.split()]


def test_backward_states_are_torch_over_the_reversed_text() -> None:
    ws = pair()
    s = ws.models[1]
    assert s.backward and s.trace is not None and s.engine is not None
    ids = text_ids()[::-1]
    assert [t.id for t in s.trace.tokens] == ids
    # targets: the next token in reading order, i.e. the previous word of the text
    assert list(s.trace.targets[:-1]) == ids[1:]
    ref = reference(s.engine.params, ids, [int(x) for x in s.trace.targets])
    np.testing.assert_allclose(s.trace.states("h"), ref.h, rtol=1e-5, atol=1e-6)
    assert [t.text for t in s.text_tokens()] == TEXT.split()
    assert ws.aligned  # same tokens in text order


def test_cursor_is_a_text_position_for_both_directions() -> None:
    for lead_backward in (False, True):
        ws = pair(lead_backward)
        fwd = next(s for s in ws.models if not s.backward)
        bwd = next(s for s in ws.models if s.backward)
        T = 6
        for i in range(T):
            ws.set_cursor(i)
            assert fwd.cursor == i  # forward: has read 0..i
            assert bwd.cursor == T - 1 - i  # backward: has read T-1..i
            # the token each model stands on is text token i
            assert fwd.token(fwd.cursor).text == bwd.token(bwd.cursor).text == TEXT.split()[i]
            # backward predicts the previous word (none at the first)
            pred = bwd.prediction()
            assert pred.target_is_prediction == (i == 0)
            if i > 0:
                assert pred.target_word == TEXT.split()[i - 1]
            for s in ws.models:  # lead_step inverts model_step
                assert ws.lead_step(s, s.cursor) == i
        ws.step(1)  # stepping moves right in the text
        assert fwd.cursor == T - 1 and bwd.cursor == 0


def test_clicking_a_backward_step_moves_the_text_cursor() -> None:
    ws = pair()
    bwd = ws.models[1]
    bwd.set_cursor(1)  # its step 1 = text token 4 ("the")
    assert ws.cursor == 4 and ws.models[0].cursor == 4


def test_backward_state_at_position_i_is_after_reading_the_suffix() -> None:
    ws = pair()
    bwd = ws.models[1]
    assert bwd.engine is not None and bwd.trace is not None
    ids = text_ids()
    for i in (0, 2, 5):
        ws.set_cursor(i)
        suffix = ids[i:][::-1]  # T-1 .. i
        ref = reference(bwd.engine.params, suffix, [*suffix[1:], 0])
        np.testing.assert_allclose(bwd.trace.states("h")[:, bwd.cursor], ref.h[:, -1],
                                   rtol=1e-5, atol=1e-6)


def test_backward_character_model_beside_a_word_lead() -> None:
    ws = Workspace()
    ws.add_model(word_model("lstm", 3))
    ws.add_model(backward(char_model()))
    text = "the cat sat"
    ws.set_text(text)
    chars = ws.models[1]
    assert not ws.aligned
    for i, start in enumerate((0, 4, 8)):  # each word's first character... after the space
        ws.set_cursor(i)
        own = chars.text_position(chars.cursor)
        # the first character after the end of the previous word: the space before it (or 0)
        assert own == max(0, start - 1)
        assert ws.lead_step(chars, chars.cursor) == i


def test_traced_word_on_a_backward_model() -> None:
    ws = pair()
    bwd = ws.models[1]
    ws.set_cursor(3)  # "on": the backward model's previous word is "sat"
    ws.set_traced_word("dog")
    assert bwd.trace is not None
    t = bwd.cursor
    assert bwd.trace.targets[t] == WORDS.index("dog") and bwd.trace.is_choice(t)
    p = bwd.trace.records[t].probs
    assert np.isclose(bwd.trace.losses[t], -np.log(p[WORDS.index("dog")]), rtol=1e-6)
