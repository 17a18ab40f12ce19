"""A classifier's decision over the text: p(class | w_0..w_t) for every prefix, one line per
class against the step, the cursor marked. The question it answers: when did the model make up
its mind, and which words moved it?"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from rnnviz.session import ModelSession, Workspace
from rnnviz.ui import colormaps as cm
from rnnviz.ui.binding import RefreshWhenShown, link_session

CLASS_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                 "#7f7f7f", "#bcbd22", "#17becf")


def class_probs(session: ModelSession) -> np.ndarray:
    """(T, C) class probabilities of every prefix (row t: the text cut after step t)."""
    assert session.trace is not None
    return np.stack([np.asarray(r.probs, np.float64) for r in session.trace.records])


class ClassCurvesView(RefreshWhenShown, QWidget):
    """One line per class of a classifier of the workspace. Public for tests: ``curves``
    (PlotDataItem per class: xData = step, yData = p), ``cursor_line``, ``model_box``,
    ``info``."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.session: ModelSession | None = None
        self.curves: list[pg.PlotDataItem] = []
        self.model_box = QComboBox()
        self.model_box.setToolTip(self.tr("Which classifier to show"))
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.glw = pg.GraphicsLayoutWidget()
        self.glw.setBackground("w")
        self.axis = cm.TokenAxis("bottom")
        self.plot = self.glw.addPlot(axisItems={"bottom": self.axis})
        cm.quiet_plot(self.plot)
        self.plot.setLabel("left", self.tr("p(class | text so far)"))
        self.plot.setLabel("bottom", self.tr("the text cut after this word"))
        self.plot.setYRange(0.0, 1.0, padding=0.02)
        self.plot.getViewBox().setMouseEnabled(x=False, y=False)
        self.plot.showGrid(x=False, y=True, alpha=0.25)
        self.legend = self.plot.addLegend(offset=(-4, 4), labelTextSize="8pt",
                                          labelTextColor=(40, 40, 40))
        self.cursor_line = pg.InfiniteLine(angle=90, pen=pg.mkPen((60, 60, 60), width=1))
        self.plot.addItem(self.cursor_line, ignoreBounds=True)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("model")))
        top.addWidget(self.model_box, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(top)
        lay.addWidget(self.info)
        lay.addWidget(self.glw, 1)
        self.model_box.activated.connect(lambda _i: self._pick())
        link_session(self, [(workspace.models_changed, self._models),
                            (workspace.cursor_changed, self.refresh_later),
                            (workspace.text_changed, self.refresh_later)])
        self._models()

    def _classifiers(self) -> list[ModelSession]:
        return [s for s in self.workspace.models if s.classifier]

    def _models(self) -> None:
        self.model_box.clear()
        for s in self._classifiers():
            self.model_box.addItem(s.name)
        self._pick()

    def _pick(self) -> None:
        found = self._classifiers()
        i = self.model_box.currentIndex()
        self.session = found[i] if 0 <= i < len(found) else None
        self._make_curves()
        self.refresh_later()

    def _make_curves(self) -> None:
        for c in self.curves:
            self.plot.removeItem(c)
        self.curves = []
        self.legend.clear()
        if self.session is None:
            return
        for k, name in enumerate(self.session.output_names()):
            pen = pg.mkPen(CLASS_COLOURS[k % len(CLASS_COLOURS)], width=2)
            curve = self.plot.plot([], [], pen=pen, name=name, symbol="o", symbolSize=5,
                                   symbolBrush=CLASS_COLOURS[k % len(CLASS_COLOURS)],
                                   symbolPen=None)
            self.curves.append(curve)

    def refresh(self) -> None:
        s = self.session
        if s is None or s.trace is None:
            for c in self.curves:
                c.setData([], [])
            self.info.setText(self.tr("No classifier is open: open one (Models menu) to see "
                                      "its decision over the text."))
            return
        probs = class_probs(s)
        steps = np.arange(len(probs), dtype=np.float64)
        for k, curve in enumerate(self.curves):
            curve.setData(steps, probs[:, k])
        self.axis.set_tokens([cm.visible(t.text) for t in s.trace.tokens])
        self.plot.setXRange(-0.5, len(probs) - 0.5, padding=0.02)
        t = s.cursor
        self.cursor_line.setValue(t)
        names = s.output_names()
        best = int(np.argmax(probs[t]))
        self.info.setText(self.tr("If the text ended after {0}: {1} (p = {2}). Each line is one "
                                  "class's probability for the text cut after each word.")
                          .format(cm.quote(cm.visible(s.trace.tokens[t].text)),
                                  cm.quote(names[best]), f"{probs[t, best]:.3f}"))
