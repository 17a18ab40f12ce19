"""A long text runs on a worker thread: the window stays responsive, a newer text supersedes it,
Cancel drops it, and the views then hold that text's run."""

from __future__ import annotations

from typing import Any

import numpy as np

from rnnviz.checkpoints.model import LoadedModel
from rnnviz.session import Session
from rnnviz.ui.sentence_bar import ASYNC_CHARS, SentenceBar
from tests.ui.conftest import SENTENCE

WORDS = "the cat sat on the mat and the dog ran into the room .".split()


def long_text(n: int, seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    return " ".join(rng.choice(WORDS, size=n))


def bar_for(qtbot: Any, model: LoadedModel) -> tuple[SentenceBar, Session]:
    s = Session()
    s.text = SENTENCE
    s.set_model(model)
    bar = SentenceBar(s)
    qtbot.addWidget(bar)
    return bar, s


def test_a_long_text_runs_in_the_background(qtbot: Any, demo_model: LoadedModel) -> None:
    bar, s = bar_for(qtbot, demo_model)
    text = long_text(600)
    assert len(text) > ASYNC_CHARS
    bar.edit.setText(text)
    with qtbot.waitSignal(bar.applied, timeout=30000):
        assert bar.apply()
        assert bar.running() and s.text == SENTENCE  # not yet: the old text is still shown
    assert s.text == text and s.length == len(demo_model.tokenize(text)) and s.cursor == 0
    expected = demo_model.tokenize(text)
    assert [t.id for t in s.trace.tokens] == [t.id for t in expected]  # type: ignore[union-attr]


def test_a_newer_text_supersedes_and_cancel_drops(qtbot: Any, demo_model: LoadedModel) -> None:
    bar, s = bar_for(qtbot, demo_model)
    bar.edit.setText(long_text(800, 1))
    bar.apply()
    bar.edit.setText("the dog ran .")
    assert bar.apply() and s.text == "the dog ran ." and not bar.running()
    qtbot.wait(1500)  # the superseded run may finish meanwhile: it must not land
    assert s.text == "the dog ran ."
    bar.edit.setText(long_text(800, 2))
    bar.apply()
    bar.cancel.click()
    assert not bar.running()
    qtbot.wait(1500)
    assert s.text == "the dog ran ."


def test_the_box_takes_more_than_qts_default_32767_characters(qtbot: Any,
                                                              demo_model: LoadedModel) -> None:
    bar, _ = bar_for(qtbot, demo_model)
    text = long_text(12000, 3)
    assert len(text) > 40_000
    bar.edit.setText(text)
    assert bar.typed() == text
