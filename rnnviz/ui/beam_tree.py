"""Continue: generate after the text (greedy, sampling with a seed, top-k/top-p, or beam search)
and show the result as a tree of tokens with cumulative log-probabilities. Clicking a node makes
that branch the text (the text it replaces is kept: "Back" returns to it). A backward lead model
writes before the text: its tree grows to the left."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from rnnviz.engine.generate import Sampling
from rnnviz.session import SessionError, Workspace
from rnnviz.session.whatif import (
    Continuation,
    continuation_job,
    continue_refusal,
    whatif_of,
)
from rnnviz.ui import colormaps as cm
from rnnviz.ui.binding import link_session
from rnnviz.ui.i18n import QT_TRANSLATE_NOOP
from rnnviz.ui.refusal_text import refusal_text
from rnnviz.ui.whatif import PANEL_HEIGHT, scrolled
from rnnviz.ui.workers import Job, JobQueue

METHODS = ("greedy", "sample", "beam search")
METHOD_NAMES = (QT_TRANSLATE_NOOP("BeamTreeView", "greedy"),
                QT_TRANSLATE_NOOP("BeamTreeView", "sample"),
                QT_TRANSLATE_NOOP("BeamTreeView", "beam search"))


class BeamTreeView(QtWidgets.QWidget):
    """Public for tests: ``result`` (the Continuation shown), ``scatter`` (one point per node,
    data = node index), ``positions`` (node index -> (x = depth, y = row)), ``labels`` (node
    index -> TextItem), ``edges`` (PlotDataItem of the parent-child lines), the controls."""

    def __init__(self, workspace: Workspace, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.result: Continuation | None = None
        self.positions: dict[int, tuple[float, float]] = {}
        self.labels: dict[int, pg.TextItem] = {}
        self.job: Job | None = None
        self._method_text = ""  # how the shown result was generated, in the UI language
        self.queue = JobQueue(self)
        queue = self.queue  # a running job is cancelled when the view goes away
        self.destroyed.connect(lambda *_: _cancel_all(queue))
        self._build()
        link_session(self, [(workspace.text_changed, self._on_text),
                            (workspace.models_changed, self._check_model)])
        self._check_model()

    def _build(self) -> None:
        self.method_box = QtWidgets.QComboBox()
        for method, name in zip(METHODS, METHOD_NAMES, strict=True):
            self.method_box.addItem(self.tr(name), method)
        self.method_box.setCurrentIndex(2)
        self.tokens_spin = self._spin(1, 200, 6, self.tr("tokens "))
        self.width_spin = self._spin(1, 16, 3, self.tr("width "))
        self.temp_spin = QtWidgets.QDoubleSpinBox()
        self.temp_spin.setRange(0.05, 5.0)
        self.temp_spin.setValue(1.0)
        self.temp_spin.setPrefix("T ")
        self.topk_spin = self._spin(0, 1000, 0, "top-k ")
        self.topp_spin = QtWidgets.QDoubleSpinBox()
        self.topp_spin.setRange(0.01, 1.0)
        self.topp_spin.setSingleStep(0.05)
        self.topp_spin.setValue(1.0)
        self.topp_spin.setPrefix("top-p ")
        self.seed_spin = self._spin(0, 1 << 30, 0, self.tr("seed "))
        self.go = QtWidgets.QPushButton(self.tr("Continue"))
        self.go.clicked.connect(self.generate)
        self.back_btn = QtWidgets.QPushButton(self.tr("Back"))
        self.back_btn.setToolTip(self.tr("Return to the text before the last branch taken"))
        self.back_btn.clicked.connect(lambda: whatif_of(self.workspace).back())
        self.back_btn.setEnabled(False)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(cm.title_label(self.tr("Continue")))
        for w in (self.method_box, self.tokens_spin, self.width_spin, self.temp_spin,
                  self.topk_spin, self.topp_spin, self.seed_spin, self.go, self.back_btn):
            row.addWidget(w)
        row.addStretch(1)
        self.status = cm.status_label()
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("w")
        self.plot = self.graphics.addPlot()
        cm.quiet_plot(self.plot)
        self.plot.setMouseEnabled(x=True, y=True)
        self.plot.hideAxis("left")
        self.plot.setLabel("bottom", self.tr("generated token"))
        self.edges = self.plot.plot(pen=pg.mkPen(160, 160, 160), connect="pairs")
        self.scatter = pg.ScatterPlotItem(size=9, pen=pg.mkPen(None))
        self.scatter.sigClicked.connect(self._clicked)
        self.plot.addItem(self.scatter)
        lay = QtWidgets.QVBoxLayout(scrolled(self, (960, 160)))
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(row)
        lay.addWidget(self.graphics, 1)
        lay.addWidget(self.status)
        self.status.setText(self.tr("Click a node to make that branch the text."))

    def _check_model(self, *_: object) -> None:
        """A lead model that cannot continue the text (a classifier, CBOW, a bidirectional
        model) says so in one line, and the button waits for another; a backward one is told
        to write before the text."""
        lead = self.workspace.lead
        note = continue_refusal(lead) if lead is not None and lead.engine is not None else None
        self.go.setEnabled(note is None)
        if note:
            self.status.setText(refusal_text(note))
        elif lead is not None and lead.backward and self.result is None:
            self.status.setText(self.tr(
                "{0} reads backward: Continue writes before the text, and the tree grows to "
                "the left. Click a node to make that branch the text.").format(lead.name))

    def sizeHint(self) -> QtCore.QSize:
        return QtCore.QSize(900, PANEL_HEIGHT)

    @staticmethod
    def _spin(lo: int, hi: int, value: int, prefix: str) -> QtWidgets.QSpinBox:
        spin = QtWidgets.QSpinBox()
        spin.setRange(lo, hi)
        spin.setValue(value)
        spin.setPrefix(prefix)
        return spin

    # ---- generation ---------------------------------------------------------------------
    def generate(self) -> None:
        """Start the generation on the worker thread (a newer request cancels the older)."""
        method = str(self.method_box.currentData())
        temp = 0.0 if method == "greedy" else self.temp_spin.value()
        try:
            fn = continuation_job(
                self.workspace, self.tokens_spin.value(),
                Sampling(temp, self.topk_spin.value(), self.topp_spin.value()),
                self.width_spin.value() if method == "beam search" else 0,
                self.seed_spin.value())
        except (SessionError, ValueError) as e:
            self.status.setText(str(e))
            return
        if self.job is not None:
            self.job.cancel()
        self._method_text = (
            self.tr("beam search, width {0}").format(self.width_spin.value())
            if method == "beam search" else self.tr("greedy") if method == "greedy"
            else self.tr("sampling, seed {0}").format(self.seed_spin.value()))
        self.job = Job(fn, "generation")
        self.job.signals.done.connect(self._on_done)
        self.job.signals.failed.connect(self._on_failed)
        self.status.setText(self.tr("generating…"))
        self.queue.submit(self.job)

    def _on_done(self, job: Job, result: Continuation) -> None:
        if job is self.job:
            self.job = None
            self.result = result
            self._draw(result)

    def _on_failed(self, job: Job, error: object) -> None:
        if job is self.job:
            self.job = None
            self.status.setText(self.tr("generation failed: {0}").format(error))

    @property
    def idle(self) -> bool:
        return self.job is None

    def _draw(self, res: Continuation) -> None:
        """Nodes at x = depth; at each depth ordered by cumulative log p (best on top)."""
        tree = res.tree
        sign = -1.0 if res.backward else 1.0  # a backward model's words go before the text
        self.positions = {0: (0.0, 0.0)}
        for d in range(1, max(n.depth for n in tree.nodes) + 1):
            nodes = sorted((n for n in tree.nodes if n.depth == d), key=lambda n: -n.logp)
            for row, n in enumerate(nodes):
                self.positions[n.index] = (sign * d, -float(row))
        for item in self.labels.values():
            self.plot.removeItem(item)
        self.labels = {}
        best = set(_ancestors(res, res.best()))
        xs, ys, brushes = [], [], []
        for n in tree.nodes:
            x, y = self.positions[n.index]
            xs.append(x)
            ys.append(y)
            brushes.append(pg.mkBrush(cm.colour(cm.HIGHLIGHT if n.index in best else cm.BAR)))
            word = self.tr("(text)") if n.token < 0 else _visible(res.words[n.token])
            text = f"{n.logp:.2f}  {word}" if res.backward else f"{word}  {n.logp:.2f}"
            label = pg.TextItem(text, color=(40, 40, 40),
                                anchor=(1.05, 0.5) if res.backward else (-0.05, 0.5))
            label.setPos(x, y)
            self.plot.addItem(label)
            self.labels[n.index] = label
        self.scatter.setData(x=xs, y=ys, brush=brushes, data=[n.index for n in tree.nodes])
        seg = np.array([[*self.positions[n.parent], *self.positions[n.index]]
                        for n in tree.nodes[1:]]).reshape(-1, 2)
        self.edges.setData(seg[:, 0], seg[:, 1])
        depth = max(n.depth for n in tree.nodes)
        rows = max(-y for _, y in self.positions.values())
        self.plot.getAxis("bottom").setTicks([[(sign * d, str(d)) for d in range(depth + 1)]])
        self.plot.setLabel("bottom", self.tr("generated token, before the text")
                           if res.backward else self.tr("generated token"))
        if res.backward:
            self.plot.setXRange(-depth - 0.6, 0.2, padding=0.0)
        else:
            self.plot.setXRange(-0.2, depth + 0.6, padding=0.0)
        self.plot.setYRange(-rows - 0.4, 0.4, padding=0.0)
        self.status.setText(self.tr("{0}: best {1} (cumulative log p). Click a node to make "
                                    "that branch the text.").format(
            self._method_text, f"{res.tree.nodes[res.best()].logp:.2f}"))

    def _clicked(self, _item: object, points: list) -> None:
        if self.result is not None and len(points):
            self.take(int(points[0].data()))

    def take(self, index: int) -> None:
        """Make the branch to node ``index`` the text."""
        if self.result is None:
            return
        try:
            whatif_of(self.workspace).take_branch(self.result.branch(index))
        except SessionError as e:
            self.status.setText(str(e))

    def _on_text(self) -> None:
        self.back_btn.setEnabled(bool(whatif_of(self.workspace).history))
        self._check_model()


def _visible(token: str) -> str:
    """Spaces and line breaks of character models, drawn so that they can be seen."""
    return token.replace(" ", "␣").replace("\n", "↵").replace("\t", "⇥") or "∅"


def _cancel_all(queue: JobQueue) -> None:
    for job in queue._jobs:
        job.cancel()


def _ancestors(res: Continuation, index: int) -> list[int]:
    out = [index]
    while index > 0:
        index = res.tree.nodes[index].parent
        out.append(index)
    return out
