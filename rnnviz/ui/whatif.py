"""What if: an edited copy of the text and/or an intervention on units, run beside the original.

Left: the edit (the cursor's token replaced, inserted or deleted, or the whole edited text), the
intervention (typed units such as ``1:17,1:42``; ablate, clamp or scale; from step s on or at s
only; h, c or both; a layer reset) and where it applies in the cell equations. Right: Δ log p of
each later true next word (bars), Δ loss per step, the Δh heatmap of one layer (edited minus
original, aligned by position after the edit), and the gradient of the cursor's loss in both
runs. Numbers come from :class:`rnnviz.session.whatif.WhatIf`.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from rnnviz.engine.intervention import Intervention, LayerReset, UnitEdit
from rnnviz.session import ModelSession, SessionError, Workspace
from rnnviz.session.whatif import (
    WhatIf,
    WhatIfRun,
    make_intervention,
    parse_units,
    refusal,
    whatif_of,
)
from rnnviz.ui import colormaps as cm
from rnnviz.ui.binding import link_session
from rnnviz.ui.i18n import QT_TRANSLATE_NOOP
from rnnviz.ui.refusal_text import refusal_text

PANEL_HEIGHT = 150  # the initial height asked of the dock: the main views keep their room
POS = (44, 160, 44)
NEG = (214, 39, 40)
OPERATIONS = (("ablate", QT_TRANSLATE_NOOP("WhatIfView", "ablate")),
              ("clamp", QT_TRANSLATE_NOOP("WhatIfView", "clamp")),
              ("scale", QT_TRANSLATE_NOOP("WhatIfView", "scale")))
STATES = (("h", "h"), ("c", "c"), ("both", QT_TRANSLATE_NOOP("WhatIfView", "both")))
# Where an intervention applies, per cell (rnnviz.session.whatif.equations in the UI language)
WHERE = {
    "lstm": QT_TRANSLATE_NOOP("WhatIfView",
                              "Applied after the cell update (h~_s, c~_s) = LSTM(x_s, h_s-1, "
                              "c_s-1): h_s = m·h~_s + a (c_s alike) feeds the layer above and "
                              "step s+1."),
    "gru": QT_TRANSLATE_NOOP("WhatIfView",
                             "Applied after the cell update h~_s = GRU(x_s, h_s-1): h_s = m·h~_s "
                             "+ a feeds the layer above and step s+1."),
    "rnn": QT_TRANSLATE_NOOP("WhatIfView",
                             "Applied after the cell update h~_s = tanh(W x_s + U h_s-1 + b): "
                             "h_s = m·h~_s + a feeds the layer above and step s+1."),
    "rwkv": QT_TRANSLATE_NOOP("WhatIfView",
                              "Edits, interventions and generation here work on RNN, LSTM and "
                              "GRU models."),
}
GRADIENT_NOTE = QT_TRANSLATE_NOOP("WhatIfView",
                                  "Gradients differentiate the intervened run (w.r.t. h~_s): an "
                                  "ablated or clamped unit passes none back.")


class WhatIfView(QtWidgets.QWidget):
    """Public for tests: ``whatif`` (the state), ``logp_bars`` (BarGraphItem: x = step of the
    edited run, height = Δ log p), ``loss_curve`` (Δ loss), ``dh_image`` (ImageItem of
    Δh[layer], (T, H)), ``grad_curves`` (original, what if: norms of the cursor's row),
    ``topk_label``, ``status``, the edit and intervention widgets."""

    def sizeHint(self) -> QtCore.QSize:
        return QtCore.QSize(900, PANEL_HEIGHT)

    def __init__(self, workspace: Workspace, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.whatif: WhatIf = whatif_of(workspace)
        self.shown: WhatIfRun | None = None
        self._brushes = (pg.mkBrush(cm.colour(POS)), pg.mkBrush(cm.colour(NEG)))
        self.model_index = 0  # which model's runs the plots show
        self._build()
        link_session(self, [(self.whatif.changed, self.refresh),
                            (workspace.text_changed, self._on_text),
                            (workspace.models_changed, self._on_models),
                            (workspace.cursor_changed, self._on_cursor),
                            (workspace.selection_changed, self._on_selection)])
        self._on_selection()
        self.text_edit.setText(workspace.text)
        self._on_models()

    # ---- construction -------------------------------------------------------------------
    def _build(self) -> None:
        controls = QtWidgets.QWidget()
        controls.setMaximumWidth(400)
        form = QtWidgets.QVBoxLayout(controls)
        form.setContentsMargins(0, 0, 0, 0)
        form.addLayout(self._edit_row())
        form.addLayout(self._text_row())
        form.addLayout(self._unit_row())
        form.addLayout(self._when_row())
        self.where = cm.wrapped_label(4)
        self.where.setStyleSheet("QLabel { color: #555 }")
        form.addWidget(self.where)
        form.addStretch(1)
        self.status = cm.status_label()
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("w")
        self._build_plots()
        self.topk_label = cm.wrapped_label(3)
        self.hover_label = cm.status_label()
        self.graphics.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.model_box = QtWidgets.QComboBox()
        self.model_box.setToolTip(self.tr("Whose runs to show (every model runs the same edit)"))
        self.model_box.activated.connect(self._model_picked)
        self.dh_layer_box = QtWidgets.QComboBox()
        self.dh_layer_box.setToolTip(self.tr("Layer of the Δh heatmap"))
        self.dh_layer_box.setSizeAdjustPolicy(
            QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.dh_layer_box.activated.connect(lambda _i: self.refresh())
        head = QtWidgets.QHBoxLayout()
        head.addWidget(self.status, 1)
        head.addWidget(self.dh_layer_box)
        head.addWidget(self.model_box)
        right = QtWidgets.QVBoxLayout()
        right.addLayout(head)
        right.addWidget(self.graphics, 1)
        right.addWidget(self.hover_label)
        right.addWidget(self.topk_label)
        lay = QtWidgets.QHBoxLayout(scrolled(self, (900, 180)))
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(controls)
        lay.addLayout(right, 1)

    def _edit_row(self) -> QtWidgets.QHBoxLayout:
        self.word_box = QtWidgets.QComboBox()
        self.word_box.setEditable(True)
        self.word_box.setToolTip(self.tr("A word typed, <unk>, or one of the model's top "
                                         "guesses for this position"))
        self.word_box.setMinimumWidth(90)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(QtWidgets.QLabel(self.tr("token here:")))
        row.addWidget(self.word_box, 1)
        for text, tip, slot in (
                (self.tr("Replace"), self.tr("Replace the cursor's token"), self._replace),
                (self.tr("Insert"), self.tr("Insert before the cursor's token"), self._insert),
                (self.tr("Delete"), self.tr("Delete the cursor's token"), self._delete)):
            b = QtWidgets.QPushButton(text)
            b.setToolTip(tip)
            b.clicked.connect(slot)
            row.addWidget(b)
        return row

    def _text_row(self) -> QtWidgets.QHBoxLayout:
        self.text_edit = QtWidgets.QLineEdit()
        self.text_edit.setPlaceholderText(self.tr("edited text (Enter runs it beside the "
                                                  "original)"))
        self.text_edit.returnPressed.connect(self._text_entered)
        clear = QtWidgets.QPushButton(self.tr("Plain"))
        clear.setToolTip(self.tr("Back to the plain views: no edit, no intervention"))
        clear.clicked.connect(self.whatif.clear)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.text_edit, 1)
        row.addWidget(clear)
        return row

    def _unit_row(self) -> QtWidgets.QHBoxLayout:
        self.units_edit = QtWidgets.QLineEdit()
        self.units_edit.setPlaceholderText(self.tr("units, e.g. 1:17,1:42"))
        self.units_edit.setToolTip(self.tr("LAYER:UNIT, layers from 1 (nearest the input), "
                                           "units from 0 as the heatmap shows them"))
        self.units_edit.returnPressed.connect(self._apply)
        self.op_box = QtWidgets.QComboBox()
        for op, name in OPERATIONS:
            self.op_box.addItem(self.tr(name), op)
        self.value_spin = QtWidgets.QDoubleSpinBox()
        self.value_spin.setRange(-100.0, 100.0)
        self.value_spin.setDecimals(3)
        self.value_spin.setSingleStep(0.1)
        self.value_spin.setToolTip(self.tr("clamp: the value; scale: the factor"))
        self.add_selected = QtWidgets.QPushButton(self.tr("+ selected"))
        self.add_selected.clicked.connect(self.add_selected_unit)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.units_edit, 1)
        row.addWidget(self.add_selected)
        row.addWidget(self.op_box)
        row.addWidget(self.value_spin)
        return row

    def _when_row(self) -> QtWidgets.QHBoxLayout:
        self.when_box = QtWidgets.QComboBox()
        self.when_box.addItems([self.tr("from step"), self.tr("at step")])
        self.step_spin = QtWidgets.QSpinBox()
        self.step_spin.setRange(1, 100000)
        self.step_spin.setToolTip(self.tr("Step numbered from 1, as the token strip shows it"))
        self.state_box = QtWidgets.QComboBox()
        for state, name in STATES:
            self.state_box.addItem(self.tr(name), state)
        self.reset_box = QtWidgets.QComboBox()
        self.reset_box.setToolTip(self.tr("Also set a layer's whole state to zero at the step"))
        apply_btn = QtWidgets.QPushButton(self.tr("Apply"))
        apply_btn.clicked.connect(self._apply)
        row = QtWidgets.QHBoxLayout()
        for w in (self.when_box, self.step_spin, self.state_box, self.reset_box, apply_btn):
            row.addWidget(w)
        return row

    def _build_plots(self) -> None:
        g = self.graphics
        self.logp_plot = g.addPlot(row=0, col=0, axisItems={"bottom": cm.StepAxis("bottom")})
        self.logp_plot.setTitle(self.tr("Δ log p(true next word)"), size="9pt")
        self.logp_bars = pg.BarGraphItem(x=np.zeros(0), height=np.zeros(0), width=0.7,
                                         brushes=[], pen=pg.mkPen(None))
        self.logp_plot.addItem(self.logp_bars)
        self.loss_plot = g.addPlot(row=0, col=1, axisItems={"bottom": cm.StepAxis("bottom")})
        self.loss_plot.setTitle(self.tr("Δ loss per step"), size="9pt")
        self.loss_curve = self.loss_plot.plot(pen=pg.mkPen(cm.colour(cm.BAR), width=2),
                                              symbol="o", symbolSize=5,
                                              symbolBrush=cm.colour(cm.BAR))
        self.dh_plot = g.addPlot(row=1, col=0,
                                 axisItems={"bottom": cm.StepAxis("bottom")})
        self.dh_plot.setTitle(self.tr("Δh (what if − original)"), size="9pt")
        self.dh_image = pg.ImageItem(axisOrder="row-major")
        self.dh_image.setLookupTable(cm.lut(cm.diverging()))
        self.dh_plot.addItem(self.dh_image)
        self.grad_plot = g.addPlot(row=1, col=1,
                                   axisItems={"bottom": cm.StepAxis("bottom"),
                                              "left": cm.LogAxis("left")})
        self.grad_plot.setTitle(self.tr("gradient of the cursor's loss, top layer"), size="9pt")
        self.grad_plot.setLogMode(y=True)
        self.grad_plot.addLegend(offset=(5, 5))
        self.grad_curves = (
            self.grad_plot.plot(pen=pg.mkPen(120, 120, 120, width=2), name=self.tr("original")),
            self.grad_plot.plot(pen=pg.mkPen(cm.colour(cm.HIGHLIGHT), width=2),
                                name=self.tr("what if")),
        )
        for p in (self.logp_plot, self.loss_plot, self.dh_plot, self.grad_plot):
            cm.quiet_plot(p)
        for p in (self.logp_plot, self.loss_plot):
            p.addItem(pg.InfiniteLine(0.0, angle=0, pen=pg.mkPen(150, 150, 150)))
            p.showGrid(y=True, alpha=0.2)
        self.cursor_lines = [pg.InfiniteLine(0.0, pen=pg.mkPen(cm.colour(cm.HIGHLIGHT)))
                             for _ in range(3)]
        for p, line in zip((self.logp_plot, self.loss_plot, self.grad_plot), self.cursor_lines,
                           strict=True):
            p.addItem(line)

    # ---- actions ------------------------------------------------------------------------
    def _word(self) -> str:
        return self.word_box.currentText().strip()

    def _edit(self, word: str | None, insert: bool = False) -> None:
        try:
            self.whatif.edit_token(self.workspace.cursor, word, insert)
        except SessionError as e:
            self.status.setText(str(e))

    def _replace(self) -> None:
        if self._word():
            self._edit(self._word())

    def _insert(self) -> None:
        if self._word():
            self._edit(self._word(), insert=True)

    def _delete(self) -> None:
        self._edit(None)

    def _text_entered(self) -> None:
        try:
            self.whatif.set_edited_text(self.text_edit.text() or None)
        except SessionError as e:
            self.status.setText(str(e))

    def _apply(self) -> None:
        """Build the intervention from the widgets (an empty unit list and no reset: none)."""
        lead = self.workspace.lead
        if lead is None or lead.engine is None:
            return
        try:
            units = parse_units(self.units_edit.text(), lead.engine.num_layers,
                                lead.engine.hidden_size)
            resets = [self.reset_box.currentIndex() - 1] if self.reset_box.currentIndex() else []
            iv = make_intervention(units, self.op_box.currentData(), self.value_spin.value(),
                                   self.state_box.currentData(),
                                   self.step_spin.value() - 1, self.when_box.currentIndex() == 1,
                                   resets)
            self.whatif.set_intervention(iv)
        except (SessionError, ValueError) as e:
            self.status.setText(str(e))

    def set_intervention(self, iv: Intervention) -> None:
        """Programmatic entry (tests, other views)."""
        self.whatif.set_intervention(iv)

    # ---- updates ------------------------------------------------------------------------
    def _on_models(self) -> None:
        lead = self.workspace.lead
        self.model_box.clear()
        self.model_box.addItems([s.name for s in self.workspace.models])
        self.model_index = min(self.model_index, max(0, len(self.workspace.models) - 1))
        self.model_box.setCurrentIndex(self.model_index)
        self.model_box.setVisible(len(self.workspace.models) > 1)
        self.reset_box.clear()
        self.reset_box.addItem(self.tr("no reset"))
        if lead is not None and lead.engine is not None:
            self.reset_box.addItems([self.tr("reset layer {0}").format(k + 1)
                                     for k in range(lead.engine.num_layers)])
            self.state_box.model().item(1).setEnabled(lead.engine.is_lstm)  # type: ignore
            self.state_box.model().item(2).setEnabled(lead.engine.is_lstm)  # type: ignore
            self.where.setText(self.where_text(lead.engine.params.cell))
        self.refresh()

    def _on_selection(self) -> None:
        unit = self.workspace.selected_unit
        ok = unit is not None and unit.kind in ("h", "c")
        self.add_selected.setEnabled(ok)
        self.add_selected.setToolTip(
            self.tr("Add the selected unit ({0}) to the list").format(
                f"{unit.layer + 1}:{unit.unit}") if ok and unit is not None else
            self.tr("Select a unit (Units panel, Help) to add it here"))

    def where_text(self, cell: str) -> str:
        """Where an intervention applies in ``cell``'s equations, and what gradients mean."""
        key = "rwkv" if cell.startswith("rwkv") else cell if cell in WHERE else "rnn"
        return self.tr(WHERE[key]) + " " + self.tr(GRADIENT_NOTE)

    def describe(self) -> str:
        """The edit and the intervention in one line (WhatIf.describe in the UI language)."""
        w = self.whatif
        parts = [] if w.edited_text is None else [
            self.tr("edited text: {0}").format(repr(w.edited_text))]
        parts += [self._unit_edit(e) for e in w.intervention.edits]
        parts += [self._reset(r) for r in w.intervention.resets]
        return "; ".join(parts)

    def _unit_edit(self, e: UnitEdit) -> str:
        what = (self.tr("ablate") if e.op == "ablate" else
                self.tr("clamp to {0}").format(f"{e.value:g}") if e.op == "clamp" else
                self.tr("scale by {0}").format(f"{e.value:g}"))
        when = (self.tr("at step {0}") if e.only else self.tr("from step {0} on")).format(
            e.step + 1)
        state = self.tr("h and c") if e.state == "both" else e.state
        return self.tr("{0} {1} of unit {2} {3}").format(what, state, f"{e.layer + 1}:{e.unit}",
                                                          when)

    def _reset(self, r: LayerReset) -> str:
        return self.tr("reset layer {0} to zero at step {1}").format(r.layer + 1, r.step + 1)

    def add_selected_unit(self) -> None:
        """The workspace's selected unit (Units panel, Help) joins the typed unit list."""
        unit = self.workspace.selected_unit
        if unit is None or unit.kind not in ("h", "c"):
            return
        item = f"{unit.layer + 1}:{unit.unit}"
        items = [x for x in self.units_edit.text().replace(" ", "").split(",") if x]
        if item not in items:
            self.units_edit.setText(",".join([*items, item]))

    def _model_picked(self, index: int) -> None:
        self.model_index = max(0, index)
        self.refresh()

    def _session(self) -> ModelSession | None:
        models = self.workspace.models
        return models[self.model_index] if self.model_index < len(models) else None

    def _on_text(self) -> None:
        self.text_edit.setText(self.workspace.text)
        self.refresh()

    def _on_cursor(self, t: int) -> None:
        self._fill_words(t)
        self._update_cursor(t)

    def _fill_words(self, t: int) -> None:
        """The model's top guesses for the token at t (predicted at t - 1), and <unk>."""
        lead = self.workspace.lead
        self.word_box.clear()
        if lead is None or lead.trace is None or lead.model is None:
            return
        words = [] if t == 0 or lead.classifier else lead.prediction(t - 1, 10).words
        if "<unk>" in lead.model.vocab:
            words.append("<unk>")
        self.word_box.addItems(words)
        self.word_box.setCurrentText("")

    def refresh(self) -> None:
        """Redraw the differences from the what-if state (empty when there is none); the one
        line of refusal for a model what-if cannot run on (RWKV, CBOW, bidirectional,
        classifier)."""
        models = self.workspace.models
        refused = refusal(models[self.model_index]) if self.model_index < len(models) else None
        error = None if refused is None else refusal_text(refused)
        try:
            self.shown = None if refused else self.whatif.run(self.model_index)
        except SessionError as e:
            error, self.shown = str(e), None
        run = self.shown
        if self.whatif.edited_text is not None and not self.text_edit.hasFocus():
            self.text_edit.setText(self.whatif.edited_text)
        self.status.setText(error or (self.describe() if run is not None else
                            self.tr("No edit and no intervention: edit a token or apply "
                                    "units.")))
        if run is None:
            self.logp_bars.setOpts(x=np.zeros(0), height=np.zeros(0), brushes=[])
            self.loss_curve.setData([], [])
            self.dh_image.clear()
            for c in self.grad_curves:
                c.setData([], [])
            self.topk_label.setText("")
            return
        shown = self._session()
        cm.set_reading_direction([self.logp_plot, self.loss_plot, self.dh_plot, self.grad_plot],
                                 shown is not None and shown.backward)  # steps right to left
        self._draw_deltas(run)
        self._update_cursor(self.workspace.cursor)

    def _draw_deltas(self, run: WhatIfRun) -> None:
        d = run.diff
        n = len(d.mapping)
        ok = np.isfinite(d.delta_logp)
        x = np.arange(n, dtype=float)[ok]
        heights = d.delta_logp[ok]
        brushes = [self._brushes[int(h < 0)] for h in heights]
        self.logp_bars.setOpts(x=x, height=heights, brushes=brushes)
        ok_loss = np.isfinite(d.delta_loss)
        self.loss_curve.setData(np.arange(n, dtype=float)[ok_loss], d.delta_loss[ok_loss])
        n_layers = d.delta_hidden.shape[0]
        if self.dh_layer_box.count() != n_layers:
            self.dh_layer_box.clear()
            self.dh_layer_box.addItems([self.tr("Δh layer {0}").format(k + 1)
                                        for k in range(n_layers)])
            self.dh_layer_box.setCurrentIndex(n_layers - 1)
        layer = max(0, min(self.dh_layer_box.currentIndex(), n_layers - 1))
        img = np.nan_to_num(d.delta_hidden[layer])  # (T, H); unaligned steps as 0
        peak = float(np.abs(img).max()) or 1.0
        self.dh_image.setImage(np.ascontiguousarray(img.T, np.float32), autoLevels=False,
                               levels=(-peak, peak))
        self.dh_image.setRect(QtCore.QRectF(-0.5, 0.0, n, img.shape[1]))
        self.dh_plot.setTitle(self.tr("Δh layer {0} (what if − original, ±{1})").format(
            layer + 1, f"{peak:.2g}"), size="9pt")
        for p in (self.logp_plot, self.loss_plot, self.dh_plot):
            p.setXRange(-0.5, n - 0.5, padding=0.0)
        for p, vals in ((self.logp_plot, heights), (self.loss_plot, d.delta_loss[ok_loss])):
            top = cm.nice_ceiling(float(np.abs(vals).max())) if len(vals) else 1.0
            p.setYRange(-top, top, padding=0.05)
        self.dh_plot.setYRange(0, img.shape[1], padding=0.0)

    def _on_mouse_moved(self, pos: QtCore.QPointF) -> None:
        """Hovering a step of any plot: that step's words and numbers."""
        run = self.shown
        if run is None:
            return
        for plot in (self.logp_plot, self.loss_plot, self.dh_plot):
            if plot.sceneBoundingRect().contains(pos):
                p = plot.getViewBox().mapSceneToView(pos)
                self.hover_label.setText(self.describe_step(run, round(p.x()),
                                                            p.y() if plot is self.dh_plot
                                                            else None))
                return

    def describe_step(self, run: WhatIfRun, t: int, unit: float | None = None) -> str:
        """One line on step t of the edited run (and a unit of the Δh layer)."""
        d, n = run.diff, run.edited.length
        if not 0 <= t < n:
            return ""
        parts = [self.tr("step {0}: after {1}").format(t + 1,
                                                       cm.quote(run.edited.tokens[t].text))]
        if t + 1 < n:
            parts.append(self.tr("next {0}").format(cm.quote(run.edited.tokens[t + 1].text)))
        if np.isfinite(d.delta_logp[t]):
            parts.append(f"Δ log p {d.delta_logp[t]:+.3f}")
        if np.isfinite(d.delta_loss[t]):
            parts.append(self.tr("Δ loss {0}").format(f"{d.delta_loss[t]:+.3f}"))
        if d.mapping[t] is None:
            parts.append(self.tr("inserted (no original step)"))
        if unit is not None and 0 <= int(unit) < d.delta_hidden.shape[2]:
            layer = max(0, self.dh_layer_box.currentIndex())
            parts.append(f"Δh {layer + 1}:{int(unit)} = "
                         f"{float(np.nan_to_num(d.delta_hidden[layer, t, int(unit)])):+.3f}")
        return "   ".join(parts)

    def _update_cursor(self, t: int) -> None:
        run = self.shown
        if run is None:
            return
        s = self._session()
        if s is not None:  # the lead's step on this model's tokens
            t = self.workspace.model_step(s, t)
        t_new = min(t, run.edited.length - 1)
        for line in self.cursor_lines:
            line.setValue(float(t_new))
        self._draw_gradients(run, t_new)
        self._draw_topk(run, t_new)

    def _draw_gradients(self, run: WhatIfRun, t: int) -> None:
        lead = self._session()
        rows = self.whatif.gradient_row(self.model_index, t)
        if lead is None or rows is None:
            return
        to = run.diff.mapping[t]
        new = rows.h[-1, 0, : t + 1]
        self.grad_curves[1].setData(np.arange(t + 1, dtype=float), np.maximum(new, 1e-12))
        if to is not None and lead.trace is not None and to < lead.length:
            orig = lead.gradient_row(to).h[-1, : to + 1]
            self.grad_curves[0].setData(np.arange(to + 1, dtype=float), np.maximum(orig, 1e-12))
        else:
            self.grad_curves[0].setData([], [])
        self.grad_plot.setXRange(-0.5, max(t, 1) + 0.5, padding=0.0)

    def _draw_topk(self, run: WhatIfRun, t: int) -> None:
        lead = self._session()
        if lead is None or lead.model is None:
            return
        words = lead.model.vocab.tokens

        def top(probs: np.ndarray) -> str:
            idx = np.argsort(-probs, kind="stable")[:5]
            return ", ".join(f"{words[i]} {probs[i]:.2f}" for i in idx)

        to = run.diff.mapping[t]
        orig = "—" if to is None else top(run.original.records[to].probs)
        change = ""
        if np.isfinite(run.diff.delta_logp[t]):
            y = run.edited.tokens[t + 1].text
            p_new = float(run.edited.records[t].probs[run.edited.targets[t]])
            p_old = p_new / float(np.exp(run.diff.delta_logp[t]))
            change = f"  p({cm.quote(y)}): {p_old:.4g} → {p_new:.4g}"
        self.topk_label.setText(
            self.tr("after {0} (step {1})").format(cm.quote(run.edited.tokens[t].text), t + 1)
            + change + "\n" + self.tr("original: {0}   |   what if: {1}").format(
                orig, top(run.edited.records[t].probs)))


class _Fitted(QtWidgets.QWidget):
    """Content that takes the scroll area's height (word-wrapped labels would otherwise make it
    ask for height-for-width, and grow taller than the area)."""

    def hasHeightForWidth(self) -> bool:
        return False

    def heightForWidth(self, width: int) -> int:
        return -1


def scrolled(outer: QtWidgets.QWidget, minimum: tuple[int, int]) -> QtWidgets.QWidget:
    """A content widget inside a frameless scroll area that fills ``outer``: the panel then
    asks its dock for little room, and scrolls below ``minimum`` (width, height)."""
    inner = _Fitted()
    inner.setMinimumSize(*minimum)
    area = QtWidgets.QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
    area.setMinimumSize(40, 30)
    area.setWidget(inner)
    box = QtWidgets.QVBoxLayout(outer)
    box.setContentsMargins(0, 0, 0, 0)
    box.addWidget(area)
    return inner
