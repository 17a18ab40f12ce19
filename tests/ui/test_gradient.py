"""Gradient view: curves hold exactly the engine's gradient norms for the loss at the cursor,
truncation shades and cuts, the T x T image is log10 of the store where rows are ready."""

from __future__ import annotations

import numpy as np
import pytest

from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.native import load
from rnnviz.checkpoints.vocab import Vocab
from rnnviz.engine.bptt import GradientRows, default_targets, gradient_norms
from rnnviz.engine.network import RNNLM
from rnnviz.engine.params import random_params
from rnnviz.session import Session
from rnnviz.ui.gradient import VISIBLE_STEPS, GradientView, context_text
from tests.conftest import REPO

WORDS = ("the", "cat", "sat", "on", "mat", "<eos>", "<unk>", "a", "dog", "ran")
TEXT = "the cat sat on the mat a dog ran on the mat"
CELLS = ("rnn_tanh", "rnn_relu", "lstm", "gru")


def make_session(cell: str, text: str = TEXT) -> Session:
    p = random_params(cell, len(WORDS), 9, layers=2, seed=4, scale=0.8)
    s = Session()
    s.set_model(LoadedModel(p, Vocab(WORDS), "word", "rnnviz", "x.safetensors"))
    s.set_text(text)
    return s


def make_view(qtbot, session: Session) -> GradientView:  # type: ignore[no-untyped-def]
    view = GradientView(session)
    qtbot.addWidget(view)
    view.resize(1000, 420)
    return view


def engine_norms(session: Session, truncate: int | None) -> GradientRows:
    """The full matrices from a fresh engine run (independent of the session's stores)."""
    assert session.engine is not None and session.trace is not None
    model = RNNLM(session.engine.params)
    records = model.run([tok.id for tok in session.trace.tokens])
    targets, _ = default_targets(records)
    return gradient_norms(model, records, targets, truncate)


def ydata(curve: object) -> np.ndarray:
    """A curve's y values (empty when it shows nothing)."""
    y = curve.yData  # type: ignore[attr-defined]
    return np.zeros(0) if y is None else np.asarray(y)


def nonzero(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    keep = np.isfinite(y) & (y > 0)
    return np.flatnonzero(keep).astype(np.float64), y[keep]


def assert_curves(view: GradientView, session: Session, ref: GradientRows | None = None) -> None:
    t, k_trunc = session.cursor, session.truncate
    row = session.gradient_row(t, k_trunc)
    for k, curve in enumerate(view.curves):
        x, y = nonzero(row.h[k])
        np.testing.assert_array_equal(curve.xData, x)
        np.testing.assert_array_equal(curve.yData, y)
        assert np.all(curve.yData > 0)  # a log axis never sees a zero
        if ref is not None:
            np.testing.assert_allclose(curve.yData, nonzero(ref.h[k, t, : t + 1])[1], rtol=1e-5)
    start = (t // k_trunc) * k_trunc if k_trunc else 0
    if k_trunc:
        assert all(curve.xData.min() >= start for curve in view.curves)
    assert view.shade.isVisible() == (start > 0)
    if start > 0:
        assert view.shade.getRegion() == pytest.approx((-0.5, start - 0.5))


@pytest.mark.parametrize("cell", CELLS)
def test_curves_are_the_engine_norms(qtbot, cell: str) -> None:  # type: ignore[no-untyped-def]
    s = make_session(cell)
    view = make_view(qtbot, s)
    exact = engine_norms(s, None)
    curves = list(view.curves)
    for _ in range(s.length):
        assert_curves(view, s, exact)
        s.step(+1)
    s.home()
    assert_curves(view, s, exact)
    view.refresh()
    assert_curves(view, s, exact)
    assert view.curves == curves
    assert not view.shade.isVisible()


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_truncation_cuts_shades_and_keeps_an_exact_reference(qtbot, cell: str) -> None:  # type: ignore[no-untyped-def]
    s = make_session(cell)
    view = make_view(qtbot, s)
    truncated, exact = engine_norms(s, 4), engine_norms(s, None)
    view.k_spin.setValue(4)
    assert s.truncate == 4
    for t in (2, 5, 9, 11):
        s.set_cursor(t)
        assert_curves(view, s, truncated)
        assert view.shade.isVisible() == (t >= 4)
        for k, ref in enumerate(view.ref_curves):
            np.testing.assert_array_equal(ref.yData, nonzero(s.gradient_row(t, None).h[k])[1])
            np.testing.assert_allclose(ref.yData, nonzero(exact.h[k, t, : t + 1])[1], rtol=1e-5)
        assert "K = 4" in view.description.text()
    s.set_truncate(None)
    assert view.k_spin.value() == 0
    assert_curves(view, s, exact)
    assert all(len(ydata(ref)) == 0 for ref in view.ref_curves)
    assert not view.shade.isVisible()


def test_cell_state_and_input_curves(qtbot) -> None:  # type: ignore[no-untyped-def]
    s = make_session("lstm")
    view = make_view(qtbot, s)
    s.set_cursor(7)
    assert all(len(ydata(c)) == 0 for c in view.c_curves)
    assert len(ydata(view.input_curve)) == 0
    view.c_check.setChecked(True)
    view.input_check.setChecked(True)
    row = s.gradient_row(7, None)
    assert row.c is not None
    for k, curve in enumerate(view.c_curves):
        np.testing.assert_array_equal(curve.yData, nonzero(row.c[k])[1])
    np.testing.assert_array_equal(view.input_curve.yData, nonzero(row.inputs)[1])
    ref = engine_norms(s, None)
    np.testing.assert_allclose(view.input_curve.yData, ref.inputs[7, :8], rtol=1e-5)
    names = [label.text for _, label in view.legend.items]
    assert "c_s, layer 2 (dashed)" in names and "e_s, input (dotted)" in names
    gru = make_session("gru")
    assert not make_view(qtbot, gru).c_check.isEnabled()


def test_matrix_is_log10_of_ready_rows(qtbot) -> None:  # type: ignore[no-untyped-def]
    s = make_session("lstm")
    view = make_view(qtbot, s)
    assert s.trace is not None
    store = s.store(None)
    assert store.ready.sum() == 1  # only the cursor's row, computed for the curves
    image = view.matrix_image.image
    assert image.shape == (s.length, s.length) and image.dtype == np.float32
    assert np.isnan(image[1:]).all()
    np.testing.assert_array_equal(image[0, :1], np.log10(store.h[1, 0, :1]))
    with qtbot.waitSignal(s.gradients_changed):
        s.accept_rows(s.trace, None, store.compute(0, 6))
    image = view.matrix_image.image
    ready = store.ready
    assert ready[:6].all() and not ready[6:].any()
    top = store.h[-1]
    with np.errstate(divide="ignore"):
        want = np.where(np.isfinite(top) & (top > 0), np.log10(top), np.nan)
    np.testing.assert_array_equal(image[ready], want[ready])
    assert np.isnan(image[~ready]).all()
    exact = engine_norms(s, None)
    np.testing.assert_allclose(image[:6], np.log10(exact.h[-1, :6]), rtol=1e-4)
    lo, hi = view.matrix_levels
    assert lo <= np.nanmin(image) and np.nanmax(image) <= hi
    s.set_cursor(9)  # a row computed now goes into the image as well
    assert np.isfinite(view.matrix_image.image[9, :10]).all()
    rect = view.row_marker.rect()
    assert (rect.top(), rect.height()) == (8.5, 1.0)


def test_matrix_of_a_truncated_store_and_other_sources(qtbot) -> None:  # type: ignore[no-untyped-def]
    s = make_session("lstm")
    view = make_view(qtbot, s)
    assert s.trace is not None
    s.set_truncate(3)
    store = s.store(3)
    s.accept_rows(s.trace, 3, store.compute(0, s.length))
    image = view.matrix_image.image
    blocks = np.arange(s.length) // 3
    same_block = blocks[:, None] == blocks[None, :]
    causal = np.tril(np.ones((s.length, s.length), bool))
    assert np.isfinite(image[same_block & causal]).all()
    assert np.isnan(image[~(same_block & causal)]).all()  # cut (zero) and future (NaN): blank
    index = view.matrix_box.findData("inputs")
    view.matrix_box.setCurrentIndex(index)
    view.matrix_box.activated.emit(index)
    want = np.log10(store.inputs[same_block & causal])
    np.testing.assert_array_equal(view.matrix_image.image[same_block & causal], want)


def test_description_says_what_is_differentiated(qtbot) -> None:  # type: ignore[no-untyped-def]
    s = make_session("gru")
    view = make_view(qtbot, s)
    s.set_cursor(6)
    assert view.description.text().startswith(
        "d/dh_s of -log p('dog' | the cat ... mat a) at step 7: the loss of the true next word")
    s.end()
    pred = s.prediction()
    text = view.description.text()
    assert f"of the model's own top-1 prediction '{pred.target_word}'" in text
    assert "(no next word in the sentence)" in text
    assert context_text(["a", "b", "c"]) == "a b c"


def test_demo_model(qtbot) -> None:  # type: ignore[no-untyped-def]
    s = Session()
    s.set_model(load(REPO / "resources" / "models" / "demo-lstm.safetensors"))
    s.set_text("the company said it expects a loss for the third quarter")
    view = make_view(qtbot, s)
    exact = engine_norms(s, None)
    for t in (0, 4, 9):
        s.set_cursor(t)
        assert_curves(view, s, exact)
    s.set_truncate(5)
    assert_curves(view, s, engine_norms(s, 5))


def test_long_sentence_curves_follow_the_cursor(qtbot) -> None:  # type: ignore[no-untyped-def]
    s = make_session("rnn_tanh", text=" ".join(WORDS[i % 5] for i in range(400)))
    view = make_view(qtbot, s)
    assert view.matrix_image.autoDownsample
    s.set_truncate(25)
    s.set_cursor(380)
    # a row this far back is not computed on the GUI thread: the view waits for it
    assert not s.store(25).ready[380] and len(ydata(view.curves[0])) == 0
    assert "background" in view.description.text()
    for k in (None, 25):  # as the background jobs deliver them
        s.accept_rows(s.trace, k, s.store(k).compute(380, 381))
    assert_curves(view, s)
    (x0, x1), _ = view.curve_plot.getViewBox().viewRange()
    assert x0 <= 380 <= x1 and x1 - x0 == pytest.approx(VISIBLE_STEPS)
    assert view.shade.getRegion() == pytest.approx((-0.5, 374.5))


def test_a_narrow_view_puts_the_matrix_below_the_curves(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Two or more models side by side leave each view a narrow, tall column: the matrix goes
    below the curves instead of squeezing them to a few pixels, and back when wide; the data
    and the hover read-out do not change."""
    from PySide6 import QtCore

    s = make_session("lstm")
    s.step(+5)
    view = make_view(qtbot, s)
    view.show()
    qtbot.waitExposed(view)
    assert not view.stacked
    image = view.matrix_image.image.copy()
    beside = view.curve_plot.getViewBox().sceneBoundingRect().width()
    view.resize(300, 700)
    qtbot.waitUntil(lambda: view.stacked, timeout=3000)
    qtbot.wait(50)
    curve_box = view.curve_plot.getViewBox().sceneBoundingRect()
    matrix_box = view.matrix_plot.getViewBox().sceneBoundingRect()
    assert matrix_box.top() >= curve_box.bottom()  # below, not beside
    assert curve_box.width() > 180 and curve_box.height() > 100 and matrix_box.height() > 100
    np.testing.assert_array_equal(view.matrix_image.image, image)
    assert_curves(view, s)
    centre = matrix_box.center()
    assert view.hover_text(QtCore.QPointF(centre)) is not None  # still under the mouse
    view.resize(1000, 420)
    qtbot.waitUntil(lambda: not view.stacked, timeout=3000)
    qtbot.wait(50)
    curve_box = view.curve_plot.getViewBox().sceneBoundingRect()
    matrix_box = view.matrix_plot.getViewBox().sceneBoundingRect()
    assert matrix_box.left() >= curve_box.right()  # beside again
    assert curve_box.width() >= 0.9 * beside
