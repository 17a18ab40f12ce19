"""Gradient reaching back: ||d l_t / d h_s|| against s for the loss at the current step, and the
whole T x T matrix of such norms as a log-scaled heatmap."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from rnnviz.engine.factory import has_state_grad
from rnnviz.engine.rwkv import RwkvLM
from rnnviz.session import ModelSession
from rnnviz.session.gradients import DENSE_BUDGET, GradientStore, Row
from rnnviz.session.scale import shared_range
from rnnviz.ui import colormaps as cm
from rnnviz.ui.binding import ModelLinks, SessionView
from rnnviz.ui.heatmap import layer_names, top_layers
from rnnviz.ui.workers import row_ready_or_cheap

VISIBLE_STEPS = 160  # beyond this many tokens the s axis follows the cursor
MAX_DECADES = 16.0  # the log axes show at most this many powers of ten below the largest value
MAX_K = 999
FEW_POINTS = 3
MATRIX_FULL_RES = 300  # longer sentences: the T x T image is downsampled to the screen
RELOAD_MS = 250  # long texts: matrix reloads from background rows at most this often
MIN_PLOT_HEIGHT = 140  # below this the curves and the matrix are unreadable: the pane scrolls
# room the plots' frames take, px (for choosing the matrix beside or below the curves)
AXES_BESIDE = 170  # two left axes and the colour bar in one row
AXIS_WIDTH, AXIS_HEIGHT, LEGEND_ROW = 60, 35, 30
MIN_STACKED = 70  # px a stacked plot needs for its axis captions not to run into each other
MATRIX_PADDING = 0.02  # a margin round the matrix, so the row outline at its edge stays visible


def positive(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keep the points a log axis can show: y finite and > 0 (truncated-out zeros dropped)."""
    keep = np.isfinite(y) & (y > 0)
    return x[keep], y[keep]


def set_curve(curve: pg.PlotDataItem, x: np.ndarray, y: np.ndarray) -> None:
    """Show the positive points of (x, y); dots only for a few points (drawing symbols on every
    step of every curve would cost more than the rest of the update)."""
    x, y = positive(x, y)
    symbol = "o" if 0 < len(y) <= FEW_POINTS else None
    if curve.opts["symbol"] != symbol:
        curve.setSymbol(symbol)
    curve.setData(x, y)


def clear_curve(curve: pg.PlotDataItem) -> None:
    """Empty a curve (no work if it is empty already)."""
    if curve.yData is not None and len(curve.yData):
        curve.setData([], [])


def log10_masked(m: np.ndarray) -> np.ndarray:
    """log10 of a norm matrix, C-contiguous float32; zeros and NaN (not computed, s > t,
    truncated) become NaN, which the image shows blank."""
    out = np.full(m.shape, np.nan, np.float32)
    ok = np.isfinite(m) & (m > 0)
    np.log10(m, out=out, where=ok)
    return out


def matrix_levels(logs: np.ndarray, old: tuple[float, float] | None = None
                  ) -> tuple[float, float]:
    """Whole-decade colour levels covering the finite log10 values (and ``old``, if given), at
    most MAX_DECADES deep; (-8, 0) when there is nothing yet."""
    finite = logs[np.isfinite(logs)]
    if not finite.size:
        return old or (-8.0, 0.0)
    hi = math.ceil(float(finite.max()))
    lo = math.floor(float(finite.min()))
    if old is not None:
        lo, hi = min(lo, int(old[0])), max(hi, int(old[1]))
    lo = max(lo, hi - int(MAX_DECADES))
    return float(lo), float(max(hi, lo + 1))


def y_title(paths: list[str]) -> str:
    """The curve plot's y-axis title for the gradients drawn ('h', 'c', 'e'): h alone names
    it; with c or the input the legend tells the lines apart."""
    return "‖d l_t / d h_s‖" if paths == ["h"] else "‖d l_t / d x_s‖"


def legend_columns(width: float) -> int:
    """Legend columns that fit a plot this wide (about 110 px an entry)."""
    return max(1, min(3, int(width // 110)))


def context_text(words: list[str]) -> str:
    """The words read so far, shortened to 'a b ... y z' when long."""
    if len(words) <= 5:
        return " ".join(words)
    return " ".join([*words[:2], "...", *words[-2:]])


def block_start(t: int, k: int | None) -> int:
    """First step that truncated BPTT with K lets the gradient of l_t reach (0 when exact)."""
    return (t // k) * k if k else 0


class GradientView(SessionView):
    """Curves of ``session.gradient_row(t, K)`` on a log axis and the T x T matrix of
    ``session.store(K)``.

    Public for tests: ``curves[layer]`` (h path, xData = s, yData = the nonzero norms),
    ``c_curves[layer]`` (LSTM cell-state path), ``input_curve``, ``ref_curves[layer]`` (exact
    gradient, shown when K is set), ``shade`` (LinearRegionItem over the steps K cuts),
    ``matrix_image`` (log10 of the chosen matrix, row-major (T, T) = [t, s], NaN blank),
    ``row_marker``, ``matrix_box`` (data 'h0', 'h1', 'c0', ..., 'inputs'), ``k_spin``,
    ``c_check``, ``input_check``, ``description``.
    """

    def __init__(self, session: ModelSession, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(session, parent)
        self._rwkv = False  # the model is an RWKV: the second path is its WKV state S
        self.curves: list[pg.PlotDataItem] = []
        self.c_curves: list[pg.PlotDataItem] = []
        self.ref_curves: list[pg.PlotDataItem] = []
        self.matrix_log: np.ndarray = np.full((1, 1), np.nan, np.float32)
        self.matrix_levels: tuple[float, float] = (-8.0, 0.0)
        self._y_span: tuple[float, float] | None = None
        self._x_lo = 0  # first step in view on the curve plot
        self._waiting = False  # the cursor's row is being computed in the background
        self._matrix_note = False  # the matrix plot says why it is empty (a long text)
        self._reload_timer = QtCore.QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(RELOAD_MS)
        self._reload_timer.timeout.connect(self._add_new_rows)
        self._logged: tuple[int, object, np.ndarray] | None = None  # what matrix_log holds
        self.fixed_range: tuple[float, float] | None = None  # shared scale (log10), if on
        self._range_key: tuple[object, ...] = ()
        self._range_value: tuple[float, float] | None = None
        self._build_widgets()
        # every other model's new rows move the shared range too
        self.links = ModelLinks(self, lambda s: [] if s is self.session
                                else [(s.gradients_changed, self._apply_scale)])
        self.subscribe((session.gradients_changed, self._on_gradients_changed),
                       (session.workspace.models_changed, self._link_models))
        self._link_models()

    # ---- construction ---------------------------------------------------------------------
    def _build_widgets(self) -> None:
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(2)
        layout.addLayout(self._build_controls())
        self.description = cm.FittedText(3)  # cut text ends in '…', the whole in the tooltip
        layout.addWidget(self.description)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("w")
        self.graphics.setMinimumHeight(MIN_PLOT_HEIGHT)
        layout.addWidget(self.graphics, 1)
        self.hover_label = cm.FittedText(1)
        layout.addWidget(self.hover_label)
        self._build_curve_plot()
        self._build_matrix_plot()
        self.stacked = False  # the matrix below the curves (a narrow column), else beside
        self.graphics.installEventFilter(self)
        self.graphics.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self._hover_pos: QtCore.QPointF | None = None
        self._idle_hint()

    def _build_controls(self) -> QtWidgets.QVBoxLayout:
        """Title and K on the first row; curve switches and the matrix choice on the second."""
        self.k_spin = QtWidgets.QSpinBox()
        self.k_spin.setRange(0, MAX_K)
        self.k_spin.setSpecialValueText(self.tr("exact"))
        self.k_spin.setPrefix("K = ")
        self.k_spin.setToolTip(self.tr("Truncated BPTT: the gradient flows back only within "
                                       "blocks of K steps (0 = exact, through the whole "
                                       "sentence)"))
        self.k_spin.valueChanged.connect(self._on_k_picked)
        self.c_check = QtWidgets.QCheckBox(self.tr("cell state c"))
        self.c_check.setToolTip(self.tr("Also plot ||d l_t / d c_s||, the LSTM's cell-state "
                                        "path (dashed)"))
        self.c_check.toggled.connect(self._on_curve_options)
        self.input_check = QtWidgets.QCheckBox(self.tr("input"))
        self.input_check.setToolTip(self.tr("Also plot ||d l_t / d e_s|| (dotted), the gradient "
                                            "reaching the word embedding fed at step s: input "
                                            "saliency"))
        self.input_check.toggled.connect(self._on_curve_options)
        self.matrix_box = QtWidgets.QComboBox()
        self.matrix_box.setToolTip(self.tr("Which gradient the T x T matrix shows"))
        self.matrix_box.activated.connect(lambda _i: self._reload_matrix())
        self.scale_box = QtWidgets.QComboBox()
        self.scale_box.addItem(self.tr("auto range"), False)
        self.scale_box.addItem(self.tr("fixed range"), True)
        self.scale_box.setToolTip(self.tr(
            "auto: the y range and the matrix colours follow what is shown; fixed: one log range "
            "over every computed step (of every model), so stepping never rescales"))
        self.scale_box.activated.connect(
            lambda i: self.session.workspace.set_shared_scale(bool(self.scale_box.itemData(i))))
        self.title_label = cm.title_label(self.tr("Gradient reaching back"))
        first = QtWidgets.QHBoxLayout()
        first.addWidget(self.title_label)
        first.addStretch(1)
        first.addWidget(self.scale_box)
        first.addWidget(cm.ShrinkingLabel(self.tr("truncate BPTT")))
        first.addWidget(self.k_spin)
        for box in (self.c_check, self.input_check):  # never cut: the matrix box gives way
            box.setSizePolicy(QtWidgets.QSizePolicy.Policy.Fixed,
                              QtWidgets.QSizePolicy.Policy.Fixed)
        self.matrix_box.setSizeAdjustPolicy(
            QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.matrix_box.setMinimumContentsLength(3)
        second = QtWidgets.QHBoxLayout()
        second.addWidget(cm.ShrinkingLabel(self.tr("also plot")))
        second.addWidget(self.c_check)
        second.addWidget(self.input_check)
        second.addStretch(1)
        second.addWidget(cm.ShrinkingLabel(self.tr("matrix")))
        second.addWidget(self.matrix_box)
        rows = QtWidgets.QVBoxLayout()
        rows.setSpacing(2)
        rows.addLayout(first)
        rows.addLayout(second)
        return rows

    def _build_curve_plot(self) -> None:
        self.s_axis = cm.TokenAxis("bottom")
        self.y_axis = cm.LogAxis("left")
        plot = pg.PlotItem(axisItems={"bottom": self.s_axis, "left": self.y_axis})
        cm.quiet_plot(plot)
        plot.setLogMode(x=False, y=True)
        plot.setLabel("left", "‖d l_t / d h_s‖")
        self.s_axis.set_title(self.tr("s: the step the gradient reaches"),
                              short=self.tr("step s"))
        plot.showGrid(x=False, y=True, alpha=0.3)
        self.legend = pg.LegendItem(labelTextSize="8pt", labelTextColor=(40, 40, 40),
                                    colCount=3, verSpacing=-6)
        self.shade = pg.LinearRegionItem(values=(0, 0), movable=False,
                                         brush=pg.mkBrush(120, 120, 120, 60),
                                         pen=pg.mkPen(None))
        self.shade.setZValue(-10)
        self.shade.hide()
        plot.addItem(self.shade, ignoreBounds=True)
        dashed = pg.mkPen((60, 60, 60), style=QtCore.Qt.PenStyle.DashLine)
        self.step_line = pg.InfiniteLine(angle=90, pen=dashed)
        plot.addItem(self.step_line, ignoreBounds=True)
        self.curve_plot = plot
        self.input_curve = self._curve(pg.mkPen(cm.INPUT_COLOUR, width=1.5,
                                                style=QtCore.Qt.PenStyle.DotLine), cm.INPUT_COLOUR)
        self.graphics.addItem(self.legend, row=0, col=0, colspan=3)  # above, never over, curves
        self.graphics.addItem(plot, row=1, col=0)
        self.graphics.ci.layout.setColumnStretchFactor(0, 3)

    def _build_matrix_plot(self) -> None:
        self.t_axis = cm.StepAxis("left")
        self.m_axis = cm.StepAxis("bottom")
        plot = pg.PlotItem(axisItems={"left": self.t_axis, "bottom": self.m_axis})
        cm.quiet_plot(plot)
        plot.getViewBox().invertY(True)
        plot.setLabel("left", self.tr("loss at step t"))
        self.m_axis.set_title(self.tr("step s"))
        self.matrix_image = pg.ImageItem(axisOrder="row-major")
        self.matrix_image.setPos(-0.5, -0.5)
        plot.addItem(self.matrix_image)
        self.row_marker = cm.outline((230, 30, 30), 1.5)
        plot.addItem(self.row_marker)
        self.colorbar = pg.ColorBarItem(values=self.matrix_levels, colorMap=cm.magnitude(),
                                        interactive=False, width=12, label=self.tr("log10 norm"))
        self.colorbar.setImageItem(self.matrix_image)
        cm.style_colorbar(self.colorbar)
        self.matrix_plot = plot
        self.graphics.addItem(plot, row=1, col=1)
        self.graphics.addItem(self.colorbar, row=1, col=2)
        self.graphics.ci.layout.setColumnStretchFactor(1, 2)

    def _build_curves(self, n_layers: int, lstm: bool) -> None:
        """One h curve, c curve and exact-reference curve per layer (made once per model)."""
        for item in self.curves + self.c_curves + self.ref_curves:
            self.curve_plot.removeItem(item)
        self.curves, self.c_curves, self.ref_curves = [], [], []
        for k in range(n_layers):
            rgb = cm.LAYER_COLOURS[k % len(cm.LAYER_COLOURS)]
            self.curves.append(self._curve(pg.mkPen(rgb, width=2.0), rgb))
            self.c_curves.append(self._curve(pg.mkPen(rgb, width=1.5,
                                                      style=QtCore.Qt.PenStyle.DashLine), rgb))
            self.ref_curves.append(self._curve(pg.mkPen((*rgb, 70), width=4.0), (*rgb, 70)))
            self.ref_curves[-1].setZValue(-1)
        self.c_check.setEnabled(lstm)
        self.c_check.setVisible(lstm)  # no cell state to offer (not a greyed-out tick)
        if not lstm and self.c_check.isChecked():
            self.c_check.blockSignals(True)
            self.c_check.setChecked(False)
            self.c_check.blockSignals(False)
        self.matrix_box.clear()
        names = self._layer_names(n_layers)
        tops = top_layers(names)
        for k in reversed(range(n_layers)):
            self.matrix_box.addItem((self.tr("h, {0} (top)") if k in tops
                                     else self.tr("h, {0}")).format(names[k]), f"h{k}")
        if lstm:
            for k in reversed(range(n_layers)):
                self.matrix_box.addItem((self.tr("S, {0}") if self._rwkv else
                                         self.tr("c, {0}")).format(names[k]), f"c{k}")
        self.matrix_box.addItem(self.tr("input embedding"), "inputs")
        self._relabel_legend()

    def _curve(self, pen: object, rgb: tuple[int, ...]) -> pg.PlotDataItem:
        """A line; dots appear only when it has very few points (a lone point has no line)."""
        item = pg.PlotDataItem(pen=pen, symbol=None, symbolSize=5, symbolPen=None,
                               symbolBrush=rgb)
        item.setClipToView(True)  # long texts: only the steps in view are drawn
        self.curve_plot.addItem(item)
        return item

    def _layer_names(self, n_layers: int) -> list[str]:
        """'layer 1', ... or 'layer 1 →', 'layer 1 ←', ... (a bidirectional net's rows)."""
        return layer_names(self.session.engine, n_layers)

    def _relabel_legend(self) -> None:
        """Legend entries for the curves that are switched on."""
        self.legend.clear()
        names = self._layer_names(len(self.curves))
        for k, curve in enumerate(self.curves):
            self.legend.addItem(curve, self.tr("h_s, {0}").format(names[k]))
        if self.c_check.isChecked() and self.c_check.isEnabled():
            for k, curve in enumerate(self.c_curves):
                self.legend.addItem(curve, (self.tr("S_s, {0} (dashed)") if self._rwkv else
                                            self.tr("c_s, {0} (dashed)")).format(names[k]))
        if self.input_check.isChecked():
            self.legend.addItem(self.input_curve, self.tr("e_s, input (dotted)"))
        if self.session.truncate and self.ref_curves:
            self.legend.addItem(self.ref_curves[0], self.tr("exact (no truncation)"))
        self.curve_plot.setLabel("left", y_title(self.shown_paths()))

    def shown_paths(self) -> list[str]:
        """Which gradients the curves show: 'h', and 'c' / 'e' when switched on."""
        paths = ["h"]
        if self.c_check.isChecked() and self.c_check.isEnabled():
            paths.append("c")
        if self.input_check.isChecked():
            paths.append("e")
        return paths

    # ---- session events --------------------------------------------------------------------
    def _on_model_changed(self) -> None:
        engine = self.session.engine
        n_layers = engine.num_layers if engine is not None else 0
        lstm = bool(engine is not None and has_state_grad(engine))  # LSTM c, or RWKV's state
        self._rwkv = isinstance(engine, RwkvLM)
        self._fit_c_text()
        if len(self.curves) != n_layers or self.c_check.isEnabled() != lstm:
            self._build_curves(n_layers, lstm)
        self._sync_k()
        self._clear()

    def _clear(self) -> None:
        for item in [*self.curves, *self.c_curves, *self.ref_curves, self.input_curve]:
            clear_curve(item)
        self.matrix_image.clear()
        self.shade.hide()
        self.description.setText("")

    def _on_trace_changed(self) -> None:
        trace = self.session.trace
        if trace is None:
            return
        tokens = [cm.visible(tok.text) for tok in trace.tokens]
        self.s_axis.set_tokens(tokens)
        cm.set_reading_direction([self.curve_plot, self.matrix_plot], self.session.backward)
        self.k_spin.setMaximum(max(1, min(MAX_K, trace.length)))
        self._y_span = None
        n = trace.length
        self.matrix_plot.getViewBox().setRange(xRange=(-0.5, n - 0.5), yRange=(-0.5, n - 0.5),
                                               padding=MATRIX_PADDING)  # the outline shows
        self._x_lo = 0
        self._set_x_range(self.session.cursor, force=True)
        self.matrix_image.setAutoDownsample(n > MATRIX_FULL_RES)
        self._reload_matrix()
        self._on_cursor_changed(self.session.cursor)

    def _on_options_changed(self, name: str) -> None:
        if name == "shared_scale":
            self._sync_scale()
            self._y_span = None
            self._apply_scale()
            self._reload_matrix()
            if self.session.trace is not None:
                self._on_cursor_changed(self.session.cursor)
            return
        if name != "truncate" or self.session.trace is None:
            return
        self._sync_k()
        self._y_span = None
        self._relabel_legend()
        self._reload_matrix()
        self._on_cursor_changed(self.session.cursor)

    # ---- the shared scale -------------------------------------------------------------------
    def _link_models(self) -> None:
        """Listen to every model's rows (they widen the shared range)."""
        self.links.relink(self.session.workspace.models)
        self._apply_scale()

    def _sync_scale(self) -> None:
        index = 1 if self.session.workspace.shared_scale else 0
        if self.scale_box.currentIndex() != index:
            self.scale_box.setCurrentIndex(index)

    def _apply_scale(self, *_: object) -> None:
        """Recompute the shared range; when on, it is the y range and the matrix levels."""
        self._sync_scale()
        self.fixed_range = self._range()
        if self.fixed_range is None:
            return
        if self._y_span != self.fixed_range:
            self._y_span = self.fixed_range
            self.curve_plot.getViewBox().setYRange(*self.fixed_range, padding=0)
        if self.matrix_levels != self.fixed_range:
            self.matrix_levels = self.fixed_range
            self.colorbar.setLevels(self.fixed_range)
            self._set_matrix_image()

    def _range(self) -> tuple[float, float] | None:
        """The shared range, recomputed only when a model's computed rows changed."""
        ws = self.session.workspace
        key: tuple[object, ...] = (ws.shared_scale,)
        for m in ws.models:
            if m.trace is not None and m.engine is not None:
                store = m.store(m.truncate)
                key += (id(store), int(store.ready.sum()), len(store.kept_rows())
                        if not store.dense else -1)
        if key != self._range_key:
            self._range_key, self._range_value = key, shared_range(ws)
        return self._range_value

    def _levels(self, logs: np.ndarray, old: tuple[float, float] | None = None
                ) -> tuple[float, float]:
        self.fixed_range = self._range()
        return self.fixed_range or matrix_levels(logs, old)

    def _on_gradients_changed(self) -> None:
        """Rows arrived: the matrix reloads (at most every RELOAD_MS on long texts); a curve that
        waited for its row is drawn."""
        trace = self.session.trace
        if trace is None:
            return
        self._apply_scale()
        if trace.length <= MATRIX_FULL_RES:
            self._reload_matrix()
        elif not self._reload_timer.isActive():
            self._reload_timer.start()
        if self._waiting:
            self._on_cursor_changed(self.session.cursor)

    def _on_k_picked(self, k: int) -> None:
        if (k or None) != self.session.truncate:
            self.session.set_truncate(k)

    def _sync_k(self) -> None:
        want = self.session.truncate or 0
        if self.k_spin.value() != want:
            self.k_spin.blockSignals(True)
            self.k_spin.setValue(want)
            self.k_spin.blockSignals(False)

    def _on_curve_options(self) -> None:
        self._relabel_legend()
        if self.session.trace is not None:
            self._on_cursor_changed(self.session.cursor)

    # ---- per step --------------------------------------------------------------------------
    def _on_cursor_changed(self, t: int) -> None:
        """Curves of row t (truncated if K is set, plus the exact reference), the shaded cut,
        the marked matrix row; all items updated in place."""
        if self.session.trace is None or not self.curves:
            return
        k_trunc = self.session.truncate
        store = self.session.store(k_trunc)
        was_ready = bool(store.ready[t])
        self._waiting = not (row_ready_or_cheap(self.session, t, k_trunc)
                             and (not k_trunc or row_ready_or_cheap(self.session, t, None)))
        if self._waiting:  # a long text: the row comes from the background, not this thread
            self._show_waiting(t)
            return
        row = self.session.gradient_row(t, k_trunc)
        self._show_row(row)
        self._show_reference(t, k_trunc)
        self._show_cut(t, k_trunc)
        if not was_ready and store.dense and self.session.length <= MATRIX_FULL_RES:
            self._put_matrix_row(store, t)
        n = self.session.length
        self.row_marker.setRect(-0.5, t - 0.5, n, 1.0)
        self.step_line.setValue(t)
        self._set_x_range(t)
        self.description.setText(self.describe(t))
        self._refresh_hover()

    def _show_waiting(self, t: int) -> None:
        """The cursor moved to a row not computed yet: empty curves and say so."""
        for item in [*self.curves, *self.c_curves, *self.ref_curves, self.input_curve]:
            clear_curve(item)
        self.row_marker.setRect(-0.5, t - 0.5, self.session.length, 1.0)
        self.step_line.setValue(t)
        self._set_x_range(t)
        self.description.setText(self.tr("Computing the gradient of step {0} in the background "
                                         "({0} steps back)…").format(t + 1))

    def _show_row(self, row: Row) -> None:
        s = np.arange(len(row.inputs), dtype=np.float64)  # 0..t (0..T-1: bidirectional)
        for k, curve in enumerate(self.curves):
            set_curve(curve, s, row.h[k])
        show_c = self.c_check.isChecked() and row.c is not None
        for k, curve in enumerate(self.c_curves):
            if show_c and row.c is not None:
                set_curve(curve, s, row.c[k])
            else:
                clear_curve(curve)
        if self.input_check.isChecked():
            set_curve(self.input_curve, s, row.inputs)
        else:
            clear_curve(self.input_curve)
        self._fit_y([row.h, row.c if show_c else None,
                     row.inputs if self.input_check.isChecked() else None])

    def _show_reference(self, t: int, k_trunc: int | None) -> None:
        """The exact gradient as a faint curve under the truncated one (only when K is set)."""
        if not k_trunc:
            for curve in self.ref_curves:
                clear_curve(curve)
            return
        exact = self.session.gradient_row(t, None)
        s = np.arange(len(exact.inputs), dtype=np.float64)
        for k, curve in enumerate(self.ref_curves):
            set_curve(curve, s, exact.h[k])
        self._fit_y([exact.h])

    def _show_cut(self, t: int, k_trunc: int | None) -> None:
        start = block_start(t, k_trunc)
        if start > 0:
            self.shade.setRegion((-0.5, start - 0.5))
            self.shade.show()
        else:
            self.shade.hide()

    def _fit_y(self, arrays: list[np.ndarray | None]) -> None:
        """Grow the log y range (never shrink within a trace) to cover the shown norms."""
        vals = [a[np.isfinite(a) & (a > 0)] for a in arrays if a is not None]
        vals = [v for v in vals if v.size]
        self._apply_scale()
        if not vals or self.fixed_range is not None:
            return
        hi = float(math.ceil(max(math.log10(float(v.max())) for v in vals) + 0.05))
        lo = float(math.floor(min(math.log10(float(v.min())) for v in vals) - 0.05))
        lo = max(lo, hi - MAX_DECADES)
        if self._y_span is not None:
            lo, hi = min(lo, self._y_span[0]), max(hi, self._y_span[1])
        if (lo, hi) != self._y_span:
            self._y_span = (lo, hi)
            self.curve_plot.getViewBox().setYRange(lo, hi, padding=0)

    def _set_x_range(self, t: int, force: bool = False) -> None:
        n = self.session.length
        lo = cm.follow(self._x_lo, t, n, VISIBLE_STEPS)
        if force or lo != self._x_lo:
            self._x_lo = lo
            hi = min(n, lo + VISIBLE_STEPS)
            self.curve_plot.getViewBox().setXRange(lo - 0.5, hi - 0.5, padding=0)

    # ---- the T x T matrix --------------------------------------------------------------------
    def _matrix_source(self, store: GradientStore) -> np.ndarray:
        """The (T, T) norm matrix picked in the combo box: rows t, columns s."""
        key = str(self.matrix_box.currentData() or "h0")
        if key == "inputs":
            return store.inputs
        k = min(int(key[1:]), store.h.shape[0] - 1)
        return store.c[k] if key[0] == "c" and store.c is not None else store.h[k]

    def _reload_matrix(self) -> None:
        """Recompute the log10 image and its levels from the store (rows not ready are NaN)."""
        if self.session.trace is None:
            return
        store = self.session.store(self.session.truncate)
        if not store.dense:
            self._matrix_off(store.bytes_needed)
            return
        if self._matrix_note:  # the matrix is back (a shorter text)
            self._matrix_note = False
            self.matrix_plot.setTitle(None)
            self.matrix_image.show()
        self.matrix_log = log10_masked(self._matrix_source(store))
        self._logged = (id(store), self.matrix_box.currentData(), store.ready.copy())
        self.matrix_levels = self._levels(self.matrix_log)
        self.colorbar.setLevels(self.matrix_levels)
        self._set_matrix_image()

    def _add_new_rows(self) -> None:
        """Rows that arrived since the last (re)load go into the image (a full reload when the
        store or the chosen matrix changed): O(new rows), not O(T²), per delivery."""
        store = self.session.store(self.session.truncate) if self.session.trace else None
        logged = self._logged
        if store is None or not store.dense or logged is None or logged[0] != id(store) \
                or logged[1] != self.matrix_box.currentData() \
                or self.matrix_log.shape[0] != len(store.ready):
            self._reload_matrix()
            return
        new = np.flatnonzero(store.ready & ~logged[2])
        if new.size == 0:
            return
        self.matrix_log[new] = log10_masked(self._matrix_source(store)[new])
        logged[2][new] = True
        levels = self._levels(self.matrix_log[new], self.matrix_levels)
        if levels != self.matrix_levels:
            self.matrix_levels = levels
            self.colorbar.setLevels(levels)
        self._set_matrix_image()

    def _matrix_off(self, needed: int) -> None:
        """A text too long for the T x T matrix: say so where it would be."""
        self.matrix_log = np.full((1, 1), np.nan, np.float32)
        self._matrix_note = True
        self.matrix_image.hide()
        self.matrix_plot.setTitle(self.tr("no T x T matrix: it would need {0} GB (budget {1} "
                                          "MB)").format(f"{needed / 2**30:.1f}",
                                                        f"{DENSE_BUDGET / 2**20:.0f}"),
                                  size="8pt",
                                  color=cm.LABEL_COLOUR)

    def _put_matrix_row(self, store: GradientStore, t: int) -> None:
        """A row the view just had computed goes into the image without a full reload; the
        colour levels widen if it falls outside them."""
        self.matrix_log[t] = log10_masked(self._matrix_source(store)[t])
        levels = self._levels(self.matrix_log[t], self.matrix_levels)
        if levels != self.matrix_levels:
            self.matrix_levels = levels
            self.colorbar.setLevels(levels)
        self._set_matrix_image()

    def _set_matrix_image(self) -> None:
        self.matrix_image.setImage(self.matrix_log, autoLevels=False, levels=self.matrix_levels)

    # ---- text ------------------------------------------------------------------------------
    def describe(self, t: int) -> str:
        """What exactly is differentiated at step t (and what truncation cuts)."""
        trace = self.session.trace
        assert trace is not None
        assert self.session.model is not None
        read = [cm.visible(tok.text) for tok in trace.tokens[: t + 1]]
        backward = self.session.backward  # p(w_i-1 | w_i .. w_T): the context in text order
        context = context_text(read[::-1] if backward else read)
        word = cm.quote(cm.visible(self.session.output_names()[int(trace.targets[t])]))
        if self.session.classifier:
            text = self.tr("d/dh_s of -log p({0} | {1}) at step {2}: the gradient of the "
                           "decision at the cursor, the class {0} the model picks if the text "
                           "ends here") if not trace.is_choice(t) else \
                self.tr("d/dh_s of -log p({0} | {1}) at step {2}: the loss of the traced class "
                        "{0} if the text ends here")
        elif trace.target_is_prediction[t] and backward:
            text = self.tr("d/dh_s of -log p({0} | {1}) at step {2}: of the model's own top-1 "
                           "prediction {0} (no previous word in the sentence)")
        elif backward:
            text = self.tr("d/dh_s of -log p({0} | {1}) at step {2}: the loss of the true "
                           "previous word {0} (the model reads right to left)")
        elif trace.target_is_prediction[t]:
            text = self.tr("d/dh_s of -log p({0} | {1}) at step {2}: of the model's own top-1 "
                           "prediction {0} (no next word in the sentence)")
        else:
            text = self.tr("d/dh_s of -log p({0} | {1}) at step {2}: the loss of the true next "
                           "word {0}")
        text = text.format(word, context, t + 1)
        k_trunc = self.session.truncate
        if k_trunc:
            start = block_start(t, k_trunc)
            cut = self.tr("steps before {0} are cut (shaded)").format(start + 1) if start \
                else self.tr("nothing is cut yet")
            text += self.tr(".  Truncated BPTT, K = {0}: {1}; faint: the exact gradient").format(
                k_trunc, cut)
        return text

    def _fit_c_text(self) -> None:
        """'cell state c' ('WKV state S'), or just 'c' ('S') where the controls' row is too
        narrow for the whole words (the tooltip says what it is)."""
        full = self.tr("WKV state S") if self._rwkv else self.tr("cell state c")
        short = "S" if self._rwkv else "c"
        box = self.c_check
        extra = self.fontMetrics().horizontalAdvance(full) - \
            self.fontMetrics().horizontalAdvance(box.text())
        row = sum(w.sizeHint().width() for w in (box, self.input_check, self.matrix_box)) + 40
        box.setText(full if self.width() <= 0 or row + extra <= self.width() else short)

    def eventFilter(self, obj: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if isinstance(event, QtGui.QResizeEvent) and obj is self.graphics:
            self._arrange(event.size().width(), event.size().height())
        return super().eventFilter(obj, event)

    def _arrange(self, width: int, height: int) -> None:
        """The matrix beside the curves, or below them where that leaves the smaller side of
        the plots more room (a narrow column: several models side by side)."""
        beside = min((width - AXES_BESIDE) * 0.6, height - LEGEND_ROW)
        below = min(width - AXIS_WIDTH, (height - LEGEND_ROW - 2 * AXIS_HEIGHT) / 2)
        stacked = below > beside and below >= MIN_STACKED
        if stacked == self.stacked:
            return
        self.stacked = stacked
        g, lay = self.graphics.ci, self.graphics.ci.layout
        for item in (self.curve_plot, self.matrix_plot, self.colorbar):
            g.removeItem(item)
        if stacked:
            g.addItem(self.curve_plot, row=1, col=0, colspan=2)
            g.addItem(self.matrix_plot, row=2, col=0)
            g.addItem(self.colorbar, row=2, col=1)
            stretch = (1, 0, 0)
        else:
            g.addItem(self.curve_plot, row=1, col=0)
            g.addItem(self.matrix_plot, row=1, col=1)
            g.addItem(self.colorbar, row=1, col=2)
            stretch = (3, 2, 0)
        for col, factor in enumerate(stretch):
            lay.setColumnStretchFactor(col, factor)
        for row, factor in ((1, 1), (2, 1 if stacked else 0)):
            lay.setRowStretchFactor(row, factor)

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_c_text()
        cols = legend_columns(event.size().width() - 20)  # the legend spans the plots
        if cols != self.legend.columnCount:
            self.legend.setColumnCount(cols)

    # ---- hover -----------------------------------------------------------------------------
    def _idle_hint(self) -> None:
        self.hover_label.setText(self.tr("Hover the curves or the matrix for tokens and values."))

    def _on_mouse_moved(self, pos: QtCore.QPointF) -> None:
        self._hover_pos = QtCore.QPointF(pos)
        self._refresh_hover()

    def leaveEvent(self, event: QtCore.QEvent) -> None:
        self._hover_pos = None
        self._idle_hint()
        super().leaveEvent(event)

    def _refresh_hover(self) -> None:
        """Tokens and the norm under the mouse, from the current row and store (never stale)."""
        text = self.hover_text(self._hover_pos) if self._hover_pos is not None else None
        if text is None:
            self._idle_hint()
        else:
            self.hover_label.setText(text)

    def _token(self, i: int) -> str:
        trace = self.session.trace
        assert trace is not None
        return cm.quote(cm.visible(trace.tokens[i].text))

    def hover_text(self, pos: QtCore.QPointF) -> str | None:
        """The read-out for a scene position over the curves or the matrix, or None."""
        trace = self.session.trace
        if trace is None:
            return None
        n, t = trace.length, self.session.cursor
        vb = self.matrix_plot.getViewBox()
        if vb.sceneBoundingRect().contains(pos):
            p = vb.mapSceneToView(pos)
            row, col = round(p.y()), round(p.x())
            if not (0 <= row < n and 0 <= col < n):
                return None
            value = self.matrix_log[row, col] if self.matrix_log.shape == (n, n) else np.nan
            norm = f"{10.0 ** float(value):.3g}" if np.isfinite(value) else "–"
            return self.tr("loss at step {0} ({1}) → step {2} ({3}): norm {4}").format(
                row + 1, self._token(row), col + 1, self._token(col), norm)
        vb = self.curve_plot.getViewBox()
        if vb.sceneBoundingRect().contains(pos):
            s = round(vb.mapSceneToView(pos).x())
            row = self.session.gradient_row(t, self.session.truncate)
            if not 0 <= s < len(row.inputs):
                return None
            values = ", ".join(f"h{k + 1} {float(row.h[k][s]):.3g}" for k in range(len(row.h)))
            return self.tr("step {0} ({1}): {2}").format(s + 1, self._token(s), values)
        return None


def untitled_view(session: ModelSession) -> GradientView:
    """A view for a titled pane (the pane names it)."""
    view = GradientView(session)
    view.title_label.hide()
    return view
