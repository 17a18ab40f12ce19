"""Hidden state: one heatmap per layer, units (y) x time steps seen so far (x)."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from rnnviz.engine.factory import Engine, layer_labels, sees_future
from rnnviz.session import ModelSession
from rnnviz.session.unit_order import unit_order
from rnnviz.session.workspace import UnitRef
from rnnviz.ui import colormaps as cm
from rnnviz.ui.binding import SessionView
from rnnviz.ui.i18n import QT_TRANSLATE_NOOP

SIGMOID_GATES = frozenset({"i", "f", "o", "r", "z"})
TANH_KINDS = frozenset({"g", "n"})
# Cells whose h is not tanh-bounded: relu RNN, and RWKV's block outputs (residual sums).
UNBOUNDED_H = frozenset({"rnn_relu", "rwkv4", "rwkv7", "cbow"})  # CBOW: a mean of embeddings
VISIBLE_UNITS = 128  # units shown at once after a reset when ``fit_units`` is off
X_PADDING = 0.01  # a margin round the columns, so the outline of the first/last one shows
VISIBLE_STEPS = 160  # beyond this many tokens the time axis follows the cursor
CTX = "HiddenStateView"
KIND_NAMES = {"h": QT_TRANSLATE_NOOP("HiddenStateView", "h  hidden state"),
              "c": QT_TRANSLATE_NOOP("HiddenStateView", "c  cell state"),
              "i": QT_TRANSLATE_NOOP("HiddenStateView", "i  input gate"),
              "f": QT_TRANSLATE_NOOP("HiddenStateView", "f  forget gate"),
              "g": QT_TRANSLATE_NOOP("HiddenStateView", "g  candidate"),
              "o": QT_TRANSLATE_NOOP("HiddenStateView", "o  output gate"),
              "r": QT_TRANSLATE_NOOP("HiddenStateView", "r  reset gate"),
              "z": QT_TRANSLATE_NOOP("HiddenStateView", "z  update gate"),
              "n": QT_TRANSLATE_NOOP("HiddenStateView", "n  candidate")}
GRU_Z_NOTE = QT_TRANSLATE_NOOP(
    "HiddenStateView",
    "z follows PyTorch: h' = (1 − z)·n + z·h, so z near 1 (dark) keeps the old state; "
    "the book writes h = (1 − z)·h_prev + z·h_hat, where z is 1 minus this one.")


def _tr(text: str) -> str:
    return QtCore.QCoreApplication.translate(CTX, text)


def kind_name(kind: str) -> str:
    """The shown name of a kind of vector ('h  hidden state'), translated."""
    return _tr(KIND_NAMES[kind]) if kind in KIND_NAMES else kind


def colour_legend(kind: str, cell: str) -> str:
    """What the colours mean for a kind of vector (the pane's hint and the colour bar)."""
    if kind in SIGMOID_GATES:
        return QtCore.QCoreApplication.translate("HiddenStateView",
                "white = 0 (gate closed), purple = 1 (gate open)")
    if kind in TANH_KINDS or (kind == "h" and cell not in UNBOUNDED_H):
        return QtCore.QCoreApplication.translate("HiddenStateView",
                "blue = −1, white = 0, red = +1")
    return QtCore.QCoreApplication.translate("HiddenStateView",
            "blue = negative, white = 0, red = positive (scaled to the largest |value|)")


def pane_hint(kind: str, cell: str) -> str:
    """The hidden-state pane's one-line hint for the shown kind."""
    what = kind_name(kind).split("  ", 1)[-1]
    return QtCore.QCoreApplication.translate("HiddenStateView",
            "What the network holds: each row is one unit of the {0} ({1}), each column a "
               "token read so far ({2}). The outlined column is the current token.").format(
        what, kind, colour_legend(kind, cell))


def units_text(lo: float, hi: float, n_units: int) -> str:
    """'units 0–127 of 200' for a y view range (or 'all 200 units')."""
    first, last = max(0, round(lo + 0.5)), min(n_units - 1, round(hi - 0.5))
    if first <= 0 and last >= n_units - 1:
        return QtCore.QCoreApplication.translate("HiddenStateView", "all {0} units").format(n_units)
    return QtCore.QCoreApplication.translate("HiddenStateView",
            "units {0}–{1} of {2}").format(first, last, n_units)


def top_layers(names: list[str]) -> set[int]:
    """The displayed rows that are the top layer (both maps of a bidirectional top layer);
    none for a one-layer net."""
    pairs = 2 if HiddenStateView._paired(names) else 1
    rows = len(names) // pairs
    return {k for k in range(len(names)) if k // pairs == rows - 1 and rows > 1}


LAYER = QT_TRANSLATE_NOOP("HiddenStateView", "layer {0}")
LAYER_DIRECTION = QT_TRANSLATE_NOOP("HiddenStateView", "layer {0} {1}")  # {1}: → or ←
WINDOW_MEAN = QT_TRANSLATE_NOOP("HiddenStateView", "window mean")


def layer_names(engine: Engine | None, n_layers: int) -> list[str]:
    """The shown name of every displayed layer: 'layer 1', 'layer 1 →' / 'layer 1 ←' for a
    bidirectional net, 'window mean' for CBOW (factory.layer_labels, translated)."""
    raw = list(layer_labels(engine)) if engine is not None else []
    out = []
    for k in range(n_layers):
        label = raw[k] if k < len(raw) else f"layer {k + 1}"
        m = re.fullmatch(r"layer (\d+)(?: ([→←]))?", label)
        if m is None:
            out.append(_tr(label))  # e.g. 'window mean' (translated where the glossary has it)
        elif m.group(2):
            out.append(_tr(LAYER_DIRECTION).format(m.group(1), m.group(2)))
        else:
            out.append(_tr(LAYER).format(m.group(1)))
    return out


def levels_for(kind: str, cell: str, states: np.ndarray) -> tuple[float, float]:
    """Colour levels: [-1, 1] for tanh-bounded values, [0, 1] for sigmoid gates, and
    +-max|value| over the whole sentence (all layers) for c and relu or RWKV h.
    states: (L, T, H)."""
    if kind in SIGMOID_GATES:
        return (0.0, 1.0)
    if kind in TANH_KINDS or (kind == "h" and cell not in UNBOUNDED_H):
        return (-1.0, 1.0)
    peak = float(np.max(np.abs(states))) if states.size else 0.0
    peak = peak if np.isfinite(peak) and peak > 0 else 1.0
    return (-peak, peak)


class HiddenStateView(SessionView):
    """Heatmaps of ``session.trace.states(kind)``; the current step's column is outlined.

    Public for tests: ``images[layer]`` (ImageItem holding states[layer, :t+1], shape
    (t+1, H), x = step, y = unit; over VISIBLE_STEPS tokens only the steps in view),
    ``markers[layer]``, ``plots[layer]``, ``colorbar``, ``levels``, ``kind_box``,
    ``hover_label``, ``subtitle``, ``title_label``.
    """

    def __init__(self, session: ModelSession, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.plots: list[pg.PlotItem] = []
        self.images: list[pg.ImageItem] = []
        self.markers: list[QtWidgets.QGraphicsRectItem] = []
        self.axes: list[cm.TokenAxis] = []
        self.colorbar: pg.ColorBarItem | None = None
        self.levels: tuple[float, float] = (-1.0, 1.0)
        self._states: np.ndarray | None = None  # (L, T, H) of the shown kind
        self._order: np.ndarray | None = None  # (L, H) drawing order of the units, or None
        self._names: list[str] = []  # the layers' shown names (plots rebuilt when they change)
        self._x_lo = 0  # first step in view
        self._hover_pos: QtCore.QPointF | None = None  # last mouse position over the maps
        self._build_widgets()
        self.subscribe((session.workspace.selection_changed, self._on_selection))

    # ---- construction ---------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.kind_box = QtWidgets.QComboBox()
        self.kind_box.setToolTip(self.tr("Which vector to show: the hidden state h, the LSTM cell "
                                         "state c, or a gate's activations"))
        self.kind_box.activated.connect(self._on_kind_picked)
        self.subtitle = cm.status_label()
        self.title_label = cm.title_label(self.tr("Hidden state"))
        top = QtWidgets.QHBoxLayout()
        top.addWidget(self.title_label)
        top.addWidget(self.subtitle, 1)
        top.addWidget(QtWidgets.QLabel(self.tr("show")))
        top.addWidget(self.kind_box)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("w")
        self.graphics.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.graphics.scene().sigMouseClicked.connect(self._on_scene_clicked)
        self.hover_label = cm.FittedText(1)
        self.note = cm.FittedText(2)
        self.note.setText(_tr(GRU_Z_NOTE))
        self.note.set_colour(cm.colour((110, 80, 20)))
        self.note.hide()
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addLayout(self._build_view_row())
        layout.addWidget(self.note)
        layout.addWidget(self.graphics, 1)
        layout.addWidget(self.hover_label)
        self._idle_hint()

    def _build_view_row(self) -> QtWidgets.QHBoxLayout:
        """Which units are in view, 'follow the cursor' and a reset of zoom and scroll."""
        self.units_label = cm.status_label()
        self.follow = QtWidgets.QCheckBox(self.tr("follow"))
        self.follow.setChecked(True)
        self.follow.setToolTip(self.tr("Follow the cursor: keep the current token in view on "
                                       "long texts"))
        self.follow.setSizePolicy(QtWidgets.QSizePolicy.Policy.Fixed,
                                  QtWidgets.QSizePolicy.Policy.Fixed)  # never cut its text
        self.follow.toggled.connect(self._on_follow_toggled)
        self.reset_button = QtWidgets.QToolButton()
        self.reset_button.setText(self.tr("Reset view"))
        self.reset_button.setToolTip(self.tr("Show all units and follow the cursor again "
                                             "(or double-click a map)"))
        self.reset_button.clicked.connect(self.reset_view)
        self.sort_box = QtWidgets.QComboBox()
        for mode, text in (("index", self.tr("by index")), ("value", self.tr("by value here")),
                           ("variance", self.tr("by variance")),
                           ("correlation", self.tr("by r with the selected unit"))):
            self.sort_box.addItem(text, mode)
        self.sort_box.setToolTip(self.tr("The order the units are drawn in (the hover and the "
                                         "inspector still name the true unit)"))
        self.sort_box.activated.connect(
            lambda i: self.session.workspace.set_unit_sort(self.sort_box.itemData(i)))
        self.sort_box.setSizePolicy(QtWidgets.QSizePolicy.Policy.Maximum,
                                    QtWidgets.QSizePolicy.Policy.Fixed)  # room for units_label
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.units_label, 1)
        row.addWidget(self.sort_box)
        row.addWidget(self.follow)
        row.addWidget(self.reset_button)
        return row

    def _idle_hint(self) -> None:
        self.hover_label.setText(self.tr("Hover a cell for its value.  Wheel over a map: zoom "
                                         "the units; drag: scroll them; double-click: reset."))

    def _build_plots(self, n_layers: int) -> None:
        """One PlotItem + ImageItem + column outline per layer, top layer drawn at the top."""
        names = layer_names(self.session.engine, n_layers)
        self.graphics.clear()
        self.plots, self.images, self.markers, self.axes = [], [], [], []
        pairs = 2 if self._paired(names) else 1  # bidirectional: → and ← side by side
        rows = n_layers // pairs
        for k in range(n_layers):
            axis = cm.TokenAxis("bottom")
            left = cm.TitledAxis("left")
            plot = pg.PlotItem(axisItems={"bottom": axis, "left": left})
            cm.quiet_plot(plot)
            plot.getViewBox().invertY(True)
            plot.getViewBox().setMouseEnabled(x=False, y=True)
            top = k in top_layers(names)  # both maps of a bidirectional top row
            left.set_title((self.tr("{0} units (top)") if top
                            else self.tr("{0} units")).format(names[k]))
            image = pg.ImageItem(axisOrder="col-major")
            image.setPos(-0.5, -0.5)  # pixel (t, u) centred on (t, u)
            plot.addItem(image)
            marker = cm.ColumnMarker()
            plot.addItem(marker)
            self.plots.append(plot)
            self.images.append(image)
            self.markers.append(marker)
            self.axes.append(axis)
        for k in range(n_layers):
            row, col = rows - 1 - k // pairs, k % pairs  # the top layer at the top
            self.graphics.addItem(self.plots[k], row=row, col=col)
            if col == 1:  # the same units as the → map at its left: no unit numbers again
                self.plots[k].getAxis("left").setStyle(showValues=False)
            if k != 0:
                if k >= pairs:
                    self.plots[k].getAxis("bottom").setStyle(showValues=False)
                self.plots[k].setXLink(self.plots[0])
                self.plots[k].setYLink(self.plots[0])
        self._set_axis_title()
        self.colorbar = pg.ColorBarItem(values=self.levels, colorMap=cm.diverging(),
                                        interactive=False, width=14)
        self.colorbar.setImageItem(self.images)
        cm.style_colorbar(self.colorbar)
        self.colorbar.axis.enableAutoSIPrefix(False)  # 0.9, not 900 × 0.001 (CBOW, relu)
        self.graphics.addItem(self.colorbar, row=0, col=pairs, rowspan=rows)
        self.plots[0].getViewBox().sigYRangeChanged.connect(self._update_units_label)

    @staticmethod
    def _paired(names: list[str]) -> bool:
        """True for a bidirectional net's layers: (layer k →, layer k ←) pairs."""
        return len(names) % 2 == 0 and len(names) > 0 and all(
            a.endswith("→") and b.endswith("←") for a, b in zip(names[::2], names[1::2],
                                                               strict=True))

    # ---- session events --------------------------------------------------------------------
    def _on_model_changed(self) -> None:
        self.kind_box.clear()
        for kind in self.session.state_kinds():
            self.kind_box.addItem(kind_name(kind), kind)
        self._sync_kind_box()
        engine = self.session.engine
        n_layers = engine.num_layers if engine is not None else 1
        names = layer_names(engine, n_layers)
        if len(self.plots) != n_layers or names != self._names:
            self._names = names
            self._build_plots(n_layers)
        self._states = None
        for image in self.images:
            image.clear()
        self.subtitle.setText("")
        self._refresh_hover()

    def _on_trace_changed(self) -> None:
        trace = self.session.trace
        if trace is None or not self.plots:
            return
        tokens = [cm.visible(tok.text) for tok in trace.tokens]
        for axis in self.axes:
            axis.set_tokens(tokens)
        cm.set_reading_direction(self.plots, self.session.backward)
        self._set_axis_title()
        self._load_kind()
        n_units = self._states.shape[2] if self._states is not None else 1
        vb = self.plots[0].getViewBox()
        vb.setLimits(yMin=-0.5, yMax=n_units - 0.5, minYRange=min(8, n_units))
        self.reset_view()

    def _on_options_changed(self, name: str) -> None:
        if name == "unit_sort" and self.session.trace is not None:
            self._resort()
            return
        if name != "state_kind" or self.session.trace is None:
            return
        self._sync_kind_box()
        self._load_kind()
        self._on_cursor_changed(self.session.cursor)
        self._refresh_hover()

    def reset_view(self) -> None:
        """All units in view, the time window on the cursor, following it."""
        if self._states is None or not self.plots:
            return
        n_units = self._states.shape[2]
        self.plots[0].getViewBox().setYRange(-0.5, n_units - 0.5, padding=0)
        if not self.follow.isChecked():
            self.follow.setChecked(True)  # re-centres through _on_follow_toggled
        self._x_lo = 0
        self._set_x_range(self.session.cursor, force=True)
        self._on_cursor_changed(self.session.cursor)

    def _on_follow_toggled(self, on: bool) -> None:
        if on and self.session.trace is not None:
            self._set_x_range(self.session.cursor, force=True)
            self._on_cursor_changed(self.session.cursor)

    def _on_scene_clicked(self, event: Any) -> None:
        """A double-click resets the view; a click on a cell selects its unit."""
        if event.double():
            self.reset_view()
        else:
            self._on_clicked(event)

    def _update_units_label(self, *_: object) -> None:
        if self._states is None or not self.plots:
            self.units_label.setText("")
            return
        lo, hi = self.plots[0].getViewBox().viewRange()[1]
        self.units_label.setText(units_text(lo, hi, self._states.shape[2]))

    def _on_kind_picked(self, index: int) -> None:
        kind = self.kind_box.itemData(index)
        if kind and kind != self.session.state_kind:
            self.session.set_state_kind(kind)

    def _sync_kind_box(self) -> None:
        index = self.kind_box.findData(self.session.state_kind)
        if index >= 0 and index != self.kind_box.currentIndex():
            self.kind_box.setCurrentIndex(index)

    def _load_kind(self) -> None:
        """Fetch (L, T, H) states of the chosen kind; set levels and the colour map."""
        trace, engine = self.session.trace, self.session.engine
        assert trace is not None and engine is not None
        kind = self.session.state_kind
        self._states = trace.states(kind)
        self.levels = levels_for(kind, engine.params.cell, self._states)
        assert self.colorbar is not None
        cmap = cm.sequential() if kind in SIGMOID_GATES else cm.diverging()
        self.colorbar.setColorMap(cmap)
        self.colorbar.setLevels(self.levels)
        self.colorbar.axis.setLabel(kind, color=cm.LABEL_COLOUR)
        self.colorbar.setToolTip(colour_legend(kind, engine.params.cell))
        self.note.setVisible(kind == "z" and engine.params.cell == "gru")
        self._update_order()
        self._update_units_label()

    def _on_cursor_changed(self, t: int) -> None:
        """Show steps 0..t: a zero-copy (t+1, H) slice per layer, fixed levels."""
        states, trace = self._states, self.session.trace
        if states is None or trace is None:
            return
        n_units = states.shape[2]
        if trace.length > VISIBLE_STEPS and self.follow.isChecked():
            self._set_x_range(t)
        if self.session.workspace.unit_sort == "value":
            self._update_order()
        lo = self._x_lo  # long sentences: only the columns in view go to the image
        order = self._order
        end = self._last_column(t) + 1
        for k, image in enumerate(self.images):
            shown = states[k, lo:end] if order is None else states[k, lo:end][:, order[k]]
            image.setImage(shown, autoLevels=False, levels=self.levels)
            image.setPos(lo - 0.5, -0.5)
            self.markers[k].setRect(t - 0.5, -0.5, 1.0, n_units)
        word = cm.visible(trace.tokens[t].text)
        self.subtitle.setText("  " + self.tr("after {0} (step {1} of {2})").format(
            cm.quote(word), t + 1, trace.length))
        self._refresh_hover()

    def _set_axis_title(self) -> None:
        """The caption under the bottom row: under both maps of a bidirectional pair."""
        pair = len(self.plots) > 1 and self._paired(self._names or [])
        if pair:  # an empty caption: the ← map's axis as tall as the → map's, rows aligned
            self.plots[1].setLabel("bottom", " ")
        self.axes[0].set_title(*self._axis_title(), span=self.axes[1] if pair else None)

    def _axis_title(self) -> tuple[str, str]:
        """How the columns fill: as the model reads, right to left, or all at once (a short
        caption that fits a narrow column, and the whole sentence for its tooltip)."""
        if self.session.backward:
            return (self.tr("token, read ←"),
                    self.tr("token (read right to left: the columns fill in from the end)"))
        if self._last_column(0) > 0:
            return (self.tr("token (← read all)"),
                    self.tr("token (the ← direction has read the whole text)"))
        return (self.tr("token, read →"), self.tr("token (columns fill in as the model reads)"))

    def _last_column(self, t: int) -> int:
        """The last step shown at cursor t: t, or every step for a bidirectional net (its reverse
        layers have read the whole text before the first step is shown)."""
        engine = self.session.engine
        return self.session.length - 1 if engine is not None and sees_future(engine) else t

    def _set_x_range(self, t: int, force: bool = False) -> None:
        """The whole sentence, or a window that follows the cursor for long sentences."""
        n = self.session.length
        lo = cm.follow(self._x_lo, t, n, VISIBLE_STEPS)
        if force or lo != self._x_lo:
            self._x_lo = lo
            hi = min(n, lo + VISIBLE_STEPS)
            self.plots[0].getViewBox().setXRange(lo - 0.5, hi - 0.5, padding=X_PADDING)

    # ---- unit order ------------------------------------------------------------------------
    def _update_order(self) -> None:
        """The drawing order of the units (None: by index)."""
        ws, states = self.session.workspace, self._states
        if self.sort_box.currentData() != ws.unit_sort:
            self.sort_box.setCurrentIndex(self.sort_box.findData(ws.unit_sort))
        if states is None or ws.unit_sort == "index":
            self._order = None
            return
        sel = ws.selected_unit
        selected = None
        if sel is not None and sel.model == self.session.index and sel.kind == \
                self.session.state_kind and sel.layer < states.shape[0] \
                and sel.unit < states.shape[2]:
            selected = (sel.layer, states[sel.layer, :, sel.unit])
        self._order = None if ws.unit_sort == "correlation" and selected is None else \
            unit_order(states, ws.unit_sort, self.session.cursor, selected)

    def _on_selection(self) -> None:
        if self.session.workspace.unit_sort == "correlation" and self.session.trace is not None:
            self._resort()

    def _resort(self, *_: object) -> None:
        self._update_order()
        self._on_cursor_changed(self.session.cursor)

    # ---- hover -----------------------------------------------------------------------------
    def _on_mouse_moved(self, pos: QtCore.QPointF) -> None:
        self._hover_pos = QtCore.QPointF(pos)
        self._refresh_hover()

    def leaveEvent(self, event: QtCore.QEvent) -> None:
        self._hover_pos = None
        self._idle_hint()
        super().leaveEvent(event)

    def _refresh_hover(self) -> None:
        """The read-out for the cell under the mouse, recomputed from the current model, kind
        and step (never a stale value); the idle hint when no cell is there."""
        hit = self._cell_at(self._hover_pos) if self._hover_pos is not None else None
        if hit is None:
            self._idle_hint()
            return
        k, t, u = hit
        assert self._states is not None and self.session.trace is not None
        word = cm.visible(self.session.trace.tokens[t].text)
        value = float(self._states[k, t, u])
        name = self._names[k] if k < len(self._names) else str(k + 1)
        self.hover_label.setText(self.tr("{0}, token {1} (step {2}), unit {3}: {4} = {5}")
                                 .format(name, cm.quote(word), t + 1, u,
                                         self.session.state_kind, f"{value:+.4f}"))

    def _on_clicked(self, event: object) -> None:
        """A click on a cell selects its unit (the unit inspector follows the selection)."""
        hit = self._cell_at(event.scenePos())  # type: ignore[attr-defined]
        if hit is not None:
            self.session.workspace.set_selected_unit(
                UnitRef(self.session.index, self.session.state_kind, hit[0], hit[2]))

    def _cell_at(self, pos: QtCore.QPointF) -> tuple[int, int, int] | None:
        """(layer, step, unit) under a scene position, if it is a shown cell."""
        if self._states is None or self.session.trace is None:
            return None
        for k, plot in enumerate(self.plots[: self._states.shape[0]]):
            vb = plot.getViewBox()
            if not vb.sceneBoundingRect().contains(pos):
                continue
            p = vb.mapSceneToView(pos)
            t, u = round(p.x()), round(p.y())
            if 0 <= t <= self._last_column(self.session.cursor) and \
                    0 <= u < self._states.shape[2]:
                return k, t, u if self._order is None else int(self._order[k, u])
        return None
