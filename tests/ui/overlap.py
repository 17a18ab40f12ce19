"""Where an axis paints its tick labels, and which painted text boxes overlap (shared by the
axis and layout tests)."""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6 import QtCore, QtGui


def tick_label_rects(axis: pg.AxisItem) -> list[tuple[str, QtCore.QRectF]]:
    """(text, rect) of every tick label the axis would paint now, in its own coordinates
    (pyqtgraph's own draw specs, as its paint() uses them)."""
    image = QtGui.QImage(16, 16, QtGui.QImage.Format.Format_ARGB32)
    painter = QtGui.QPainter(image)
    try:
        painter.setFont(axis.style.get("tickFont") or axis.font())
        specs = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    if specs is None:
        return []
    return [(text, QtCore.QRectF(rect)) for rect, _flags, text in specs[2]]


def overlaps(boxes: Sequence[tuple[str, QtCore.QRectF]], slack: float = 0.5
             ) -> list[tuple[str, str]]:
    """Pairs of labels whose boxes (shrunk by ``slack`` px on each side) intersect."""
    shrunk = [(t, r.adjusted(slack, slack, -slack, -slack)) for t, r in boxes]
    return [(a, b) for i, (a, ra) in enumerate(shrunk) for b, rb in shrunk[i + 1:]
            if ra.intersects(rb)]
