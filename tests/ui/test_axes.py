"""Log axes: tick labels never collide, whatever the span and the height (checked on the boxes
pyqtgraph would paint); a one-token sentence draws sanely."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6 import QtCore

from rnnviz.checkpoints.model import LoadedModel
from rnnviz.session import Session
from rnnviz.ui import colormaps as cm
from rnnviz.ui.gradient import GradientView
from tests.ui.overlap import overlaps, tick_label_rects


def log_plot(qtbot: Any, axis: pg.AxisItem, lo: float, hi: float, height: int
             ) -> pg.GraphicsLayoutWidget:
    widget = pg.GraphicsLayoutWidget()
    qtbot.addWidget(widget)
    plot = widget.addPlot(axisItems={"left": axis})
    plot.setLogMode(y=True)
    plot.getViewBox().setYRange(lo, hi, padding=0)
    widget.resize(300, height)
    widget.show()
    qtbot.waitExposed(widget)
    qtbot.wait(30)  # pyqtgraph widens an axis to its labels on the paint after the first
    return widget


SPANS = [(-0.9, -0.02), (-1.0, 0.0), (-2.0, 0.0), (-3.3, 0.4), (-9.0, 0.0), (-16.0, 1.0),
         (0.05, 0.3), (1.7, 2.1)]


@pytest.mark.parametrize("height", [90, 160, 400])
@pytest.mark.parametrize(("lo", "hi"), SPANS)
def test_log_axis_labels_never_overlap(qtbot: Any, lo: float, hi: float, height: int) -> None:
    axis = cm.LogAxis("left")
    widget = log_plot(qtbot, axis, lo, hi, height)
    boxes = tick_label_rects(axis)
    assert len(boxes) >= 2, boxes  # still readable: at least two labels
    assert overlaps(boxes) == []
    widget.close()


def test_the_check_catches_pyqtgraphs_default_log_axis(qtbot: Any) -> None:
    """The same check on pyqtgraph's own log axis over one decade finds the collisions the
    issue reports ('0.9 0.8 0.7 ...'), so the test above can fail."""
    axis = pg.AxisItem("left")
    widget = log_plot(qtbot, axis, -0.9, -0.02, 200)
    assert overlaps(tick_label_rects(axis))
    widget.close()


@pytest.mark.parametrize("seed", range(5))
def test_log_ticks_keep_their_gap(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(200):
        lo = float(rng.uniform(-20, 5))
        hi = lo + float(rng.uniform(0.05, 20))
        px, gap = float(rng.uniform(5, 500)), float(rng.uniform(8, 30))
        ticks = cm.log_ticks(lo, hi, px, gap)
        assert ticks and all(lo - 1e-9 <= v <= hi + 1e-9 for v in ticks)
        steps = np.diff(ticks) * px
        assert (steps >= gap - 1e-6).all()


def test_log_labels() -> None:
    assert [cm.log_label(math.log10(v)) for v in (0.02, 300, 1e-5, 2e-5, 1e5)] == \
        ["0.02", "300", "10⁻⁵", "2·10⁻⁵", "10⁵"]


def test_one_token_sentence(qtbot: Any, demo_model: LoadedModel) -> None:
    session = Session()
    session.set_model(demo_model)
    session.set_text("the")
    view = GradientView(session)
    qtbot.addWidget(view)
    view.resize(700, 500)
    view.show()
    qtbot.waitExposed(view)
    for axis in (view.t_axis, view.m_axis, view.y_axis, view.s_axis):
        assert axis.autoSIPrefixScale == 1.0 and "x0." not in axis.labelString()
    value = float(session.gradient_row(0).h[-1][0])
    lo, hi = view.matrix_levels
    assert lo <= math.log10(value) <= hi  # the one cell is inside the colour scale
    vb = view.matrix_plot.getViewBox()
    marker = view.row_marker.rect()
    (x0, x1), (y0, y1) = vb.viewRange()
    assert x0 < marker.left() and marker.right() < x1 and y0 < marker.top() < marker.bottom() < y1
    assert isinstance(view.row_marker.rect(), QtCore.QRectF)


@pytest.mark.parametrize(("lo", "hi", "size"), [(0, 2, 600), (-0.1, 2.1, 900), (-3, 5, 400),
                                                 (0, 7, 80), (0, 400, 600)])
def test_count_axis_ticks_are_whole_numbers_at_least_34_px_apart(lo: float, hi: float,
                                                                 size: float) -> None:
    """Steps and distances d: no 0.5 tick on a three-word text, round spacing on a long one."""
    levels = cm.CountAxis("bottom").tickValues(lo, hi, size)
    assert len(levels) == 1
    spacing, values = levels[0]
    assert values and all(v == round(v) and lo <= v <= hi for v in values)
    assert min(np.diff(values), default=spacing) * size / (hi - lo) >= 34
    if spacing == 1:
        assert values == [float(v) for v in range(math.ceil(lo), math.floor(hi) + 1)]


def test_step_axis_shows_positions_one_based() -> None:
    axis = cm.StepAxis("bottom")
    spacing, values = axis.tickValues(-0.5, 9.5, 1000)[0]
    assert values == [float(v) for v in range(10)]
    assert axis.tickStrings(values, 1.0, spacing) == [str(v) for v in range(1, 11)]
    spacing, values = axis.tickValues(0, 99, 400)[0]  # 4 px a step: every 10th (34 px)
    assert axis.tickStrings(values, 1.0, spacing)[:3] == ["1", "10", "20"]
