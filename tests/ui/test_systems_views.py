"""The views of CBOW, bidirectional and classifier models in the real window, their data checked
against independent computations: CBOW's column = the numpy mean of the window's embeddings and
its input gradient has exactly N non-zero steps; swapping two words inside CBOW's window leaves
its bars as they were while the RNN's change; a bidirectional net's rows are labelled → / ← and
its gradient curve has the real entries s > t; a classifier's bars are the class probabilities
of the prefix (a unidirectional classifier is its RNN with fc as the decoder, run on the
prefix), its Classes tab draws them for every prefix, and no perplexity is shown for it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from PySide6.QtWidgets import QMenu

from rnnviz.checkpoints.loader import load_model
from rnnviz.checkpoints.model import LoadedModel
from rnnviz.engine.bidir_params import random_bidir
from rnnviz.engine.classifier_params import ClassifierParams
from rnnviz.engine.factory import build_engine, engine_gradient_rows
from rnnviz.engine.network import RNNLM
from rnnviz.engine.params import random_params
from rnnviz.session import Workspace
from rnnviz.ui.class_curves import ClassCurvesView
from rnnviz.ui.columns import ModelColumns
from rnnviz.ui.main_window import MainWindow
from rnnviz.ui.model_panel import describe
from tests.ui.conftest import DEMO, REPO
from tests.ui.test_token_menu import actions

MODELS = REPO / "resources" / "models"
CBOW, RNN = MODELS / "ptb-cbow.safetensors", MODELS / "ptb-rnn.safetensors"


def open_window(qtbot: Any, settings: Any, models: list[LoadedModel], text: str) -> MainWindow:
    ws = Workspace()
    ws.text = text
    for m in models:
        ws.add_model(m)
    win = MainWindow(ws, settings=settings)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    win.runners.run_blocking()
    return win


def view(win: MainWindow, pane: int, index: int) -> Any:
    content = win.panes[pane].view
    return content.views[index] if isinstance(content, ModelColumns) else content


# ---- CBOW beside the RNN ------------------------------------------------------------------------
@pytest.fixture
def cbow_window(qtbot: Any, settings: Any) -> Iterator[MainWindow]:
    if not CBOW.exists():
        pytest.skip("resources/models/ptb-cbow.safetensors is not here")
    win = open_window(qtbot, settings, [load_model(RNN), load_model(CBOW)],
                      "the dog bit the man")
    yield win
    win.shutdown()


def test_cbow_column_is_the_mean_of_its_window(cbow_window: MainWindow) -> None:
    heat = view(cbow_window, 0, 1)
    s = heat.session
    p = s.model.params
    assert [heat.plots[0].getAxis("left").labelText] == ["window mean units"]
    ids = [t.id for t in s.model.tokenize("the dog bit the man")]
    for t in range(len(ids)):
        cbow_window.workspace.set_cursor(t)
        window = ids[max(0, t - p.window + 1): t + 1]
        np.testing.assert_allclose(heat.images[0].image[t], p.embedding[window].mean(axis=0),
                                   rtol=1e-5, atol=1e-6)
    rows = dict(describe(s.model))
    assert f"window of {p.window} words" in rows["Word order"]


def test_cbow_input_gradient_has_exactly_n_steps(qtbot: Any, settings: Any) -> None:
    if not CBOW.exists():
        pytest.skip("resources/models/ptb-cbow.safetensors is not here")
    text = "the company said it expects to report a loss for the third quarter"
    win = open_window(qtbot, settings, [load_model(CBOW)], text)
    try:
        grad = win.gradient
        grad.input_check.setChecked(True)
        n = win.session.model.params.window
        t = len(text.split()) - 2
        win.workspace.set_cursor(t)
        x, y = grad.input_curve.xData, grad.input_curve.yData
        assert list(x) == list(range(t - n + 1, t + 1))  # the N steps of its window, no other
        assert np.all(np.isfinite(y)) and np.all(y > 0)
        lo, hi = grad.curve_plot.getViewBox().viewRange()[1]  # log10 y range: finite
        y_lo, y_hi = float(np.log10(y.min())), float(np.log10(y.max()))
        assert np.isfinite(lo) and np.isfinite(hi) and lo <= y_lo + 1e-6 and y_hi <= hi + 1e-6
    finally:
        win.shutdown()


def test_swap_inside_cbows_window_keeps_its_bars_the_rnns_change(cbow_window: MainWindow,
                                                                  monkeypatch: Any) -> None:
    monkeypatch.setattr(QMenu, "popup", lambda self, *a: None)
    ws = cbow_window.workspace
    rnn_bars, cbow_bars = view(cbow_window, 1, 0), view(cbow_window, 1, 1)
    ws.set_cursor(4)  # after "man": both models predict the next word
    before = [np.array(v.bars.opts["width"]) for v in (rnn_bars, cbow_bars)]
    words = [list(v.words) for v in (rnn_bars, cbow_bars)]
    swap = actions(cbow_window.strip.token_menu(1))["Swap with"]  # "dog" <-> "man"
    actions(swap)["5: man"].trigger()
    assert ws.text == "the man bit the dog"
    ws.set_cursor(4)
    np.testing.assert_allclose(cbow_bars.bars.opts["width"], before[1], rtol=1e-5)
    assert cbow_bars.words == words[1]
    assert not np.allclose(rnn_bars.bars.opts["width"], before[0], rtol=1e-3)
    # and the bars are the engines' probabilities for the swapped text
    for v in (rnn_bars, cbow_bars):
        m = v.session.model
        probs = build_engine(m.params).run([t.id for t in m.tokenize(ws.text)])[-1].probs
        np.testing.assert_allclose(v.bars.opts["width"], np.sort(probs)[::-1][:len(v.words)],
                                   rtol=1e-5)


# ---- a bidirectional language model -------------------------------------------------------------
def random_model(params: Any, vocab_from: LoadedModel, name: str) -> LoadedModel:
    return LoadedModel(params, vocab_from.vocab, "word", "rnnviz", f"{name}.safetensors",
                       {"name": name})


def test_bidirectional_rows_and_gradients_after_the_cursor(qtbot: Any, settings: Any) -> None:
    base = load_model(RNN)
    bi = random_model(random_bidir("lstm", len(base.vocab.tokens), 16, layers=2, seed=3),
                      base, "random-bilstm")
    text = "the dog bit the man"
    win = open_window(qtbot, settings, [bi], text)
    try:
        heat = win.heatmap
        labels = [p.getAxis("left").labelText for p in heat.plots]
        assert labels == ["layer 1 → units", "layer 1 ← units", "layer 2 → units (top)",
                          "layer 2 ← units (top)"]  # both maps of the top layer
        win.workspace.set_cursor(1)
        s = win.session
        assert heat.images[0].image.shape[0] == 5  # every column: ← has read the whole text
        grad = win.gradient
        ref = engine_gradient_rows(s.engine, s.trace.records, s.trace.targets, 1, 2)
        for k, curve in enumerate(grad.curves):
            want = ref.h[k, 0]
            ok = np.isfinite(want) & (want > 0)
            assert list(curve.xData) == list(np.flatnonzero(ok))
            np.testing.assert_allclose(curve.yData, want[ok], rtol=1e-5)
        # s > t: real numbers, drawn (the top → layer is 0 there, the top ← layer before t)
        assert max(grad.curves[3].xData) == 4 and max(grad.curves[0].xData) == 4
        assert max(grad.curves[2].xData) == 1
        # the curves and matrices are named by the rows the heatmap shows
        grad.c_check.setChecked(True)
        legend = [label.text for _, label in grad.legend.items]
        assert legend[:4] == ["h_s, layer 1 →", "h_s, layer 1 ←", "h_s, layer 2 →",
                              "h_s, layer 2 ←"], legend
        assert "c_s, layer 2 ← (dashed)" in legend, legend
        boxes = [grad.matrix_box.itemText(i) for i in range(grad.matrix_box.count())]
        assert boxes[:4] == ["h, layer 2 ← (top)", "h, layer 2 → (top)", "h, layer 1 ←",
                             "h, layer 1 →"], boxes
        for title in ("What if", "Units", "Continue", "Memory", "Why it vanishes"):
            win.show_panel(title)
            win.workspace.set_cursor(2)
            qtbot.wait(1)
        from rnnviz.ui.attribution import UnitAttributionView
        from rnnviz.ui.beam_tree import BeamTreeView
        from rnnviz.ui.whatif import WhatIfView
        for cls in (WhatIfView, UnitAttributionView, BeamTreeView):
            line = win.findChild(cls).status.full_text()
            assert "work on RNN, LSTM and GRU" in line and "bidirectional" in line, line
    finally:
        win.shutdown()


# ---- a classifier -------------------------------------------------------------------------------
def uni_classifier(base: LoadedModel) -> LoadedModel:
    v = len(base.vocab.tokens)
    head = random_params("gru", 3, 12, seed=4)
    net = dataclasses.replace(random_params("gru", v, 12, seed=3), decoder_w=head.decoder_w,
                              decoder_b=head.decoder_b, output_size=3)
    return random_model(ClassifierParams(net, ("neg", "neutral", "pos")), base, "random-clf")


@pytest.fixture
def clf_window(qtbot: Any, settings: Any) -> Iterator[MainWindow]:
    win = open_window(qtbot, settings, [uni_classifier(load_model(RNN))],
                      "the man bit the dog")
    yield win
    win.shutdown()


def test_classifier_bars_are_the_prefix_class_probabilities(clf_window: MainWindow) -> None:
    soft, s = clf_window.softmax, clf_window.session
    net = s.model.params.net
    ids = [t.id for t in s.model.tokenize("the man bit the dog")]
    ref = RNNLM(net).run(ids)  # fc on the top h after each prefix
    for t in range(len(ids)):
        clf_window.workspace.set_cursor(t)
        probs = ref[t].probs
        order = np.argsort(-probs, kind="stable")
        assert soft.words == [("neg", "neutral", "pos")[i] for i in order]
        np.testing.assert_allclose(soft.bars.opts["width"], probs[order], rtol=1e-5)
        footer = soft.target_label.text()
        assert "decision if the text ended here" in footer and "rank" not in footer
        assert f"{probs[order[0]]:.4g}" in footer
    assert soft.title() == "Class"
    assert "perplexity" not in clf_window.status_text()
    assert "decision at the cursor" in clf_window.gradient.describe(s.cursor)
    clf_window.show_panel("Classes")
    cv = clf_window.findChild(ClassCurvesView)
    assert cv is not None
    cv.refresh()
    table = np.stack([r.probs for r in ref])
    assert [p.session for p in cv.plots] == [s]
    for k, curve in enumerate(cv.plots[0].curves):
        np.testing.assert_allclose(curve.yData, table[:, k], rtol=1e-5)


def test_classes_tab_stacks_every_classifier_on_the_text(qtbot: Any) -> None:
    """ptb-order-gru and ptb-order-bigru beside an LM: a plot per classifier, in the
    workspace's order, each line the engine's class probability after every prefix."""
    names = ("ptb-order-gru", "ptb-order-bigru")
    for name in names:
        if not (MODELS / f"{name}.safetensors").exists():
            pytest.skip(f"{name} is not bundled here")
    ws = Workspace()
    ws.text = "the company said it expects quarter the a report loss third for to ."
    ws.add_model(load_model(RNN if RNN.exists() else DEMO))
    for name in names:
        ws.add_model(load_model(MODELS / f"{name}.safetensors"))
    cv = ClassCurvesView(ws)
    qtbot.addWidget(cv)
    cv.resize(900, 600)
    cv.show()
    ws.set_cursor(5)
    assert [p.session.name for p in cv.plots] == list(names)
    for p in cv.plots:
        engine = build_engine(p.session.model.params)
        ids = np.array([[t.id for t in p.session.model.tokenize(ws.text)]])
        logits = engine.prefix_logits(ids)[0].astype(np.float64)  # (T, C), torch-checked
        want = np.exp(logits - logits.max(1, keepdims=True))
        want /= want.sum(1, keepdims=True)
        for k, curve in enumerate(p.curves):
            np.testing.assert_allclose(curve.yData, want[:, k], rtol=1e-4, atol=1e-6)
        assert p.cursor_line.value() == 5
        best = p.session.output_names()[int(want[5].argmax())]
        assert f"{p.session.name}: if the text ended after 'quarter': '{best}'" \
            in cv.info.text()
    ws.remove_model(1)  # the GRU classifier goes: its plot too
    assert [p.session.name for p in cv.plots] == ["ptb-order-bigru"]
    ws.models[0].set_model(load_model(MODELS / "ptb-order-gru.safetensors"))  # into the LM's slot
    assert [p.session.name for p in cv.plots] == ["ptb-order-gru", "ptb-order-bigru"]


def test_tracing_a_class_and_refusing_tabs(clf_window: MainWindow, qtbot: Any) -> None:
    ws, s = clf_window.workspace, clf_window.session
    ws.set_cursor(2)
    ws.set_traced_word("pos")
    t = s.cursor
    assert s.trace.targets[t] == 2 and s.trace.is_choice(t)
    assert np.isclose(s.trace.losses[t], -np.log(s.trace.records[t].probs[2]), rtol=1e-6)
    ws.set_traced_word("dog")  # a word, not a class: nothing traced, and the reason told
    assert "not one of" in s.traced_note
    from rnnviz.ui.traced_word import TracedWordBox
    box = clf_window.findChild(TracedWordBox)
    ws.set_traced_word(None)
    assert box.text() == "Tracing the loss of the predicted class"
    assert box.reset.text() == "predicted class"
    for title in ("What if", "Units", "Continue", "Memory", "Why it vanishes", "Classes"):
        clf_window.show_panel(title)
        ws.set_cursor(3)
        qtbot.wait(1)
    # the tabs that need an RNN language model say so in one line
    from rnnviz.ui.attribution import UnitAttributionView
    from rnnviz.ui.beam_tree import BeamTreeView
    from rnnviz.ui.whatif import WhatIfView
    for cls in (WhatIfView, UnitAttributionView, BeamTreeView):
        panel = clf_window.findChild(cls)
        assert panel is not None
        line = panel.status.full_text()
        assert "work on RNN, LSTM and GRU" in line and "is a classifier" in line, line


@pytest.mark.parametrize("section", ["Real or shuffled? (order classifiers)",
                                     "Word order (CBOW vs RNN)",
                                     "Reading backward (ELMo's biLM)"])
def test_the_new_examples_open_their_models(qtbot: Any, settings: Any, section: str) -> None:
    """Each new example opens its bundled models side by side on its text; the bars of every
    model are its engine's probabilities at the last word (the classifier's: its classes)."""
    from rnnviz.session.examples import load_example_entries

    example = next(e for e in load_example_entries() if e.section == section)
    for name in example.models:
        if not (MODELS / f"{name}.safetensors").exists():
            pytest.skip(f"{name} is not bundled here")
    win = open_window(qtbot, settings, [load_model(RNN)], "the cat")
    try:
        with qtbot.waitSignal(win.examples_opener.finished, timeout=60000) as blocker:
            win.examples_opener.open(example)
        assert blocker.args[0] == []
        ws = win.workspace
        assert [s.name for s in ws.models] == list(example.models) and ws.text == example.text
        ws.end()
        for i, s in enumerate(ws.models):
            bars = view(win, 1, i)
            ids = [t.id for t in s.model.tokenize(example.text)]
            run = ids[::-1][:1] if s.backward else ids  # a backward model at the last word
            probs = build_engine(s.model.params).run(run)[-1].probs
            np.testing.assert_allclose(bars.bars.opts["width"],
                                       np.sort(probs)[::-1][:len(bars.words)], rtol=1e-4)
    finally:
        win.shutdown()


@pytest.mark.parametrize("kind", ["cbow", "bidir", "classifier"])
def test_every_tab_with_each_kind_open(qtbot: Any, settings: Any, kind: str) -> None:
    """Every tab shows and follows the cursor with a CBOW (beside an RNN), a bidirectional or
    a classifier model open: no exception, no Qt warning (pytest-qt fails on either)."""
    from rnnviz.ui.panels import PANELS
    from tests.ui.test_layout_systems import TEXT, models_for

    win = open_window(qtbot, settings, models_for(kind), TEXT)
    try:
        for spec in PANELS:
            win.show_panel(spec.title)
            for i in (0, 4, 11):
                win.workspace.set_cursor(i)
                qtbot.wait(1)
    finally:
        win.shutdown()


def test_overlay_puts_a_bidirectional_rows_later_steps_ahead_of_the_cursor(
        qtbot: Any, settings: Any) -> None:
    """The one-axis overlay draws step s at d = t - s for every model: a one-way RNN's row at
    d = t..0, a bidirectional net's row also at d < 0 (the words after the cursor that its ←
    direction has read), and names the bidirectional curve by its displayed top row."""
    from rnnviz.ui.gradient_compare import CompareGradientView

    base = load_model(RNN if RNN.exists() else DEMO)
    bi = random_model(random_bidir("gru", len(base.vocab.tokens), 12, layers=1, seed=5),
                      base, "random-bigru")
    win = open_window(qtbot, settings, [base, bi], "the dog bit the man and ran")
    try:
        assert win.show_panel("Gradient flow back in time")
        win.workspace.set_cursor(3)
        win.runners.run_blocking()
        compare = win.panes[2].view.compare  # type: ignore[attr-defined]
        assert isinstance(compare, CompareGradientView) and compare.isVisible()
        compare.redraw()
        for i, s in enumerate(win.workspace.models):
            y = s.gradient_row(3).h[-1]  # ||d l_3 / d h_s|| of the top displayed row, s = 0..
            steps = np.flatnonzero(np.isfinite(y) & (y > 0))
            curve = compare.curves[(i, "h")]
            np.testing.assert_array_equal(curve.xData, 3.0 - steps)
            np.testing.assert_array_equal(curve.yData, y[steps])
        bi_x = compare.curves[(1, "h")].xData
        assert bi_x.min() < 0  # the ← row of the top layer reaches the later words
        assert compare.curves[(0, "h")].xData.min() >= 0
        labels = [label.text for _, label in compare.legend.items]
        assert "random-bigru: h (layer 1 ←)" in labels, labels
        assert "d < 0" in compare.plot.getAxis("bottom").toolTip()  # what the left part means
    finally:
        win.shutdown()


def test_overlay_marks_cbows_one_point_curve(cbow_window: MainWindow) -> None:
    """CBOW's h gradient is non-zero at the current step only: one point, which a line alone
    would not draw, so it is marked with a dot; the RNN's curve stays a plain line."""
    from rnnviz.ui.gradient_compare import CompareGradientView

    assert cbow_window.show_panel("Gradient flow back in time")
    cbow_window.workspace.set_cursor(3)
    cbow_window.runners.run_blocking()
    compare = cbow_window.panes[2].view.compare  # type: ignore[attr-defined]
    assert isinstance(compare, CompareGradientView)
    compare.redraw()
    rnn, cbow = compare.curves[(0, "h")], compare.curves[(1, "h")]
    assert list(cbow.xData) == [0.0] and cbow.opts["symbol"] == "o"
    assert len(rnn.xData) == 4 and rnn.opts["symbol"] is None


def test_why_it_vanishes_names_the_models_it_does_not_draw(qtbot: Any, settings: Any) -> None:
    """Beside an RNN, a bidirectional net has no step Jacobians on this tab: the status line
    names it instead of leaving it silently out of the legend."""
    from rnnviz.ui.vanishing_view import VanishingView

    base = load_model(RNN if RNN.exists() else DEMO)
    bi = random_model(random_bidir("gru", len(base.vocab.tokens), 12, layers=1, seed=5),
                      base, "random-bigru")
    win = open_window(qtbot, settings, [base, bi], "the dog bit the man")
    try:
        assert win.show_panel("Why it vanishes")
        view = win.findChild(VanishingView)
        assert view is not None
        view.compute()
        qtbot.waitUntil(lambda: view.job is None, timeout=30000)
        line = view.status.full_text()
        assert "random-bigru" in line and base.name not in line, line
    finally:
        win.shutdown()


def test_unit_inspector_reaches_a_bidirectional_nets_reverse_rows(qtbot: Any,
                                                                  settings: Any) -> None:
    from rnnviz.session.workspace import UnitRef
    from rnnviz.ui.inspector import UnitInspector

    base = load_model(RNN)
    bi = random_model(random_bidir("gru", len(base.vocab.tokens), 8, layers=2, seed=5),
                      base, "random-bigru")
    win = open_window(qtbot, settings, [bi], "the dog bit the man")
    try:
        win.show_panel("Unit inspector")
        view = win.findChild(UnitInspector)
        assert view is not None
        spin = view.layer_spin
        assert (spin.minimum(), spin.maximum()) == (1, 4)  # every row the heatmap shows
        assert [spin.textFromValue(v) for v in range(1, 5)] == ["1 →", "1 ←", "2 →", "2 ←"]
        unit = UnitRef(0, "h", 3, 5)  # layer 2, reverse direction
        win.workspace.set_selected_unit(unit)
        view.refresh()
        assert view.unit_name(unit) == "layer 2 ←, h unit 5"
        _, values = view.unit_values(unit)
        s = win.session
        np.testing.assert_array_equal(values, np.stack([r.h[3, 5] for r in s.trace.records]))
    finally:
        win.shutdown()
