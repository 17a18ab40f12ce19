"""The classifiers' decisions over the text: p(class | w_0..w_t) for every prefix, one line per
class against the step, the cursor marked; one plot per classifier of the workspace, stacked
on the same text so that two classifiers (one direction, both directions) compare step by step.
The question it answers: when did each model make up its mind, and which words moved it?"""

from __future__ import annotations

from html import escape

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from rnnviz.session import ModelSession, Workspace
from rnnviz.ui import colormaps as cm
from rnnviz.ui.binding import ModelLinks, RefreshWhenShown, link_session
from rnnviz.ui.columns import model_colour

CLASS_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                 "#7f7f7f", "#bcbd22", "#17becf")


def class_probs(session: ModelSession) -> np.ndarray:
    """(T, C) class probabilities of every prefix (row t: the text cut after step t)."""
    assert session.trace is not None
    return np.stack([np.asarray(r.probs, np.float64) for r in session.trace.records])


class ClassPlot:
    """One classifier's plot: a line per class (the key in the title, never over a line), its
    tokens on the x axis, its cursor."""

    def __init__(self, glw: pg.GraphicsLayoutWidget, row: int, session: ModelSession,
                 colour: str, y_label: str, x_label: str) -> None:
        self.session = session
        self.axis = cm.TokenAxis("bottom")
        self.plot = glw.addPlot(row=row, col=0, axisItems={"bottom": self.axis})
        cm.quiet_plot(self.plot)
        key = "&nbsp;&nbsp;".join(
            f'<span style="color:{CLASS_COLOURS[k % len(CLASS_COLOURS)]}">━●━</span> '
            f"{escape(name)}" for k, name in enumerate(session.output_names()))
        self.plot.setTitle(f'<span style="color:{colour}">■</span> {escape(session.name)}'
                           f"&nbsp;&nbsp;&nbsp;&nbsp;{key}", color=(40, 40, 40), size="9pt")
        self.plot.setLabel("left", y_label)
        self.axis.set_title(x_label)
        self.plot.setYRange(0.0, 1.0, padding=0.06)  # room for the labels 0 and 1
        self.plot.getAxis("left").setTicks([[(v, f"{v:g}") for v in (0, 0.25, 0.5, 0.75, 1)]])
        self.plot.getViewBox().setMouseEnabled(x=False, y=False)
        self.plot.showGrid(x=False, y=True, alpha=0.25)
        self.cursor_line = pg.InfiniteLine(angle=90, pen=pg.mkPen((60, 60, 60), width=1))
        self.plot.addItem(self.cursor_line, ignoreBounds=True)
        self.curves: list[pg.PlotDataItem] = []
        for k in range(len(session.output_names())):
            c = CLASS_COLOURS[k % len(CLASS_COLOURS)]
            self.curves.append(self.plot.plot([], [], pen=pg.mkPen(c, width=2),
                                              symbol="o", symbolSize=5, symbolBrush=c,
                                              symbolPen=None))

    def refresh(self) -> tuple[str, str, float] | None:
        """Draw the session's prefixes; (token at the cursor, decision there, its p)."""
        s = self.session
        if s.trace is None:
            for c in self.curves:
                c.setData([], [])
            return None
        probs = class_probs(s)
        steps = np.arange(len(probs), dtype=np.float64)
        for k, curve in enumerate(self.curves):
            curve.setData(steps, probs[:, k])
        self.axis.set_tokens([cm.visible(t.text) for t in s.trace.tokens])
        self.plot.setXRange(-0.5, len(probs) - 0.5, padding=0.02)
        t = s.cursor
        self.cursor_line.setValue(t)
        best = int(np.argmax(probs[t]))
        return cm.visible(s.trace.tokens[t].text), s.output_names()[best], float(probs[t, best])


class ClassCurvesView(RefreshWhenShown, QWidget):
    """A plot per classifier of the workspace, in its order. Public for tests: ``plots``
    (ClassPlot per classifier: ``session``, ``curves`` with xData = step, yData = p,
    ``cursor_line``), ``info``."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.plots: list[ClassPlot] = []
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.info.setTextFormat(Qt.TextFormat.RichText)
        self.glw = pg.GraphicsLayoutWidget()
        self.glw.setBackground("w")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.info)
        lay.addWidget(self.glw, 1)
        # a slot's model replaced emits only that slot's own model_changed
        self.links = ModelLinks(self, lambda s: [(s.model_changed, self._models)])
        link_session(self, [(workspace.models_changed, self._models),
                            (workspace.cursor_changed, self.refresh_later),
                            (workspace.text_changed, self.refresh_later)])
        self._models()

    def _models(self) -> None:
        """One plot per classifier, rebuilt when the workspace's models change."""
        self.links.relink(self.workspace.models)
        self.glw.clear()
        self.plots = []
        y_label = self.tr("p(class | text so far)")
        x_label = self.tr("the text cut after this word")
        for i, s in enumerate(self.workspace.models):
            if s.classifier:
                self.plots.append(ClassPlot(self.glw, len(self.plots), s, model_colour(i),
                                            y_label, x_label))
        self.refresh_later()

    def refresh(self) -> None:
        if not self.plots:
            self.info.setText(self.tr("No classifier is open: open one (Models menu) to see "
                                      "its decision over the text."))
            return
        lines = []
        for p in self.plots:
            at = p.refresh()
            if at is not None:
                lines.append(self.tr("{0}: if the text ended after {1}: {2} (p = {3})").format(
                    p.session.name, cm.quote(at[0]), cm.quote(at[1]), f"{at[2]:.3f}"))
        lines.append(self.tr("Each line is one class's probability for the text cut after "
                             "each word."))
        self.info.setText("<br>".join(escape(line, quote=False) for line in lines))
