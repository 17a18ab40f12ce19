"""Export what a view shows: a right-click menu on every view with *Save image…* (PNG at 1x or
2x, SVG), *Copy image* and *Export data…* (CSV or NPZ of the plot items' own data: curves,
bars, images, with the tokens of the text), and the whole window as a figure.

The data come from the pyqtgraph items the view draws (``xData``/``yData`` of curves, the bar
item's options, an image item's array), so the file holds exactly what is on screen."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication, QMouseEvent, QPainter, QPixmap
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

IMAGE_FILTER = "PNG image (*.png);;PNG image, 2x (*@2x.png);;SVG drawing (*.svg)"
DATA_FILTER = "CSV table (*.csv);;NumPy archive (*.npz)"


def image_filter() -> str:
    """IMAGE_FILTER in the UI language (the patterns stay as they are)."""
    return QCoreApplication.translate(
        "export", "PNG image (*.png);;PNG image, 2x (*@2x.png);;SVG drawing (*.svg)")


def data_filter() -> str:
    return QCoreApplication.translate("export", "CSV table (*.csv);;NumPy archive (*.npz)")


@dataclass
class Item:
    """One drawn item: kind 'curve' (x, y), 'bars' (y position, width = value) or 'image'."""

    name: str
    kind: str
    arrays: dict[str, np.ndarray]
    labels: list[str] = field(default_factory=list)


def _plot_name(plot: pg.PlotItem, index: int) -> str:
    for side in ("left", "bottom"):
        label = plot.getAxis(side).labelText
        if label:
            return f"plot{index} ({label})"
    return f"plot{index}"


def _plots(view: QWidget) -> Iterator[pg.PlotItem]:
    for gw in view.findChildren(pg.GraphicsView):
        for item in gw.scene().items():
            if isinstance(item, pg.PlotItem) and item.isVisible():
                yield item


def _ticks(plot: pg.PlotItem) -> list[str]:
    """The text labels of the plot's left axis (words of the next-word chart), if set."""
    ticks = getattr(plot.getAxis("left"), "_tickLevels", None)
    if not ticks:
        return []
    return [str(label) for _pos, label in ticks[0]]


def collect(view: QWidget) -> list[Item]:
    """Every curve, bar set and image of the view's visible plots, with their data."""
    out: list[Item] = []
    for p, plot in enumerate(_plots(view)):
        base = _plot_name(plot, p)
        for k, item in enumerate(plot.items):
            name = f"{base} item{k}"
            if isinstance(item, pg.PlotDataItem) and item.xData is not None and len(item.xData):
                label = item.opts.get("name") or ""
                out.append(Item(f"{name} {label}".strip(), "curve",
                                {"x": np.asarray(item.xData), "y": np.asarray(item.yData)}))
            elif isinstance(item, pg.BarGraphItem):
                width = np.asarray(item.opts.get("width"), float).ravel()
                if width.size:
                    y = np.asarray(item.opts.get("y"), float).ravel()
                    out.append(Item(name, "bars", {"position": y, "value": width}, _ticks(plot)))
            elif isinstance(item, pg.ImageItem) and item.image is not None:
                out.append(Item(name, "image", {"image": np.asarray(item.image)}))
    tokens = _tokens(view)
    if tokens:
        out.append(Item("tokens", "labels", {}, tokens))
    return out


def _tokens(view: QWidget) -> list[str]:
    session = getattr(view, "session", None)
    trace = getattr(session, "trace", None)
    return [t.text for t in trace.tokens] if trace is not None else []


def write_csv(items: list[Item], path: Path) -> None:
    """Long format: item, kind, row, col, x, value, label (one line per number)."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["item", "kind", "row", "col", "x", "value", "label"])
        for it in items:
            for row in _rows(it):
                w.writerow([it.name, it.kind, *row])


def _rows(it: Item) -> Iterator[list[Any]]:
    if it.kind == "curve":
        for i, (x, y) in enumerate(zip(it.arrays["x"], it.arrays["y"], strict=True)):
            yield [i, "", float(x), float(y), ""]
    elif it.kind == "bars":
        for i, (y, v) in enumerate(zip(it.arrays["position"], it.arrays["value"], strict=True)):
            label = it.labels[i] if i < len(it.labels) else ""
            yield [i, "", float(y), float(v), label]
    elif it.kind == "image":
        img = it.arrays["image"]
        img2 = img.reshape(img.shape[0], -1) if img.ndim > 1 else img[:, None]
        for (r, c), v in np.ndenumerate(img2):
            yield [r, c, "", float(v), ""]
    else:
        for i, label in enumerate(it.labels):
            yield [i, "", "", "", label]


def write_npz(items: list[Item], path: Path) -> None:
    """One array per item and field (``item/field``), labels as string arrays."""
    arrays: dict[str, np.ndarray] = {}
    for it in items:
        for key, arr in it.arrays.items():
            arrays[f"{it.name}/{key}"] = arr
        if it.labels:
            arrays[f"{it.name}/labels"] = np.asarray(it.labels, dtype=str)
    np.savez(path, **arrays)  # type: ignore[arg-type]


def export_data(view: QWidget, path: str | Path) -> int:
    """Write the view's data to ``path`` (.csv or .npz); returns the number of items."""
    path = Path(path)
    items = collect(view)
    if path.suffix.lower() == ".npz":
        write_npz(items, path)
    else:
        write_csv(items, path)
    return len(items)


def render(widget: QWidget, scale: float = 1.0) -> QPixmap:
    """The widget painted at ``scale`` times its size (2.0: sharp on slides)."""
    size = widget.size() * scale
    pix = QPixmap(QSize(int(size.width()), int(size.height())))
    pix.setDevicePixelRatio(scale)
    pix.fill(Qt.GlobalColor.white)
    widget.render(pix, QPoint(), QRect(QPoint(), widget.size()))
    return pix


def save_image(widget: QWidget, path: str | Path) -> None:
    """PNG (``name@2x.png``: twice the resolution) or SVG by the file's suffix."""
    path = Path(path)
    if path.suffix.lower() == ".svg":
        from PySide6.QtSvg import QSvgGenerator

        gen = QSvgGenerator()
        gen.setFileName(str(path))
        gen.setSize(widget.size())
        gen.setViewBox(QRect(QPoint(), widget.size()))
        gen.setTitle(widget.windowTitle() or "rnnviz")
        painter = QPainter(gen)
        widget.render(painter, QPoint())
        painter.end()
        return
    scale = 2.0 if path.stem.endswith("@2x") else 1.0
    if not render(widget, scale).save(str(path), "PNG"):
        raise OSError(QCoreApplication.translate("export", "cannot write {0}").format(path))


def copy_image(widget: QWidget) -> None:
    QGuiApplication.clipboard().setPixmap(render(widget))


def _ask_save(widget: QWidget, title: str, filters: str) -> tuple[str, str]:
    return QFileDialog.getSaveFileName(widget, title, "", filters)


def _suffix_for(path: str, chosen_filter: str) -> str:
    """Add the chosen filter's suffix when the name has none."""
    if Path(path).suffix:
        return path
    if "2x" in chosen_filter:
        return path + "@2x.png"
    for ext in (".png", ".svg", ".csv", ".npz"):
        if ext[1:] in chosen_filter.lower():
            return path + ext
    return path


def _guarded(widget: QWidget, fn: Any, *args: Any) -> None:
    try:
        fn(*args)
    except (OSError, ValueError) as e:
        QMessageBox.warning(widget, QCoreApplication.translate("export", "Export failed"),
                            " ".join(str(e).split()))


def ask_save_image(widget: QWidget) -> None:
    path, chosen = _ask_save(widget, QCoreApplication.translate("export", "Save image"),
                             image_filter())
    if path:
        _guarded(widget, save_image, widget, _suffix_for(path, chosen))


def ask_export_data(view: QWidget) -> None:
    path, chosen = _ask_save(view, QCoreApplication.translate("export", "Export data"),
                             data_filter())
    if path:
        _guarded(view, export_data, view, _suffix_for(path, chosen))


def menu_for(view: QWidget) -> QMenu:
    menu = QMenu(view)
    menu.addAction(QCoreApplication.translate("export", "Save image…"),
                   lambda: ask_save_image(view))
    menu.addAction(QCoreApplication.translate("export", "Copy image"), lambda: copy_image(view))
    menu.addAction(QCoreApplication.translate("export", "Export data…"),
                   lambda: ask_export_data(view))
    return menu


class _RightClick(QObject):
    """Opens the export menu on a right press inside a plot (before pyqtgraph's own menu)."""

    def __init__(self, view: QWidget) -> None:
        super().__init__(view)
        self.view = view

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.MouseButtonPress
                and isinstance(event, QMouseEvent)
                and event.button() == Qt.MouseButton.RightButton):
            menu_for(self.view).popup(event.globalPosition().toPoint())
            return True
        return False


V = TypeVar("V", bound=QWidget)


def attach(view: V) -> V:
    """Give a view the export menu on right-click, on its plots and around them."""
    catcher = _RightClick(view)
    for gw in view.findChildren(pg.GraphicsView):
        gw.viewport().installEventFilter(catcher)
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    view.customContextMenuRequested.connect(
        lambda pos: menu_for(view).popup(view.mapToGlobal(pos)))
    return view
