"""Every model's gradient reaching back, overlaid on one log axis: the comparison that shows a
vanilla RNN forgetting and an LSTM or GRU remembering. One colour per model (as in the column
headers); solid = top-layer hidden state h, dashed = LSTM cell state c, dotted = input embedding.
The x axis is the distance d = t - s in each model's own tokens. With "shared scale" on, the
y range is fixed over every computed row of every model, so stepping never rescales the axis."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from rnnviz.engine.factory import has_state_grad
from rnnviz.session import ModelSession, Workspace
from rnnviz.session.gradients import Row
from rnnviz.session.scale import log_range, store_arrays
from rnnviz.ui import colormaps as cm
from rnnviz.ui.binding import ModelLinks, link_session
from rnnviz.ui.columns import model_colour
from rnnviz.ui.heatmap import layer_names
from rnnviz.ui.workers import row_ready_or_cheap

PATHS = ("h", "c", "input")
STYLES = {"h": QtCore.Qt.PenStyle.SolidLine, "c": QtCore.Qt.PenStyle.DashLine,
          "input": QtCore.Qt.PenStyle.DotLine}


def row_paths(row: Row) -> dict[str, np.ndarray]:
    """The top layer's h and c norms and the input norms of one row, each (t+1,) over s."""
    out = {"h": row.h[-1], "input": row.inputs}
    if row.c is not None:
        out["c"] = row.c[-1]
    return out




class CompareGradientView(QtWidgets.QWidget):
    """One log axis, one colour per model; ``curves[(model index, path)]`` are public for tests
    (xData = distance d, yData = norm)."""

    def __init__(self, workspace: Workspace, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.curves: dict[tuple[int, str], pg.PlotDataItem] = {}
        self.fixed_range: tuple[float, float] | None = None
        self._build()
        self.links = ModelLinks(self, lambda s: [(s.gradients_changed, self._rescale),
                                                 (s.trace_changed, self._rescale)])
        self._sessions = self.links.sessions  # the models linked now
        link_session(self, [(workspace.models_changed, self.rebuild),
                            (workspace.cursor_changed, self.redraw),
                            (workspace.text_changed, self._rescale),
                            (workspace.traced_changed, self._rescale),
                            (workspace.options_changed, self._on_option)])
        self.rebuild()

    def _build(self) -> None:
        self.shared = QtWidgets.QCheckBox(self.tr("shared scale"))
        self.shared.setToolTip(self.tr("Fix the log axis over every computed gradient of every "
                                       "model (off: fit the current curves)"))
        self.shared.setChecked(self.workspace.shared_scale)
        self.shared.toggled.connect(self.workspace.set_shared_scale)
        self.c_check = QtWidgets.QCheckBox(self.tr("cell state c"))
        self.c_check.setChecked(True)
        self.c_check.setToolTip(self.tr("Dashed: ||d l_t / d c_s|| of LSTMs, the path the "
                                        "forget gate keeps open"))
        self.input_check = QtWidgets.QCheckBox(self.tr("input"))
        self.input_check.setToolTip(self.tr("Dotted: ||d l_t / d e_s||, the gradient reaching "
                                            "the word embedding fed at step s"))
        for box in (self.c_check, self.input_check):
            box.toggled.connect(self.redraw)
        self.description = cm.FittedText(2)  # never cut mid-line: ends in "…" (tooltip)
        controls = QtWidgets.QHBoxLayout()
        controls.addWidget(QtWidgets.QLabel(self.tr("also plot")))
        controls.addWidget(self.c_check)
        controls.addWidget(self.input_check)
        controls.addStretch(1)
        controls.addWidget(self.shared)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("w")
        self.d_axis = cm.CountAxis("bottom")
        self.plot = pg.PlotItem(axisItems={"left": cm.LogAxis("left"), "bottom": self.d_axis})
        cm.quiet_plot(self.plot)
        self.plot.setLogMode(x=False, y=True)
        self.plot.setLabel("left", self.tr("gradient norm (log)"))
        self.d_axis.set_title(
            self.tr("d: steps back from the current token (own tokens)"),
            self.tr("d = t - s: how many of its own tokens before the current one each model's "
                    "step s is. d < 0: tokens after the current one, which a bidirectional "
                    "net's reverse direction has read"), short=self.tr("d: steps back"))
        self.plot.showGrid(x=False, y=True, alpha=0.3)
        self.legend = pg.LegendItem(labelTextSize="8pt", labelTextColor=(40, 40, 40), colCount=2,
                                    verSpacing=-6)
        self.graphics.addItem(self.legend, row=0, col=0)
        self.graphics.addItem(self.plot, row=1, col=0)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.setSpacing(2)
        lay.addLayout(controls)
        lay.addWidget(self.description)
        lay.addWidget(self.graphics, 1)

    # ---- models -----------------------------------------------------------------------------
    def rebuild(self) -> None:
        """Curves for the current list of models; follow each model's gradient deliveries."""
        for item in self.curves.values():
            self.plot.removeItem(item)
        self.curves = {}
        self.links.relink(self.workspace.models)
        for i in range(len(self._sessions)):
            for path in PATHS:
                pen = pg.mkPen(model_colour(i), width=2.0 if path == "h" else 1.5,
                               style=STYLES[path])
                item = pg.PlotDataItem(pen=pen)
                self.plot.addItem(item)
                self.curves[(i, path)] = item
        self._rescale()

    def _on_option(self, name: str) -> None:
        if name == "shared_scale" and self.shared.isChecked() != self.workspace.shared_scale:
            self.shared.setChecked(self.workspace.shared_scale)
        if name in ("shared_scale", "truncate"):
            self._rescale()

    def _rescale(self, *_: object) -> None:
        """Recompute the fixed range from every computed row, then redraw (when shown: a
        hidden overlay costs nothing per step; it catches up in showEvent)."""
        if not self.isVisible():
            self._stale = True
            return
        self.fixed_range = None
        if self.workspace.shared_scale:
            arrays = [a for s in self._sessions for a in store_arrays(s)]
            self.fixed_range = log_range(arrays)
        self.redraw()

    # ---- drawing ----------------------------------------------------------------------------
    def shown(self, session: ModelSession, path: str) -> bool:
        if path == "c":
            # the LSTM's cell state, or RWKV's WKV state
            return self.c_check.isChecked() and bool(session.engine
                                                     and has_state_grad(session.engine))
        if path == "input":
            return self.input_check.isChecked()
        return True

    def showEvent(self, event: QtGui.QShowEvent) -> None:
        super().showEvent(event)
        if getattr(self, "_stale", False):
            self._stale = False
            self._rescale()

    def redraw(self, *_: object) -> None:
        if not self.isVisible():
            self._stale = True
            return
        drawn: list[np.ndarray] = []
        self.legend.clear()
        max_d, min_d = 1, 0
        for i, s in enumerate(self._sessions):
            ok = s.trace is not None and row_ready_or_cheap(s, s.cursor, s.truncate)
            paths = row_paths(s.gradient_row(s.cursor, s.truncate)) if ok else {}
            for path in PATHS:
                item = self.curves[(i, path)]
                y = paths.get(path)
                if y is None or not self.shown(s, path):
                    item.setData([], [])
                    continue
                # step s -> d = t - s (a bidirectional net's row also reaches later steps:
                # d < 0, steps ahead)
                d = float(s.cursor) - np.arange(len(y), dtype=float)
                keep = np.isfinite(y) & (y > 0)
                # one point (CBOW's h: the current step only) draws no line: mark it
                dot = int(keep.sum()) == 1
                item.setData(d[keep], y[keep], symbol="o" if dot else None, symbolSize=7,
                             symbolPen=None, symbolBrush=model_colour(i))
                drawn.append(y)
                if keep.any():
                    max_d = max(max_d, int(d[keep].max()))
                    min_d = min(min_d, int(d[keep].min()))
                self.legend.addItem(item, f"{s.name}: {self._path_label(s, path)}")
        rng = self.fixed_range or log_range(drawn)
        if rng is not None:
            self.plot.setYRange(*rng, padding=0.05)
        self.plot.setXRange(min_d, max_d, padding=0.02)
        self.description.setText(self.describe())

    def _path_label(self, session: ModelSession, path: str) -> str:
        """'h (layer 2)', 'h (layer 1 ←)' (a bidirectional net's top row), 'input'."""
        if path == "input":
            return self.tr("input")
        engine = session.engine
        top = layer_names(engine, engine.num_layers if engine is not None else 1)[-1]
        return self.tr("{0} ({1})").format(path, top)

    def describe(self) -> str:
        """Which loss each model differentiates at the cursor."""
        parts = []
        for s in self._sessions:
            if s.trace is None or s.model is None:
                continue
            t = s.cursor
            word = cm.quote(cm.visible(s.output_names()[int(s.trace.targets[t])]))
            after = cm.quote(cm.visible(s.trace.tokens[t].text))
            which = (self.tr("the predicted class") if s.classifier and
                     s.trace.target_is_prediction[t] else
                     self.tr("its top guess") if s.trace.target_is_prediction[t] else
                     self.tr("the chosen class") if s.classifier and s.trace.is_choice(t) else
                     self.tr("the chosen word") if s.trace.is_choice(t) else
                     self.tr("the true previous word") if s.backward else
                     self.tr("the true next word"))
            parts.append(self.tr("{0}: −log p({1}) after {2} ({3})").format(
                s.name, word, after, which))
        scale = (self.tr("shared fixed scale") if self.workspace.shared_scale
                 else self.tr("axis fits the curves"))
        return self.tr("Loss differentiated — {0}. {1}.").format("; ".join(parts), scale)
