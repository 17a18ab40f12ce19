"""Hidden-state view: the heatmap images hold exactly the engine's states at the cursor."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtCore

from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.native import load
from rnnviz.checkpoints.vocab import Vocab
from rnnviz.engine.network import RNNLM
from rnnviz.engine.params import random_params
from rnnviz.session import Session
from rnnviz.ui.heatmap import VISIBLE_STEPS, VISIBLE_UNITS, HiddenStateView
from tests.conftest import REPO

WORDS = ("the", "cat", "sat", "on", "mat", "<eos>", "<unk>", "a", "dog", "ran")
TEXT = "the cat sat on the mat a dog ran"
CELLS = ("rnn_tanh", "rnn_relu", "lstm", "gru")


def make_session(cell: str, hidden: int = 12, layers: int = 2, text: str = TEXT) -> Session:
    p = random_params(cell, len(WORDS), hidden, layers=layers, seed=3, scale=0.9)
    s = Session()
    s.set_model(LoadedModel(p, Vocab(WORDS), "word", "rnnviz", "x.safetensors"))
    s.set_text(text)
    return s


def make_view(qtbot, session: Session) -> HiddenStateView:  # type: ignore[no-untyped-def]
    view = HiddenStateView(session)
    qtbot.addWidget(view)
    view.resize(900, 500)
    return view


def engine_states(session: Session, kind: str) -> np.ndarray:
    """(L, T, H) computed afresh by the engine, not through the session's trace."""
    assert session.engine is not None and session.trace is not None
    records = RNNLM(session.engine.params).run([t.id for t in session.trace.tokens])
    if kind == "h":
        return np.stack([r.h for r in records], axis=1)
    if kind == "c":
        return np.stack([r.c for r in records], axis=1)
    return np.stack([r.gates[kind] for r in records], axis=1)


def assert_shows(view: HiddenStateView, session: Session, kind: str) -> None:
    t = session.cursor
    assert session.trace is not None
    expected = session.trace.states(kind)
    fresh = engine_states(session, kind)
    for k, image in enumerate(view.images):
        assert image.image.shape == (t + 1, expected.shape[2])  # x = step, y = unit
        assert image.image.dtype == np.float32 and image.image.flags.c_contiguous
        np.testing.assert_array_equal(image.image, expected[k, : t + 1])
        np.testing.assert_array_equal(image.image, fresh[k, : t + 1])
        rect = view.markers[k].rect()
        assert (rect.left(), rect.width()) == (t - 0.5, 1.0)


@pytest.mark.parametrize("cell", CELLS)
def test_stepping_shows_the_engine_states(qtbot, cell: str) -> None:  # type: ignore[no-untyped-def]
    s = make_session(cell)
    view = make_view(qtbot, s)
    images = list(view.images)
    assert_shows(view, s, "h")
    for _ in range(4):
        s.step(+1)
    assert s.cursor == 4
    assert_shows(view, s, "h")
    s.step(-2)
    assert_shows(view, s, "h")
    s.end()
    assert_shows(view, s, "h")
    assert view.images == images  # updated in place, never re-created per step
    view.refresh()
    assert_shows(view, s, "h")
    assert view.images == images
    assert "step 9 of 9" in view.subtitle.text()


@pytest.mark.parametrize("cell", CELLS)
def test_every_kind_with_its_levels(qtbot, cell: str) -> None:  # type: ignore[no-untyped-def]
    s = make_session(cell)
    view = make_view(qtbot, s)
    s.set_cursor(5)
    kinds = s.state_kinds()
    assert [view.kind_box.itemData(i) for i in range(view.kind_box.count())] == list(kinds)
    assert s.trace is not None
    for kind in kinds:
        s.set_state_kind(kind)
        assert view.kind_box.currentData() == kind
        assert_shows(view, s, kind)
        data = s.trace.states(kind)
        if kind in ("i", "f", "o", "r", "z"):
            want = (0.0, 1.0)
        elif kind == "c" or (kind == "h" and cell == "rnn_relu"):
            peak = float(np.abs(data).max())
            want = (-peak, peak)
        else:
            want = (-1.0, 1.0)
        assert view.levels == want
        assert tuple(view.images[0].levels) == want
        assert view.colorbar is not None and tuple(view.colorbar.levels()) == want


def test_picking_a_kind_in_the_box_sets_the_session(qtbot) -> None:  # type: ignore[no-untyped-def]
    s = make_session("lstm")
    view = make_view(qtbot, s)
    s.set_cursor(3)
    index = view.kind_box.findData("f")
    view.kind_box.setCurrentIndex(index)
    view.kind_box.activated.emit(index)
    assert s.state_kind == "f"
    assert_shows(view, s, "f")


def test_demo_model_and_a_new_sentence(qtbot) -> None:  # type: ignore[no-untyped-def]
    s = Session()
    s.set_model(load(REPO / "resources" / "models" / "demo-lstm.safetensors"))
    s.set_text("the company said it expects a loss")
    view = make_view(qtbot, s)
    s.set_cursor(3)
    assert_shows(view, s, "h")
    s.set_state_kind("c")
    s.set_text("a new sentence for the demo model")
    assert s.cursor == 0
    assert_shows(view, s, "c")
    assert view.axes[0]._tokens == [t.text for t in s.trace.tokens]  # type: ignore[union-attr]


def test_a_model_with_more_layers_rebuilds_the_plots(qtbot) -> None:  # type: ignore[no-untyped-def]
    s = make_session("gru", layers=1)
    view = make_view(qtbot, s)
    assert len(view.images) == 1
    s.set_model(LoadedModel(random_params("lstm", len(WORDS), 7, layers=3), Vocab(WORDS),
                            "word", "rnnviz", "y"))
    assert len(view.images) == 3
    s.set_cursor(2)
    assert_shows(view, s, "h")


def test_many_units_fit_say_which_and_hover_tells_the_value(qtbot) -> None:  # type: ignore[no-untyped-def]
    s = make_session("lstm", hidden=650, layers=1)
    view = make_view(qtbot, s)
    s.set_cursor(4)
    view.grab()  # lay out and paint once
    vb = view.plots[0].getViewBox()
    (_x0, _x1), (y0, y1) = vb.viewRange()
    assert (y0, y1) == pytest.approx((-0.5, 650 - 0.5))
    assert view.units_label.text() == "all 650 units"
    vb.setYRange(-0.5, VISIBLE_UNITS - 0.5, padding=0)  # as a wheel zoom would
    assert view.units_label.text() == f"units 0–{VISIBLE_UNITS - 1} of 650"
    pos = vb.mapViewToScene(QtCore.QPointF(2.0, 17.0))
    view._on_mouse_moved(pos)
    assert s.trace is not None
    value = float(s.trace.states("h")[0, 2, 17])
    text = view.hover_label.text()
    assert "'sat'" in text and "unit 17" in text and f"{value:+.4f}" in text


def test_long_sentence_shows_a_window_that_follows_the_cursor(qtbot) -> None:  # type: ignore[no-untyped-def]
    text = " ".join(WORDS[i % 5] for i in range(400))
    s = make_session("gru", hidden=6, layers=1, text=text)
    view = make_view(qtbot, s)
    assert s.trace is not None and s.length == 400
    states = s.trace.states("h")
    for t in (0, 150, 151, 350, 399, 20):
        s.set_cursor(t)
        lo = view._x_lo
        assert lo <= t < lo + VISIBLE_STEPS
        (x0, x1), _ = view.plots[0].getViewBox().viewRange()
        assert (x0, x1) == pytest.approx((lo - 0.5, lo + VISIBLE_STEPS - 0.5), abs=2.0)
        image = view.images[0]
        np.testing.assert_array_equal(image.image, states[0, lo : t + 1])
        assert image.pos().x() == lo - 0.5


def test_deleted_views_stop_listening(qtbot) -> None:  # type: ignore[no-untyped-def]
    from rnnviz.ui.gradient import GradientView
    from rnnviz.ui.softmax import SoftmaxView

    s = make_session("lstm")
    views = [HiddenStateView(s), SoftmaxView(s), GradientView(s)]
    for view in views:
        view.deleteLater()
    qtbot.wait(1)
    QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)
    s.step(+1)  # no slot of a deleted widget runs
    s.set_state_kind("c")
    s.set_text("a dog ran")


@pytest.mark.parametrize("cell", ["rwkv4", "rwkv7"])
def test_rwkv_h_levels_are_symmetric_max_abs(qtbot, cell: str) -> None:  # type: ignore[no-untyped-def]
    """RWKV block outputs are residual sums, not tanh-bounded: the levels are +-max|h| over
    the sentence and every layer, recomputed from a fresh engine run."""
    from rnnviz.engine.rwkv import RwkvLM
    from rnnviz.engine.rwkv_params import random_rwkv_params

    p = random_rwkv_params(cell, len(WORDS), 8, layers=2, head_size=4, seed=5, scale=0.9)
    s = Session()
    s.set_model(LoadedModel(p, Vocab(WORDS), "word", "rnnviz", "x.safetensors"))
    s.set_text(TEXT)
    view = make_view(qtbot, s)
    s.set_state_kind("h")
    assert s.trace is not None
    records = RwkvLM(p).run([t.id for t in s.trace.tokens])
    peak = float(max(np.abs(r.h).max() for r in records))
    assert peak > 1.0  # outside [-1, 1]: the tanh levels would clip
    assert view.levels == pytest.approx((-peak, peak), rel=1e-6)
    assert tuple(view.colorbar.levels()) == pytest.approx((-peak, peak), rel=1e-6)


def test_sorted_units_draw_the_engine_order_and_hover_names_the_true_unit(
        qtbot: object, demo_model: LoadedModel) -> None:
    """Sorting by variance draws states[k, :t+1][:, order]; the cell under row 0 is the unit
    with the largest variance, and selecting it names that true unit."""
    from PySide6.QtCore import QPointF

    s = Session()
    s.set_model(demo_model)
    s.set_text("the cat sat on the mat and the dog ran into the room .")
    s.step(6)
    view = HiddenStateView(s)
    qtbot.addWidget(view)  # type: ignore[attr-defined]
    view.resize(500, 600)
    view.show()
    s.workspace.set_unit_sort("variance")
    states = s.trace.states("h").astype(np.float64)  # type: ignore[union-attr]
    for k, image in enumerate(view.images):
        order = np.argsort(-states[k].var(axis=0), kind="stable")
        np.testing.assert_array_equal(image.image, states[k, : s.cursor + 1][:, order])
    vb = view.plots[0].getViewBox()
    hit = view._cell_at(vb.mapViewToScene(QPointF(2.0, 0.0)))
    assert hit is not None
    top = int(np.argmax(states[0].var(axis=0)))
    assert hit == (0, 2, top)
    s.workspace.set_unit_sort("index")
    np.testing.assert_array_equal(view.images[0].image, states[0, : s.cursor + 1])


def test_layer_captions_are_elided_to_their_maps_height(qtbot) -> None:  # type: ignore[no-untyped-def]
    """A caption taller than its map is elided with '…' (the full one is the tooltip) instead
    of running into the caption of the map below."""
    from PySide6 import QtGui

    session = make_session("lstm", layers=3)
    view = make_view(qtbot, session)
    view.show()
    qtbot.waitExposed(view)
    axes = [p.getAxis("left") for p in view.plots]
    full = ["layer 1 units", "layer 2 units", "layer 3 units (top)"]
    assert [a.toolTip() for a in axes] == full
    view.resize(900, 1000)
    qtbot.waitUntil(lambda: [a.labelText for a in axes] == full, timeout=3000)
    view.resize(900, 300)  # about 60 px a map
    qtbot.waitUntil(lambda: axes[0].size().height() < 90, timeout=3000)
    for axis, text in zip(axes, full, strict=True):
        shown = str(axis.labelText)
        width = QtGui.QFontMetricsF(axis.label.font()).horizontalAdvance(shown)
        assert width <= axis.size().height(), (shown, axis.size().height())
        assert shown == text or (shown.endswith("…") and text.startswith(shown[:-1]))
    assert any(str(a.labelText).endswith("…") for a in axes)
