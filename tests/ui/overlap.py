"""Where an axis paints its tick labels, and which painted text boxes overlap (shared by the
axis and layout tests)."""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets


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


def cut_captions(view: QtWidgets.QGraphicsView) -> list[str]:
    """Axis captions (a bottom or top axis's title) cut at the view's edges or running under
    a plot area or a colour bar of the same view (a caption wider than the room it has)."""
    out = []
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    others = [i for i in view.scene().items()
              if isinstance(i, pg.ViewBox | pg.ColorBarItem) and i.isVisible()]
    for item in view.scene().items():
        if not isinstance(item, pg.AxisItem) or not item.isVisible() or item.label is None:
            continue
        if item.orientation not in ("top", "bottom") or not item.label.isVisible() \
                or not item.labelText.strip():
            continue
        margin = item.label.document().documentMargin()
        text = item.label.sceneBoundingRect().adjusted(margin, margin, -margin, -margin)
        if not shown.adjusted(-1, -1, 1, 1).contains(text):
            out.append(f"{item.labelText!r} at {text} is cut by the view {shown}")
        for other in others:
            if other.isAncestorOf(item):
                continue
            if other.sceneBoundingRect().intersects(text):
                out.append(f"{item.labelText!r} at {text} runs under {type(other).__name__} "
                           f"at {other.sceneBoundingRect()}")
    return out


def escaping_items(view: QtWidgets.QGraphicsView, kind: type) -> list[str]:
    """Visible items of ``kind`` inside a ViewBox that paint (in view pixels) outside that
    ViewBox, e.g. a bar's value label past the plot's right edge."""
    out = []
    for item in view.scene().items():
        if not isinstance(item, kind) or not item.isVisible():
            continue
        box = item.parentItem()
        while box is not None and not isinstance(box, pg.ViewBox):
            box = box.parentItem()
        if box is None:
            continue
        painted = item.deviceTransform(view.viewportTransform()).mapRect(item.boundingRect())
        area = view.mapFromScene(box.sceneBoundingRect()).boundingRect()
        if not QtCore.QRectF(area).adjusted(-1, -1, 1, 1).contains(painted):
            text = item.text() if hasattr(item, "text") else type(item).__name__
            out.append(f"{text!r} at {painted} outside {area}")
    return out
