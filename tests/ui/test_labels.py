"""Labels that tell the truth: whitespace made visible, 'character' for char models, colour
legends that follow the kind, read-outs never stale, captions that end in '…' rather than being
cut, a model card with only the figures that exist, and top-k that scrolls."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from PySide6 import QtCore, QtWidgets

from rnnviz.checkpoints.loader import load_model
from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.vocab import Vocab
from rnnviz.engine.params import random_params
from rnnviz.session import Session
from rnnviz.ui import colormaps as cm
from rnnviz.ui.gradient import GradientView
from rnnviz.ui.heatmap import GRU_Z_NOTE, HiddenStateView, pane_hint
from rnnviz.ui.model_panel import ModelPanel, gui_note, history
from rnnviz.ui.sentence_bar import SentenceBar, decode_escapes, encode_escapes, parse_examples
from rnnviz.ui.softmax import SoftmaxView, row_height
from tests.ui.conftest import REPO
from tests.ui.test_heatmap import WORDS, make_session

CHAR_MODEL = REPO / "resources" / "models" / "shakespeare-char-lstm.safetensors"


@pytest.fixture(scope="module")
def char_model() -> LoadedModel:
    return load_model(CHAR_MODEL)


def char_session(model: LoadedModel, text: str = "to be,\nor not") -> Session:
    s = Session()
    s.text = text
    s.set_model(model)
    return s


def shown(qtbot: Any, widget: Any, w: int = 700, h: int = 450) -> Any:
    qtbot.addWidget(widget)
    widget.resize(w, h)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_visible_whitespace() -> None:
    assert cm.visible("a b\nc\td\x01") == "a␣b⏎c⇥d␁"
    assert cm.visible("") == "∅"


def test_escapes_round_trip_and_examples_decode() -> None:
    text = "ROMEO:\nBut \\soft\there"
    assert decode_escapes(encode_escapes(text)) == text
    assert decode_escapes("a\\nb\\\\n\\x") == "a\nb\\n\\x"
    examples = parse_examples("char: ROMEO:\\nBut soft\nthe cat .")
    assert examples.char == ("ROMEO:\nBut soft",) and examples.word == ("the cat .",)


def test_bundled_shakespeare_examples_carry_newlines_not_backslashes(char_model: LoadedModel
                                                                      ) -> None:
    from rnnviz.ui.sentence_bar import load_examples

    chars = load_examples().char
    assert any("\n" in c for c in chars)
    for text in chars:
        ids = [t.text for t in char_model.tokenize(text)]
        assert "\\" not in ids  # '\n' was a backslash chip and an 'n' before


def test_char_box_takes_escapes(qtbot: Any, char_model: LoadedModel) -> None:
    s = char_session(char_model)
    bar = shown(qtbot, SentenceBar(s))
    assert "\\n" in bar.label.text() and bar.edit.text() == "to be,\\nor not"
    bar.edit.setText("ab\\ncd")
    assert bar.apply()
    assert s.text == "ab\ncd"
    assert [t.text for t in s.trace.tokens][2] == "\n"  # type: ignore[union-attr]


def test_char_model_says_character_and_shows_whitespace(qtbot: Any, char_model: LoadedModel
                                                         ) -> None:
    s = char_session(char_model)
    view = shown(qtbot, SoftmaxView(s))
    assert view.title_label.text() == "Next character"
    s.set_cursor(2)  # after 'to ' the next character is 'b'
    assert view.target_label.text().startswith("next character 'b'")
    s.set_cursor(1)  # after 'to' the next character is a space
    assert view.target_label.text().startswith("next character '␣'")
    labels = [w for _, w in view.plot.getAxis("left")._tickLevels[0]]
    if " " in view.words:
        assert labels[view.words.index(" ")] == "␣"
    assert all(label.strip() for label in labels)  # no blank bar labels
    assert "'␣'" in view.subtitle.text() or s.trace.tokens[1].text != " "  # type: ignore[union-attr]


def test_top_k_fifty_gives_every_bar_a_label_row(qtbot: Any) -> None:
    s = make_session("lstm", layers=1)
    s.set_top_k(10)
    p = random_params("lstm", 120, 8, layers=1, seed=1)
    words = (*(f"w{i}" for i in range(118)), "<eos>", "<unk>")
    s.set_model(LoadedModel(p, Vocab(words), "word", "rnnviz", "big.safetensors"))
    s.set_text("w1 w2 w3")
    view = shown(qtbot, SoftmaxView(s), 500, 300)
    s.set_top_k(50)
    qtbot.wait(30)
    assert len(view.words) == 50
    vb = view.plot.getViewBox()
    y0 = vb.mapViewToScene(QtCore.QPointF(0, 0)).y()
    y1 = vb.mapViewToScene(QtCore.QPointF(0, 1)).y()
    font = view.plot.getAxis("left").style.get("tickFont") or view.font()
    assert abs(y1 - y0) >= row_height(font) - 4  # labels are a font height apart: no overlap
    assert view.scroller.verticalScrollBar().maximum() > 0  # the chart scrolls


def test_gate_legend_and_gru_note(qtbot: Any) -> None:
    assert "purple" in pane_hint("z", "gru") and "blue" not in pane_hint("z", "gru")
    assert "−1" in pane_hint("h", "lstm")
    s = make_session("gru")
    view = shown(qtbot, HiddenStateView(s))
    assert view.note.isHidden()
    s.set_state_kind("z")
    assert not view.note.isHidden() and view.note.text() == GRU_Z_NOTE
    assert "purple" in view.colorbar.toolTip()
    s.set_state_kind("h")
    assert view.note.isHidden()


def test_hover_follows_kind_step_and_model(qtbot: Any) -> None:
    s = make_session("lstm", layers=2)
    view = shown(qtbot, HiddenStateView(s))
    s.set_cursor(4)
    vb = view.plots[1].getViewBox()  # layer 2
    view._on_mouse_moved(vb.mapViewToScene(QtCore.QPointF(3.0, 5.0)))
    states = s.trace.states("h")  # type: ignore[union-attr]
    assert f"{float(states[1, 3, 5]):+.4f}" in view.hover_label.text()
    s.set_state_kind("c")
    assert f"{float(s.trace.states('c')[1, 3, 5]):+.4f}" in view.hover_label.text()  # type: ignore[union-attr]
    s.set_cursor(2)  # step 3 is no longer shown: no value for it
    assert "unit 5" not in view.hover_label.text()
    p = random_params("lstm", len(WORDS), 12, layers=1, seed=4)
    s.set_model(LoadedModel(p, Vocab(WORDS), "word", "rnnviz", "one.safetensors"))
    assert "layer 2" not in view.hover_label.text()


def test_follow_the_cursor_and_reset(qtbot: Any) -> None:
    text = " ".join(WORDS[i % 5] for i in range(400))
    s = make_session("gru", hidden=6, layers=1, text=text)
    view = shown(qtbot, HiddenStateView(s))
    view.follow.setChecked(False)
    before = view.plots[0].getViewBox().viewRange()[0]
    s.set_cursor(350)
    assert view.plots[0].getViewBox().viewRange()[0] == pytest.approx(before)
    view.plots[0].getViewBox().setYRange(0, 3, padding=0)
    view.reset_view()
    x0, x1 = view.plots[0].getViewBox().viewRange()[0]
    y0, y1 = view.plots[0].getViewBox().viewRange()[1]
    assert view.follow.isChecked() and x0 < 350 < x1
    assert (y0, y1) == pytest.approx((-0.5, 5.5))


def test_gradient_labels_follow_what_is_drawn(qtbot: Any) -> None:
    s = make_session("gru")
    view = shown(qtbot, GradientView(s), 320, 420)
    assert view.c_check.isHidden()  # no cell state on a GRU: not a greyed-out tick
    assert "h_s" in view.curve_plot.getAxis("left").labelText
    view.input_check.setChecked(True)
    label = view.curve_plot.getAxis("left").labelText
    assert "x_s" in label and "h_s" not in label  # no longer only h: the legend names them
    names = [item.text for _, item in view.legend.items]
    assert any("input" in n for n in names) and not any(n.startswith("c_s") for n in names)
    s.set_truncate(2)
    s.set_cursor(7)
    full = view.describe(7)
    assert view.description.text() == full
    lines = view.description.shown_lines()
    assert len(lines) <= 3
    if view.description.is_elided():  # narrow: ends in '…' and the tooltip holds the whole
        assert lines[-1].endswith("…")


def test_fitted_text_never_cuts_a_line(qtbot: Any) -> None:
    label = shown(qtbot, cm.FittedText(2), 120, 40)
    label.setText("one two three four five six seven eight nine ten eleven twelve")
    label.resize(120, label.height())
    lines = label.shown_lines()
    assert len(lines) == 2 and lines[-1].endswith("…") and label.is_elided()
    metrics = label.fontMetrics()
    assert all(metrics.horizontalAdvance(line) <= 116 for line in lines)


def test_model_card(qtbot: Any, char_model: LoadedModel) -> None:
    panel = shown(qtbot, ModelPanel(char_session(char_model)), 260, 700)
    labels = panel.labels()
    assert "Test ppl" not in labels and "Test loss" not in labels  # 'None' in the file
    assert panel.value("Valid ppl") == f"{float(char_model.meta['valid_ppl']):.4g}"
    rows = history(char_model)
    assert len(rows) == int(char_model.meta["epochs"])
    assert panel.sparkline.values == pytest.approx([r["valid_ppl"] for r in rows])
    assert all(math.isfinite(v) for v in panel.sparkline.values)
    for i in range(panel.form.rowCount()):
        field = panel.form.itemAt(i, panel.form.ItemRole.FieldRole)
        widget = field.widget() if field is not None else None
        full = getattr(widget, "full", None)
        if full is not None and widget.text() != full:  # elided: the tooltip has it all
            assert widget.toolTip() == full and widget.text().count("…") == 1


def test_notes_speak_of_the_window() -> None:
    note = ("no vocabulary given: using the bundled PTB vocabulary in the book's order "
            "(pass --vocab or --vocab-corpus for another)")
    assert "--" not in gui_note(note) and "Choose another vocabulary" in gui_note(note)



def test_matrix_says_why_it_is_off_for_a_text_over_the_budget(qtbot: Any,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    from rnnviz.session.gradients import GradientStore

    monkeypatch.setattr(GradientStore.__init__, "__defaults__", (1000,))  # a 1 kB budget
    s = make_session("lstm")
    view = shown(qtbot, GradientView(s))
    assert not s.store(None).dense
    assert "no T x T matrix" in view.matrix_plot.titleLabel.text
    assert not view.matrix_image.isVisible()
    s.set_cursor(3)  # short rows still come at once
    assert len(view.curves[0].yData) > 0


def test_long_text_matrix_takes_new_rows_incrementally(qtbot: Any) -> None:
    from rnnviz.ui.gradient import log10_masked

    s = make_session("gru", hidden=6, layers=1, text=" ".join(WORDS[i % 5] for i in range(400)))
    view = shown(qtbot, GradientView(s))
    store = s.store(None)
    for a in (0, 50):
        s.accept_rows(s.trace, None, store.compute(a, a + 50))
        qtbot.wait(400)  # the throttled reload
        np.testing.assert_array_equal(view.matrix_log[: a + 50],
                                      log10_masked(store.h[0])[: a + 50])
        assert np.isnan(view.matrix_log[a + 50:]).all()
    view.matrix_box.setCurrentIndex(view.matrix_box.findData("inputs"))
    view.matrix_box.activated.emit(view.matrix_box.currentIndex())
    np.testing.assert_array_equal(view.matrix_log[:100], log10_masked(store.inputs)[:100])


def test_tabs_of_a_short_window_name_the_character_view(qtbot: Any, char_model: LoadedModel
                                                         ) -> None:
    from rnnviz.ui.layout import SplitOrTabs

    a, b = QtWidgets.QLabel("a"), QtWidgets.QLabel("b")
    pair = SplitOrTabs([a, b], ["Next-word prediction", "Gradients"], [1, 1])
    qtbot.addWidget(pair)
    pair.set_title(a, "Next-character prediction")
    pair.set_compact(True)
    assert pair.tabs.tabText(0) == "Next-character prediction"
    pair.set_title(a, "Next-word prediction")
    assert pair.tabs.tabText(0) == "Next-word prediction"
    pair.set_compact(False)
    assert pair.splitter.count() == 2


def test_an_elided_label_too_narrow_for_a_letter_shows_nothing_not_a_lone_ellipsis(
        qtbot: Any) -> None:
    """cm.status_label (e.g. the heatmap's 'all 200 units' beside its controls): a label
    squeezed below one letter and '…' is blank, with the text in its tooltip; wider, it ends
    in '…'; wide enough, it shows the whole text."""
    from rnnviz.ui import colormaps as cm

    label = cm.status_label()
    qtbot.addWidget(label)
    label.setText("all 200 units")
    label.show()
    qtbot.waitExposed(label)
    full = label.fontMetrics().horizontalAdvance("all 200 units")
    for width, shown in ((label.fontMetrics().horizontalAdvance("…") + 2, ""),
                         (full // 2, None), (full + 10, "all 200 units")):
        label.setFixedWidth(width)
        qtbot.wait(5)
        if shown is None:
            assert label.text().endswith("…") and len(label.text()) > 1, label.text()
        else:
            assert label.text() == shown
        assert label.toolTip() == ("" if shown == "all 200 units" else "all 200 units")
