"""Units: which units of the top layer push the next word's logit up or down at the cursor,
z_y = sum_j W_dec[y, j] h_t[j] + b_y (or z_A - z_B against a contrast word), and the ablation
effect of every unit of a chosen layer (Δ log p when that unit alone is zeroed at the step).
Clicking a bar selects the unit ("+ selected" in the What if panel adds it to its unit list)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from rnnviz.session import SessionError, UnitRef, Workspace
from rnnviz.session.whatif import UnitAttribution, attribute, refusal
from rnnviz.ui import colormaps as cm
from rnnviz.ui.binding import RefreshWhenShown, link_session
from rnnviz.ui.refusal_text import refusal_text
from rnnviz.ui.whatif import NEG, PANEL_HEIGHT, POS, scrolled

TOP = 6  # strongest units shown on each side


class UnitAttributionView(RefreshWhenShown, QtWidgets.QWidget):
    """Public for tests: ``result`` (UnitAttribution shown), ``contrib_bars`` (BarGraphItem:
    y = row, width = contribution), ``contrib_units`` (unit of each row), ``effect_bars``
    (BarGraphItem: x = unit, height = Δ), ``word_edit``, ``contrast_edit``, ``layer_box``."""

    def __init__(self, workspace: Workspace, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.result: UnitAttribution | None = None
        self.contrib_units: list[int] = []
        self._build()
        link_session(self, [(workspace.cursor_changed, self.refresh_later),
                            (workspace.text_changed, self.refresh_later),
                            (workspace.traced_changed, self.refresh_later),
                            (workspace.models_changed, self._on_models)])
        self._on_models()

    def sizeHint(self) -> QtCore.QSize:
        return QtCore.QSize(900, PANEL_HEIGHT)

    def _build(self) -> None:
        self.word_edit = QtWidgets.QLineEdit()
        self.word_edit.setPlaceholderText(self.tr("word (default: the traced next word)"))
        self.contrast_edit = QtWidgets.QLineEdit()
        self.contrast_edit.setPlaceholderText(self.tr("contrast word (optional)"))
        for e in (self.word_edit, self.contrast_edit):
            e.returnPressed.connect(self.refresh)
        self.layer_box = QtWidgets.QComboBox()
        self.layer_box.setToolTip(self.tr("Layer whose units are ablated one at a time at the "
                                           "cursor"))
        self.layer_box.activated.connect(self.refresh)
        self.status = cm.status_label()
        row = QtWidgets.QHBoxLayout()
        row.addWidget(QtWidgets.QLabel(self.tr("logit of")))
        row.addWidget(self.word_edit, 1)
        row.addWidget(QtWidgets.QLabel(self.tr("minus")))
        row.addWidget(self.contrast_edit, 1)
        row.addWidget(QtWidgets.QLabel(self.tr("ablation effect in")))
        row.addWidget(self.layer_box)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("w")
        self.contrib_plot = self.graphics.addPlot(row=0, col=0)
        self.contrib_plot.getViewBox().invertY(True)
        self.contrib_bars = pg.BarGraphItem(x0=0.0, y=np.zeros(0), height=0.7,
                                            width=np.zeros(0), brushes=[], pen=pg.mkPen(None))
        self.contrib_plot.addItem(self.contrib_bars)
        self.effect_plot = self.graphics.addPlot(row=0, col=1)
        self.effect_bars = pg.BarGraphItem(x=np.zeros(0), height=np.zeros(0), width=0.8,
                                           brushes=[], pen=pg.mkPen(None))
        self.effect_plot.addItem(self.effect_bars)
        for p in (self.contrib_plot, self.effect_plot):
            cm.quiet_plot(p)
        self.effect_plot.setLabel("bottom", self.tr("unit"))
        self.graphics.scene().sigMouseClicked.connect(self._clicked)
        lay = QtWidgets.QVBoxLayout(scrolled(self, (700, 160)))
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(row)
        lay.addWidget(self.status)
        lay.addWidget(self.graphics, 1)

    def _on_models(self) -> None:
        lead = self.workspace.lead
        self.layer_box.clear()
        if lead is not None and lead.engine is not None:
            n = lead.engine.num_layers
            self.layer_box.addItems([self.tr("layer {0}").format(k + 1) for k in range(n)])
            self.layer_box.setCurrentIndex(n - 1)
        self.refresh()

    def refresh(self, *_: object) -> None:
        lead = self.workspace.lead
        if lead is None or lead.trace is None:
            return
        note = refusal(lead)
        if note:
            self.status.setText(refusal_text(note))
            return
        t = lead.cursor
        word = self.word_edit.text().strip() or lead.prediction(t).target_word
        contrast = self.contrast_edit.text().strip() or None
        try:
            self.result = attribute(lead, t, word, contrast, self.layer_box.currentIndex())
        except SessionError as e:
            self.status.setText(str(e))
            return
        self._draw(self.result)

    def _draw(self, r: UnitAttribution) -> None:
        a = r.attribution
        pos, neg = a.top(TOP)
        self.contrib_units = pos + neg[::-1]
        vals = a.contributions[self.contrib_units]
        self.contrib_bars.setOpts(y=np.arange(len(vals), dtype=float), width=vals,
                                  brushes=[pg.mkBrush(cm.colour(POS if v > 0 else NEG))
                                           for v in vals])
        axis = self.contrib_plot.getAxis("left")
        axis.setTicks([[(float(i), str(j)) for i, j in enumerate(self.contrib_units)]])
        what = cm.quote(r.word) + ("" if r.contrast is None else f" − {cm.quote(r.contrast)}")
        self.contrib_plot.setTitle(self.tr("top-layer units → logit {0}").format(what),
                                   size="9pt")
        self.status.setText(self.tr("after {0} (step {1}): logit {2} = {3} = Σ units {4} + bias "
                                    "{5}. Click a bar to select the unit.").format(
            cm.quote(self._token(r.t)), r.t + 1, what, f"{a.total:.3f}",
            f"{a.contributions.sum():.3f}", f"{a.bias:.3f}"))
        if r.effect is not None:
            e = r.effect
            self.effect_bars.setOpts(x=np.arange(len(e), dtype=float), height=e,
                                     brushes=[pg.mkBrush(cm.colour(POS if v > 0 else NEG))
                                              for v in e])
            self.effect_plot.setTitle(
                self.tr("Δ log p({0}) when a layer {1} unit is ablated here alone").format(
                    what, r.layer + 1), size="9pt")

    def _token(self, t: int) -> str:
        lead = self.workspace.lead
        return "" if lead is None or lead.trace is None else lead.trace.tokens[t].text

    def _clicked(self, event: object) -> None:
        r = self.result
        if r is None:
            return
        pos = event.scenePos()  # type: ignore[attr-defined]
        for plot, pick in ((self.contrib_plot, self._contrib_unit),
                           (self.effect_plot, self._effect_unit)):
            if plot.sceneBoundingRect().contains(pos):
                p = plot.getViewBox().mapSceneToView(pos)
                unit, layer = pick(p.x(), p.y(), r)
                if unit is not None:
                    self.select(layer, unit)

    def _contrib_unit(self, x: float, y: float, r: UnitAttribution) -> tuple[int | None, int]:
        row = round(y)
        unit = self.contrib_units[row] if 0 <= row < len(self.contrib_units) else None
        return unit, self._layers() - 1

    def _effect_unit(self, x: float, y: float, r: UnitAttribution) -> tuple[int | None, int]:
        unit = round(x)
        n = 0 if r.effect is None else len(r.effect)
        return (unit if 0 <= unit < n else None), r.layer

    def _layers(self) -> int:
        lead = self.workspace.lead
        return 1 if lead is None or lead.engine is None else lead.engine.num_layers

    def select(self, layer: int, unit: int) -> None:
        """Select a unit of the lead model (0-based layer) in the workspace."""
        self.workspace.set_selected_unit(UnitRef(0, "h", layer, unit))
