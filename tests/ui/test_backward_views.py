"""A forward and a backward language model in one window (ELMo's biLM): the backward model's
chips, heatmap columns and gradient axes run right to left, its heatmap column under text
token i holds the engine's h after reading T-1..i, its bars are the engine's probabilities of
the previous word; 'Swap with' on a chip changes the text and every model's bars follow."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from PySide6.QtWidgets import QMenu

from rnnviz.checkpoints.loader import load_model
from rnnviz.checkpoints.model import LoadedModel
from rnnviz.engine.factory import build_engine
from rnnviz.session import Workspace
from rnnviz.ui.columns import ModelColumns
from rnnviz.ui.main_window import MainWindow
from tests.ui.conftest import DEMO, REPO
from tests.ui.test_token_menu import actions

PTB_LSTM = REPO / "resources" / "models" / "ptb-lstm.safetensors"
PTB_BACKWARD = REPO / "resources" / "models" / "ptb-lstm-backward.safetensors"
TEXT = "the dog bit the man"


def backward_model() -> LoadedModel:
    """The bundled backward LM, else ptb-lstm's weights marked backward (same views)."""
    if PTB_BACKWARD.exists():
        return load_model(PTB_BACKWARD)
    m = load_model(PTB_LSTM if PTB_LSTM.exists() else DEMO)
    return dataclasses.replace(m, meta={**m.meta, "direction": "backward",
                                        "name": m.name + "-backward"})


@pytest.fixture(params=[False, True], ids=["forward-lead", "backward-lead"])
def window(request: Any, qtbot: Any, settings: Any) -> Iterator[MainWindow]:
    fwd = load_model(PTB_LSTM if PTB_LSTM.exists() else DEMO)
    bwd = backward_model()
    ws = Workspace()
    ws.text = TEXT
    for m in ((bwd, fwd) if request.param else (fwd, bwd)):
        ws.add_model(m)
    win = MainWindow(ws, settings=settings)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    yield win
    win.shutdown()


def column(window: MainWindow, pane: int, backward: bool) -> Any:
    cols = window.panes[pane].view
    assert isinstance(cols, ModelColumns)
    return next(v for v in cols.views if v.session.backward == backward)  # type: ignore[attr-defined]


def suffix_run(model: LoadedModel, i: int) -> Any:
    """The engine's record after reading text tokens T-1..i (an independent run)."""
    ids = [t.id for t in model.tokenize(TEXT)][i:][::-1]
    return build_engine(model.params).run(ids)[-1]


def test_heatmap_column_under_word_i_is_the_state_after_reading_back_to_it(
        window: MainWindow) -> None:
    heat_b, heat_f = column(window, 0, True), column(window, 0, False)
    assert heat_b.plots[0].getViewBox().xInverted()
    assert not heat_f.plots[0].getViewBox().xInverted()
    s = heat_b.session
    words = TEXT.split()
    for i in range(len(words)):
        window.workspace.set_cursor(i)
        t = s.cursor
        assert t == len(words) - 1 - i
        rec = suffix_run(s.model, i)
        for k, image in enumerate(heat_b.images):
            shown = image.image  # (t+1, H): steps 0..t
            np.testing.assert_allclose(shown[t], rec.h[k], rtol=1e-5, atol=1e-6)
        # step t is drawn left of step t-1 (x inverted): under the same word as the forward
        # model's column i in the other heatmap
        vb = heat_b.plots[0].getViewBox()
        if t > 0:
            assert vb.mapViewToScene(pg_point(t, 0)).x() < vb.mapViewToScene(
                pg_point(t - 1, 0)).x()
        assert heat_f.session.token(heat_f.session.cursor).text == words[i]


def pg_point(x: float, y: float) -> Any:
    from PySide6.QtCore import QPointF
    return QPointF(x, y)


def test_backward_bars_are_the_previous_word_probabilities(window: MainWindow) -> None:
    soft = column(window, 1, True)
    assert soft.title_label.text() == "Previous word"
    s = soft.session
    window.workspace.set_cursor(3)  # "the", read from "man": the previous word is "bit"
    probs = suffix_run(s.model, 3).probs
    np.testing.assert_allclose(soft.bars.opts["width"], np.sort(probs)[::-1][:len(soft.words)],
                               rtol=1e-5)
    assert "previous word 'bit'" in soft.target_label.text()
    grad = window.gradient
    if hasattr(grad, "session") and grad.session.backward:  # a single model's gradient view
        assert grad.curve_plot.getViewBox().xInverted()


def test_chips_of_a_backward_lead_read_in_text_order(window: MainWindow) -> None:
    from rnnviz.ui.traced_word import TracedWordBox
    box = window.findChild(TracedWordBox)
    assert box is not None and box.text() == ("Tracing the loss of the true previous word"
                                              if window.session.backward else
                                              "Tracing the loss of the true next word")
    chips = window.strip.chips
    lefts = [chips.chip_rect(t).left() for t in range(len(chips.tokens))]
    if window.session.backward:
        assert lefts == sorted(lefts, reverse=True)  # step 0 (the last word) at the right
        assert [chips.tokens[t].text for t in np.argsort(lefts)] == TEXT.split()
    else:
        assert lefts == sorted(lefts)
    # a click on the chip of "man" puts the cursor on text position 4 in both models
    t = next(t for t in range(len(chips.tokens)) if chips.tokens[t].text == "man")
    chips.clicked.emit(t)
    assert window.workspace.cursor == 4


def test_swap_with_changes_the_text_and_every_models_bars(window: MainWindow,
                                                          monkeypatch: Any) -> None:
    monkeypatch.setattr(QMenu, "popup", lambda self, *a: None)
    lead = window.session
    t_dog = next(t for t in range(lead.length) if lead.token(t).text == "dog")
    swap = actions(window.strip.token_menu(t_dog))["Swap with"]
    labels = list(actions(swap))
    assert labels == ["1: the", "3: bit", "4: the", "5: man"]  # nearest first, left on a tie
    actions(swap)["5: man"].trigger()
    swapped = "the man bit the dog"
    assert window.workspace.text == swapped
    window.workspace.set_cursor(2)  # "bit"
    for backward in (False, True):
        soft = column(window, 1, backward)
        m = soft.session.model
        ids = [t.id for t in m.tokenize(swapped)]
        run = ids[2:][::-1] if backward else ids[:3]
        probs = build_engine(m.params).run(run)[-1].probs
        np.testing.assert_allclose(soft.bars.opts["width"],
                                   np.sort(probs)[::-1][:len(soft.words)], rtol=1e-5)


def test_every_tab_with_a_backward_model_open(window: MainWindow, qtbot: Any) -> None:
    """Every tab shows with the pair open while the cursor moves; What if runs the backward
    model over the edited text reversed (checked against the engine)."""
    from rnnviz.session.whatif import whatif_of
    from rnnviz.ui.panels import PANELS

    for spec in PANELS:
        window.show_panel(spec.title)
        for i in (0, 2, 4):
            window.workspace.set_cursor(i)
            qtbot.wait(1)
    layer = whatif_of(window.workspace)
    layer.set_edited_text("the dog bit a man")
    bwd = next(i for i, s in enumerate(window.workspace.models) if s.backward)
    run = layer.run(bwd)
    assert run is not None
    m = window.workspace.models[bwd].model
    ids = [t.id for t in m.tokenize("the dog bit a man")][::-1]
    ref = build_engine(m.params).run(ids)
    np.testing.assert_allclose(np.stack([r.h for r in run.edited.records]),
                               np.stack([r.h for r in ref]), rtol=1e-5, atol=1e-6)
    from rnnviz.ui.whatif import WhatIfView
    view = window.findChild(WhatIfView)
    view.refresh()  # its plots run right to left for a backward model, as the others do
    assert view.logp_plot.getViewBox().xInverted() == window.session.backward


def test_a_backward_models_gradient_axes_run_right_to_left(qtbot: Any, settings: Any) -> None:
    """Alone, a backward model's gradient view: s axis and matrix inverted, curves = the
    engine's rows for the reversed text (d l_t / d h_s over its own steps s <= t)."""
    from rnnviz.engine.factory import engine_gradient_rows

    ws = Workspace()
    ws.text = TEXT
    ws.add_model(backward_model())
    win = MainWindow(ws, settings=settings)
    qtbot.addWidget(win)
    win.show()
    try:
        grad = win.gradient
        assert grad.curve_plot.getViewBox().xInverted()
        assert grad.matrix_plot.getViewBox().xInverted()
        ws.set_cursor(1)  # "dog": the backward model's step 3, predicting "the"
        s = win.session
        assert s.cursor == 3 and "previous word" in grad.describe(3)
        ref = engine_gradient_rows(s.engine, s.trace.records, s.trace.targets, 3, 4)
        for k, curve in enumerate(grad.curves):
            np.testing.assert_allclose(curve.yData, ref.h[k, 0, :4], rtol=1e-5)
        # the context reads in text order: p(the | dog bit the man)
        assert "| dog bit the man)" in grad.describe(3)
    finally:
        win.shutdown()


def test_the_comparison_caption_names_each_models_true_word(window: MainWindow) -> None:
    """'Loss differentiated': the forward model's true next word, the backward model's true
    previous word, each quoted."""
    from rnnviz.ui.gradient_compare import CompareGradientView

    window.runners.run_blocking()
    window.workspace.set_cursor(2)  # a position in the text: word 2
    window.runners.run_blocking()
    compare = window.panes[2].view.compare  # type: ignore[attr-defined]
    assert isinstance(compare, CompareGradientView)
    parts = compare.describe().split(" — ", 1)[1].rsplit(". ", 1)[0].split("; ")
    words = TEXT.split()
    for s in window.workspace.models:
        part = next(p for p in parts if p.startswith(s.name + ":"))
        if s.backward:
            assert part.endswith(f"−log p('{words[1]}') after '{words[2]}' "
                                 "(the true previous word)"), part
        else:
            assert part.endswith(f"−log p('{words[3]}') after '{words[2]}' "
                                 "(the true next word)"), part


def test_the_comparison_caption_is_never_cut_in_half(window: MainWindow, qtbot: Any) -> None:
    """A long 'Loss differentiated' caption in a narrow pane keeps whole lines: the last one
    ends in '…' and the tooltip holds it all (a word-wrapped label of fixed height cut the
    second line in half in Japanese)."""
    from rnnviz.ui import colormaps as cm

    window.runners.run_blocking()
    compare = window.panes[2].view.compare  # type: ignore[attr-defined]
    assert isinstance(compare.description, cm.FittedText)
    assert compare.description.height() >= 2 * compare.description.fontMetrics().lineSpacing()
    compare.description.setText(compare.describe() * 3)
    compare.description.resize(300, compare.description.height())
    lines = compare.description.shown_lines()
    assert len(lines) == 2 and lines[-1].endswith("…")
