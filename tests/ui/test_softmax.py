"""Next-word view: the bars hold exactly the engine's top-k probabilities at the cursor."""

from __future__ import annotations

import numpy as np
import pytest

from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.native import load
from rnnviz.checkpoints.vocab import Vocab
from rnnviz.engine.network import RNNLM
from rnnviz.engine.params import random_params
from rnnviz.session import Session
from rnnviz.ui.softmax import SoftmaxView
from tests.conftest import REPO

WORDS = ("the", "cat", "sat", "on", "mat", "<eos>", "<unk>", "a", "dog", "ran", "big", "small")
TEXT = "the cat sat on the mat a dog ran"


def make_session(cell: str, text: str = TEXT) -> Session:
    p = random_params(cell, len(WORDS), 10, layers=2, seed=5, scale=1.5)
    s = Session()
    s.set_model(LoadedModel(p, Vocab(WORDS), "word", "rnnviz", "x.safetensors"))
    s.set_text(text)
    return s


def make_view(qtbot, session: Session) -> SoftmaxView:  # type: ignore[no-untyped-def]
    view = SoftmaxView(session)
    qtbot.addWidget(view)
    view.resize(700, 400)
    return view


def engine_top(session: Session, t: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Top-k ids and probabilities from a fresh engine run (most probable first)."""
    assert session.engine is not None and session.trace is not None
    records = RNNLM(session.engine.params).run([tok.id for tok in session.trace.tokens])
    probs = records[t].probs
    ids = np.argsort(-probs, kind="stable")[:k]
    return ids, probs[ids]


def assert_shows(view: SoftmaxView, session: Session) -> None:
    t, k = session.cursor, session.top_k
    pred = session.prediction(t)
    assert session.model is not None
    ids, probs = engine_top(session, t, min(k, session.model.params.vocab_size))
    assert len(pred.ids) == len(ids)
    np.testing.assert_array_equal(view.bars.opts["width"], pred.probs)
    np.testing.assert_array_equal(view.bars.opts["width"], probs)
    np.testing.assert_array_equal(view.bars.opts["y"], np.arange(len(ids)))
    assert session.model is not None
    vocab = session.model.vocab.tokens
    assert view.words == pred.words
    # ties (equal probabilities) may list in either order: compare (p, word) pairs
    shown = sorted(zip(view.bars.opts["width"].tolist(), view.words, strict=True))
    assert shown == sorted(zip(probs.tolist(), [vocab[i] for i in ids], strict=True))
    ticks = view.plot.getAxis("left")._tickLevels[0]
    assert [w for _, w in ticks] == view.words
    target = pred.target_id
    brushes = view.bars.opts["brushes"]
    if target in pred.ids:
        i = int(np.flatnonzero(pred.ids == target)[0])
        assert view.target_index == i
        assert brushes[i] is view._target_brush
        assert all(b is view._brush for j, b in enumerate(brushes) if j != i)
    else:
        assert view.target_index is None
        assert all(b is view._brush for b in brushes)
    assert [lbl.text() for lbl in view.value_labels] == [f"{p:.3g}" for p in probs]


@pytest.mark.parametrize("cell", ["rnn_tanh", "rnn_relu", "lstm", "gru"])
def test_stepping_shows_the_top_k(qtbot, cell: str) -> None:  # type: ignore[no-untyped-def]
    s = make_session(cell)
    view = make_view(qtbot, s)
    bars = view.bars
    for _ in range(s.length):
        assert_shows(view, s)
        s.step(+1)
    s.home()
    assert_shows(view, s)
    view.refresh()
    assert_shows(view, s)
    assert view.bars is bars


def test_target_line_gives_rank_and_probability_outside_the_top_k(qtbot) -> None:  # type: ignore[no-untyped-def]
    s = make_session("lstm")
    view = make_view(qtbot, s)
    s.set_top_k(1)
    assert s.trace is not None
    outside = [t for t in range(s.length - 1) if s.prediction(t).target_rank > 1]
    assert outside, "the test sentence should have a step the model gets wrong"
    s.set_cursor(outside[0])
    pred = s.prediction()
    assert_shows(view, s)
    assert view.target_index is None
    assert view.target_label.text() == (
        f"next word '{pred.target_word}': rank {pred.target_rank}, p = {pred.target_prob:.4g}")
    probs = s.trace.records[s.cursor].probs
    assert pred.target_rank == int((probs > probs[pred.target_id]).sum()) + 1


def test_last_step_names_the_models_own_prediction(qtbot) -> None:  # type: ignore[no-untyped-def]
    s = make_session("gru")
    view = make_view(qtbot, s)
    s.end()
    pred = s.prediction()
    assert pred.target_is_prediction and view.target_index == 0
    assert view.target_label.text().startswith(
        f"end of text: differentiating the model's own top prediction '{pred.target_word}'")


def test_top_k_from_the_spin_box_and_from_the_session(qtbot) -> None:  # type: ignore[no-untyped-def]
    s = make_session("rnn_tanh")
    view = make_view(qtbot, s)
    s.set_cursor(2)
    view.k_spin.setValue(4)
    assert s.top_k == 4 and len(view.bars.opts["width"]) == 4
    assert_shows(view, s)
    s.set_top_k(7)
    assert view.k_spin.value() == 7 and len(view.value_labels) == 7
    assert_shows(view, s)
    assert view.k_spin.maximum() == len(WORDS)


def test_demo_model(qtbot) -> None:  # type: ignore[no-untyped-def]
    s = Session()
    s.set_model(load(REPO / "resources" / "models" / "demo-lstm.safetensors"))
    s.set_text("the company said it expects a loss")
    view = make_view(qtbot, s)
    s.set_cursor(3)
    assert_shows(view, s)
    s.set_top_k(25)
    assert_shows(view, s)


@pytest.mark.parametrize("width", [230, 300, 420, 700])
def test_value_labels_stay_inside_the_plot(qtbot, width: int) -> None:  # type: ignore[no-untyped-def]
    """The longest bar's value label is drawn whole, also when the bar is near 1 and the
    view is narrow (beside it, or inside the bar when there is no room beside it)."""
    from PySide6 import QtWidgets

    from rnnviz.ui.softmax import ValueLabel
    from tests.ui.overlap import escaping_items

    p = random_params("gru", len(WORDS), 10, layers=1, seed=3, scale=3.0)
    s = Session()
    s.set_model(LoadedModel(p, Vocab(WORDS), "word", "rnnviz", "x.safetensors"))
    s.set_text(TEXT)
    view = make_view(qtbot, s)
    view.resize(width, 400)
    view.show()
    qtbot.waitExposed(view)
    tops = []
    for t in range(s.length):
        s.set_cursor(t)
        qtbot.wait(5)
        tops.append(float(view.bars.opts["width"][0]))
        for gv in view.findChildren(QtWidgets.QGraphicsView):
            assert escaping_items(gv, ValueLabel) == [], (t, tops[-1])
        assert len(view.value_labels) == len(view.bars.opts["width"])
    assert max(tops) > 0.9 and min(tops) < 0.5  # a bar near 1 and a flatter step were seen
