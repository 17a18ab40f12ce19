"""The window at 1024x640, 1366x768 and 1920x1080 (offscreen, as a screenshot would show it):
no two controls overlap, no one-line label is cut, no axis paints a tick label over another,
and every plot keeps a readable size. The checks work on the geometry Qt and pyqtgraph
actually use, so a squeezed layout fails them."""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg
import pytest
from PySide6 import QtCore, QtWidgets

from rnnviz.ui.layout import first_size
from tests.ui.overlap import overlaps, tick_label_rects

SIZES = [(1024, 640), (1366, 768), (1920, 1080)]
LEAVES = (QtWidgets.QLabel, QtWidgets.QAbstractButton, QtWidgets.QAbstractSpinBox,
          QtWidgets.QComboBox, QtWidgets.QLineEdit)
MIN_PLOT = 60  # pixels: a view box smaller than this is a sliver


def visible_leaves(win: QtWidgets.QWidget) -> list[QtWidgets.QWidget]:
    """Visible controls and labels (not inside one another), with a non-empty area."""
    out = []
    for w in win.findChildren(QtWidgets.QWidget):
        if not isinstance(w, LEAVES) or not w.isVisible() or w.width() <= 1:
            continue
        if isinstance(w.parent(), QtWidgets.QAbstractSpinBox | QtWidgets.QComboBox
                      | QtWidgets.QLineEdit):
            continue  # a spin box's own line edit, a line edit's clear button
        if on_screen(w).isEmpty():
            continue  # scrolled out of view
        out.append(w)
    return out


def on_screen(w: QtWidgets.QWidget) -> QtCore.QRectF:
    """The part of w (window coordinates) that its ancestors do not clip away."""
    rect = global_rect(w)
    parent = w.parentWidget()
    while parent is not None:
        rect = rect.intersected(global_rect(parent))
        parent = parent.parentWidget()
    return rect


def global_rect(w: QtWidgets.QWidget) -> QtCore.QRectF:
    top_left = w.mapTo(w.window(), QtCore.QPoint(0, 0))
    return QtCore.QRectF(QtCore.QPointF(top_left), QtCore.QSizeF(w.size()))


def name(w: QtWidgets.QWidget) -> str:
    text = w.text() if hasattr(w, "text") and callable(w.text) else ""
    return f"{type(w).__name__}({str(text)[:30]!r})"


def cut_labels(leaves: list[QtWidgets.QWidget]) -> list[str]:
    """One-line labels and check boxes whose text is wider than the widget (Qt cuts it off)."""
    out = []
    for w in leaves:
        if isinstance(w, QtWidgets.QCheckBox | QtWidgets.QRadioButton) and w.text():
            if w.sizeHint().width() > w.width() + 1:  # indicator, spacing and the whole text
                out.append(f"{name(w)} needs {w.sizeHint().width()}px, has {w.width()}px")
            continue
        if not isinstance(w, QtWidgets.QLabel) or w.wordWrap() or not w.text():
            continue
        if w.textFormat() == QtCore.Qt.TextFormat.RichText or "<" in w.text():
            continue
        need = max(w.fontMetrics().horizontalAdvance(line) for line in w.text().split("\n"))
        if need > w.contentsRect().width() + 1:
            out.append(f"{name(w)} needs {need}px, has {w.contentsRect().width()}px")
    return out


def axes_of(win: QtWidgets.QWidget) -> list[pg.AxisItem]:
    found: list[pg.AxisItem] = []
    for view in win.findChildren(QtWidgets.QGraphicsView):
        if not view.isVisible() or on_screen(view).isEmpty():
            continue
        found += [i for i in view.scene().items()
                  if isinstance(i, pg.AxisItem) and i.isVisible() and i.style["showValues"]]
    return found


@pytest.fixture(params=SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def sized(request: pytest.FixtureRequest, window: Any, qtbot: Any) -> Any:
    window.resize(*request.param)
    qtbot.wait(50)
    window.runners.run_blocking()
    window.session.set_cursor(5)
    qtbot.wait(50)
    assert (window.width(), window.height()) == request.param  # nothing forced it larger
    return window


def test_no_controls_overlap_and_no_label_is_cut(sized: Any) -> None:
    leaves = visible_leaves(sized)
    boxes = [(name(w), global_rect(w)) for w in leaves]
    assert overlaps(boxes, slack=1.0) == []
    assert cut_labels(leaves) == []


def test_no_tick_labels_overlap_and_plots_are_not_slivers(sized: Any) -> None:
    axes = axes_of(sized)
    assert len(axes) >= 6
    for axis in axes:
        assert overlaps(tick_label_rects(axis)) == [], axis.orientation
    for view in sized.findChildren(QtWidgets.QGraphicsView):
        if not view.isVisible() or on_screen(view).isEmpty():
            continue
        legends = [i for i in view.scene().items() if isinstance(i, pg.LegendItem)
                   and i.isVisible()]
        for legend in legends:  # legend entries never run into one another
            boxes = [(label.text, label.sceneBoundingRect()) for _, label in legend.items]
            assert overlaps(boxes) == [], boxes
        for item in view.scene().items():
            if isinstance(item, pg.ViewBox) and item.isVisible() and \
                    not isinstance(item.parentItem(), pg.ColorBarItem):  # bars are narrow
                rect = item.sceneBoundingRect()
                assert rect.height() >= MIN_PLOT and rect.width() >= MIN_PLOT, rect


def test_the_overlap_check_can_fail(qtbot: Any) -> None:
    """Two labels squeezed into a row narrower than their texts overlap or are cut."""
    row = QtWidgets.QWidget()
    qtbot.addWidget(row)
    lay = QtWidgets.QHBoxLayout(row)
    labels = [QtWidgets.QLabel("a rather long label text"), QtWidgets.QLabel("another one")]
    for label in labels:
        label.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored,
                            QtWidgets.QSizePolicy.Policy.Preferred)
        lay.addWidget(label)
    row.resize(80, 30)
    row.show()
    qtbot.waitExposed(row)
    assert cut_labels(labels)


def test_the_cut_check_sees_a_squeezed_check_box(qtbot: Any) -> None:
    box = QtWidgets.QCheckBox("follow the cursor")
    qtbot.addWidget(box)
    box.resize(box.sizeHint().width() - 30, box.sizeHint().height())
    box.show()
    qtbot.waitExposed(box)
    assert cut_labels([box])
    box.resize(box.sizeHint())
    assert cut_labels([box]) == []


@pytest.mark.parametrize(("w", "h"), [(1366, 768), (1024, 640), (3840, 2160)])
def test_first_window_fits_the_available_screen(w: int, h: int) -> None:
    avail = QtCore.QRect(0, 0, w, h - 40)  # minus a task bar
    size = first_size(avail)
    assert size.width() <= avail.width() and size.height() <= avail.height()
    assert size.width() >= min(1400, int(w * 0.9))
