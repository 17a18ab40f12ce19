"""The RWKV state view: what an RWKV layer carries from step to step.

RWKV-4: the WKV state a, b, p of each channel, shown as a/b (the decayed average of past values
v that the next step's output mixes in) per channel over the steps. RWKV-7: every head's state
matrix S at the cursor as small multiples, and the decay w of each channel over the steps.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from rnnviz.engine.rwkv import RwkvLM, RwkvState
from rnnviz.session import ModelSession, Workspace
from rnnviz.ui import colormaps as cm
from rnnviz.ui.binding import RefreshWhenShown, link_session
from rnnviz.ui.i18n import QT_TRANSLATE_NOOP

NOTE = QT_TRANSLATE_NOOP(
    "RwkvStatePanel", "The trainer runs this model over a whole window at once (time-parallel); "
    "here it is stepped one token at a time. Both give the same logits (checked to 1e-5 in the "
    "tests).")


def wkv_average(records: list, layer: int) -> np.ndarray:
    """RWKV-4: a / b of every channel after each step, (C, T) float32."""
    rows = []
    for r in records:
        st = r.state
        assert isinstance(st, RwkvState)
        a, b = st.wkv[layer, 0, 0], st.wkv[layer, 0, 1]
        rows.append(a / np.maximum(b, np.float32(1e-30)))
    return np.ascontiguousarray(np.stack(rows, axis=1), dtype=np.float32)


def head_states(record: object, layer: int) -> np.ndarray:
    """RWKV-7: the layer's state matrices after a step, (H, N, N)."""
    st = record.state  # type: ignore[attr-defined]
    assert isinstance(st, RwkvState)
    return np.asarray(st.wkv[layer, 0], np.float32)


def _symmetric(a: np.ndarray) -> tuple[float, float]:
    peak = float(np.nanmax(np.abs(a))) if a.size else 1.0
    peak = peak if np.isfinite(peak) and peak > 0 else 1.0
    return (-peak, peak)


class RwkvStatePanel(RefreshWhenShown, QWidget):
    """Picks an RWKV model of the workspace and a layer; draws its state around the cursor.
    Public for tests: ``images`` (the ImageItems of the data, colour bars aside),
    ``cursor_lines``."""

    title = "RWKV state"
    hint = "RWKV-4: a/b per channel over steps; RWKV-7: each head's S at the cursor and decay w"

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.session: ModelSession | None = None
        self.model_box = QComboBox()
        self.layer = QSpinBox()
        self.layer.setPrefix(self.tr("layer "))
        self.layer.setMinimum(1)
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.glw = pg.GraphicsLayoutWidget()
        self.glw.setBackground("w")
        self.cmap = pg.colormap.get("CET-D1")
        self.images: list[pg.ImageItem] = []
        self.cursor_lines: list[pg.InfiniteLine] = []
        top = QHBoxLayout()
        top.addWidget(self.model_box, 1)
        top.addWidget(self.layer)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.info)
        lay.addWidget(self.glw, 1)
        self.model_box.activated.connect(lambda _i: self._pick())
        self.layer.valueChanged.connect(lambda _v: self.refresh())
        link_session(self, [(workspace.models_changed, self._models),
                            (workspace.cursor_changed, self.refresh_later),
                            (workspace.text_changed, self.refresh_later)])
        self._models()

    def _rwkv_sessions(self) -> list[tuple[int, ModelSession]]:
        return [(i, s) for i, s in enumerate(self.workspace.models)
                if isinstance(s.engine, RwkvLM)]

    def _models(self) -> None:
        self.model_box.clear()
        for i, s in self._rwkv_sessions():
            self.model_box.addItem(f"{i + 1}  {s.name}", i)
        self._pick()

    def _pick(self) -> None:
        if self.session is not None:
            self.session.trace_changed.disconnect(self.refresh_later, missing_ok=True)
        idx = self.model_box.currentData()
        models = self.workspace.models
        self.session = models[idx] if idx is not None and idx < len(models) else None
        if self.session is not None:
            self.session.trace_changed.connect(self.refresh_later)
            engine = self.session.engine
            assert isinstance(engine, RwkvLM)
            self.layer.setMaximum(engine.num_layers)
        self.refresh()

    def refresh(self) -> None:
        """Redraw for the chosen model, layer and the cursor (cheap: one layer's arrays)."""
        s = self.session
        if s is None or not isinstance(s.engine, RwkvLM):
            if self.glw.ci.items:
                self.glw.clear()
            self.info.setText(self.tr("Open an RWKV-4 or RWKV-7 model to see its recurrent state."))
            return
        self.glw.clear()
        self.images, self.cursor_lines = [], []
        if s.trace is None or s.trace.length == 0:
            self.info.setText(self.tr("Type a text to run the model."))
            return
        layer, t = self.layer.value() - 1, min(s.cursor, s.trace.length - 1)
        if s.engine.v7:
            self._draw_v7(s, layer, t)
        else:
            self._draw_v4(s, layer, t)

    def _image(self, plot: pg.PlotItem, data: np.ndarray, levels: tuple[float, float],
               cmap: pg.ColorMap | None = None, centred: bool = False) -> pg.ImageItem:
        """data (rows, cols) as an image, column x at x (centred: pixel (x, y) centred on it)."""
        img = pg.ImageItem(data.T, levels=levels)  # ImageItem's x is the first axis
        img.setLookupTable((cmap or self.cmap).getLookupTable(nPts=256))
        if centred:
            img.setPos(-0.5, -0.5)
        plot.addItem(img)
        self.images.append(img)
        return img

    def _steps_plot(self, s: ModelSession, row: int, title: str, left: str, t: int,
                    cursor_pen: object) -> pg.PlotItem:
        """A channel x step plot whose x axis is the text's tokens, the cursor's column marked."""
        assert s.trace is not None
        axis = cm.TokenAxis("bottom")
        plot = self.glw.addPlot(row=row, col=0, title=title, axisItems={"bottom": axis})
        cm.quiet_plot(plot)
        axis.set_tokens([cm.visible(tok.text) for tok in s.trace.tokens])
        axis.set_title(self.tr("token, read →"))
        plot.setLabel("left", left)
        line = pg.InfiniteLine(t, angle=90, pen=cursor_pen)
        line.setZValue(10)
        plot.addItem(line)
        self.cursor_lines.append(line)
        return plot

    def _colour_bar(self, img: pg.ImageItem, levels: tuple[float, float], cmap: pg.ColorMap,
                    label: str, row: int) -> None:
        bar = pg.ColorBarItem(values=levels, colorMap=cmap, interactive=False, width=12,
                              label=label)
        bar.setImageItem(img)
        cm.style_colorbar(bar)
        self.glw.addItem(bar, row=row, col=1)

    def _draw_v4(self, s: ModelSession, layer: int, t: int) -> None:
        assert s.trace is not None
        avg = wkv_average(s.trace.records, layer)
        self.info.setText(self.tr("RWKV-4, layer {0}: a/b of each channel after each step, the "
                                  "decayed average of past values v. {1}").format(
                                      layer + 1, self.tr(NOTE)))
        plot = self._steps_plot(s, 0, self.tr("a / b  (channel x step)"), self.tr("channel"), t,
                                pg.mkPen("k", width=1))
        levels = _symmetric(avg)
        img = self._image(plot, avg, levels, centred=True)
        self._colour_bar(img, levels, self.cmap, "a / b", 0)

    def _draw_v7(self, s: ModelSession, layer: int, t: int) -> None:
        assert s.trace is not None
        mats = head_states(s.trace.records[t], layer)
        self.info.setText(self.tr("RWKV-7, layer {0}: each head's state S (value x key) after "
                                  "step {1}; below, the decay w of each channel. {2}").format(
                                      layer + 1, t + 1, self.tr(NOTE)))
        levels = _symmetric(mats)
        cols = int(np.ceil(np.sqrt(len(mats))))
        grid = self.glw.addLayout(row=0, col=0)
        for h, m in enumerate(mats):
            p = grid.addPlot(row=h // cols, col=h % cols, title=self.tr("head {0}").format(h + 1))
            p.hideAxis("left")
            p.hideAxis("bottom")
            p.setAspectLocked(True)
            self._image(p, m, levels)
        self._colour_bar(self.images[0], levels, self.cmap, "S", 0)
        w = s.trace.states("w")[layer].T  # (C, T)
        plot = self._steps_plot(s, 1, self.tr("decay w  (channel x step)"), self.tr("channel"),
                                t, pg.mkPen("w", width=1))
        viridis = pg.colormap.get("viridis")
        img = self._image(plot, np.ascontiguousarray(w), (0.5, 1.0), viridis, centred=True)
        self._colour_bar(img, (0.5, 1.0), viridis, "w", 1)
