"""The Memory view: how far back each open model's loss still reaches, averaged over a corpus.

For every model of the workspace, the median over the corpus positions of ||d l_t / d x_{t-d}||
against the distance d, with the 25-75% band, on one shared log axis: one colour per model
(as in the column headers); solid = hidden state h, dashed = LSTM cell state c, dotted = input
embedding; thin = lower layers. Beside it, the memory span of every path: the largest d whose
median is still at least 1% of its value at d = 0. The numbers are ``rnnviz memory``'s, computed
in the background (one model after another, with progress and cancel).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from rnnviz.checkpoints.model import LoadedModel
from rnnviz.engine.factory import NotForThisModel
from rnnviz.engine.memory import MemoryCurves, Quantiles
from rnnviz.session import Workspace
from rnnviz.session.memory import (
    DEFAULT_CORPUS,
    DEFAULT_DISTANCE,
    DEFAULT_TOKENS,
    memory_refusal,
    models_memory,
    read_text,
)
from rnnviz.session.refusal import Refusal
from rnnviz.ui import colormaps as cm
from rnnviz.ui.binding import ModelLinks, link_session
from rnnviz.ui.columns import model_colour
from rnnviz.ui.refusal_text import refusal_text
from rnnviz.ui.workers import Job, JobQueue, Progress

FLOOR = 1e-30  # the log axis cannot show 0
STYLES = {"h": QtCore.Qt.PenStyle.SolidLine, "c": QtCore.Qt.PenStyle.DashLine,
          "input": QtCore.Qt.PenStyle.DotLine}


@dataclass(frozen=True)
class Settings:
    """What a result depends on besides the model: corpus file, N tokens, distance D."""

    corpus: str
    tokens: int
    distance: int


@dataclass(frozen=True)
class Path_:
    """One curve of a model: path 'h', 'c' or 'input'; layer (None for input); top: the top
    layer (or the input), drawn thick."""

    path: str
    layer: int | None
    top: bool

    def label(self, n_layers: int) -> str:
        if self.layer is None:
            return QtCore.QCoreApplication.translate("MemoryView", "input e")
        if n_layers == 1:
            return self.path
        return QtCore.QCoreApplication.translate("MemoryView", "{0} layer {1}").format(
            self.path, self.layer + 1)


def curve_paths(curves: MemoryCurves) -> list[Path_]:
    """Every path of a result: h of each layer, c of each layer (LSTM), the input."""
    n_layers = curves.h.median.shape[0]
    out = [Path_("h", k, k == n_layers - 1) for k in range(n_layers)]
    if curves.c is not None:
        out += [Path_("c", k, k == n_layers - 1) for k in range(n_layers)]
    return [*out, Path_("input", None, True)]


def path_stats(curves: MemoryCurves, p: Path_) -> Quantiles:
    """The quantiles of one path, arrays (D+1,)."""
    q = curves.inputs if p.path == "input" else curves.c if p.path == "c" else curves.h
    assert q is not None
    if p.layer is None:
        return q
    return Quantiles(q.median[p.layer], q.q25[p.layer], q.q75[p.layer])






class MemoryView(QtWidgets.QWidget):
    """Curves, bands and span table of every open model. Public for tests: ``results`` (model
    index -> MemoryCurves of the current settings), ``curves[(model index, path, layer)] ->
    (median, q25, q75)`` PlotDataItems, ``table``, ``job``."""

    title = "Memory"

    def __init__(self, workspace: Workspace, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.corpus = DEFAULT_CORPUS
        self._cache: dict[tuple[int, Settings], tuple[LoadedModel, MemoryCurves]] = {}
        self._refused: dict[int, tuple[LoadedModel, Refusal | str]] = {}  # id(model) -> why not
        self.results: dict[int, MemoryCurves] = {}
        self.curves: dict[tuple[int, str, int | None], tuple[pg.PlotDataItem, ...]] = {}
        self.job: Job | None = None
        self.queue = JobQueue(self)
        self._build()
        self.destroyed.connect(self.queue.cancel_all)  # a running job stops with the view
        # a slot's model replaced emits only that slot's own model_changed
        self.links = ModelLinks(self, lambda s: [(s.model_changed, self._on_models)])
        link_session(self, [(workspace.models_changed, self._on_models)])
        self._on_models()

    # ---- widgets ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.corpus_label = cm.status_label()
        pick = QtWidgets.QPushButton(self.tr("Corpus…"))
        pick.setToolTip(self.tr("Choose a text file (one sentence a line, read as 'rnnviz eval' "
                                "reads it; character models read its characters)"))
        pick.clicked.connect(self._choose_corpus)
        self.tokens = QtWidgets.QSpinBox()
        self.tokens.setRange(10, 1_000_000)
        self.tokens.setValue(DEFAULT_TOKENS)
        self.tokens.setPrefix(self.tr("N = "))
        self.tokens.setToolTip(self.tr("Use the first N tokens of the corpus"))
        self.distance = QtWidgets.QSpinBox()
        self.distance.setRange(1, 2000)
        self.distance.setValue(DEFAULT_DISTANCE)
        self.distance.setPrefix(self.tr("D = "))
        self.distance.setToolTip(self.tr("Largest distance d"))
        for spin in (self.tokens, self.distance):
            spin.valueChanged.connect(self._settings_changed)
        self.run_button = QtWidgets.QPushButton(self.tr("Compute"))
        self.run_button.clicked.connect(self.compute)
        self.cancel_button = QtWidgets.QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QtWidgets.QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setMaximumWidth(120)
        self.progress.setTextVisible(False)
        top = QtWidgets.QHBoxLayout()
        top.addWidget(self.corpus_label, 1)
        widgets: tuple[QtWidgets.QWidget, ...] = (pick, self.tokens, self.distance,
                                                   self.run_button, self.cancel_button,
                                                   self.progress)
        for w in widgets:
            top.addWidget(w)
        self.checks = {key: QtWidgets.QCheckBox(text) for key, text in (
            ("h", self.tr("h")), ("c", self.tr("cell state c")), ("input", self.tr("input")),
            ("lower", self.tr("lower layers")), ("band", self.tr("25–75% band")))}
        for key in ("h", "c", "band"):
            self.checks[key].setChecked(True)
        show = QtWidgets.QHBoxLayout()
        show.addWidget(QtWidgets.QLabel(self.tr("show")))
        for box in self.checks.values():
            box.toggled.connect(self.redraw)
            show.addWidget(box)
        show.addStretch(1)
        self.status = cm.status_label()
        show.addWidget(self.status, 2)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("w")
        self.plot = pg.PlotItem(axisItems={"left": cm.LogAxis("left")})
        cm.quiet_plot(self.plot)
        self.plot.setLogMode(x=False, y=True)
        self.plot.setLabel("left", self.tr("median ||d l_t / d x_(t-d)|| (log)"))
        self.plot.setLabel("bottom", self.tr("d: steps back (each model's own tokens)"))
        self.plot.showGrid(x=False, y=True, alpha=0.3)
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        self.legend = self.plot.addLegend(offset=(10, -10), labelTextColor=(30, 30, 30),
                                          brush=pg.mkBrush(255, 255, 255, 220))
        self.graphics.addItem(self.plot)
        self.table = QtWidgets.QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(
            [self.tr("model"), self.tr("path"), self.tr("span"), self.tr("d = 0"),
             self.tr("d = D")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setToolTip(self.tr("Span: the largest d whose median is still at least 1% "
                                      "of its value at d = 0"))
        self.table.horizontalHeader().setSectionResizeMode(
            QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        split = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        split.addWidget(self.graphics)
        split.addWidget(self.table)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([900, 360])
        self.note = QtWidgets.QLabel(self.tr(
            "Median over the corpus positions t of the gradient of the loss at t with respect "
            "to the state d steps earlier; shaded: 25–75% of positions. Solid: hidden state h, "
            "dashed: LSTM cell state c, dotted: input embedding; thin: lower layers."))
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #57606a;")
        lay = QtWidgets.QVBoxLayout(self)
        lay.addLayout(top)
        lay.addLayout(show)
        lay.addWidget(split, 1)
        lay.addWidget(self.note)
        self._show_corpus()
        self._set_running(False)

    def _show_corpus(self) -> None:
        name = self.corpus.name
        if self.corpus == DEFAULT_CORPUS:
            text = self.tr("corpus: {0} (shipped: text sampled from ptb-lstm)").format(name)
        else:
            text = self.tr("corpus: {0}").format(name)
        self.corpus_label.setText(text)
        self.corpus_label.setToolTip(str(self.corpus))

    def _set_running(self, running: bool) -> None:
        self.cancel_button.setEnabled(running)
        self.progress.setVisible(running)

    # ---- requests -----------------------------------------------------------------------------
    def settings(self) -> Settings:
        return Settings(str(self.corpus), self.tokens.value(), self.distance.value())

    def set_corpus(self, path: str | Path) -> None:
        """Use another corpus file and compute again (when shown)."""
        self.corpus = Path(path)
        self._show_corpus()
        if self.isVisible():
            self.compute()

    def _settings_changed(self) -> None:
        self.status.setText(self.tr("N or D changed: press Compute"))

    def _choose_corpus(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            self, self.tr("Corpus for the memory curves"), str(self.corpus.parent),
            self.tr("Text files (*.txt);;All files (*)"))
        if path:
            self.set_corpus(path)

    def showEvent(self, event: QtGui.QShowEvent) -> None:
        super().showEvent(event)
        if self.job is None and self._missing():
            self.compute()

    def _models(self) -> list[LoadedModel]:
        return [s.model for s in self.workspace.models if s.model is not None]

    def _missing(self) -> list[LoadedModel]:
        key = self.settings()
        return [m for m in self._models()
                if (id(m), key) not in self._cache and id(m) not in self._refused]

    def _on_models(self) -> None:
        """Keep results of open models only; compute the new ones when shown. Also called when
        one slot's model is replaced (that emits only the slot's own model_changed)."""
        self.links.relink(self.workspace.models)
        open_ids = {id(m) for m in self._models()}
        self._cache = {k: v for k, v in self._cache.items() if k[0] in open_ids}
        self._refused = {k: v for k, v in self._refused.items() if k in open_ids}
        self._collect()
        if self.isVisible() and self._missing():
            self.compute()

    def compute(self) -> None:
        """Compute the models that have no result for the current settings (supersedes a
        running job)."""
        self.cancel()
        self._collect()
        key = self.settings()
        for m in self._missing():
            why = memory_refusal(m)
            if why is not None:
                self._refused[id(m)] = (m, why)
        missing = self._missing()
        if not missing:
            self.status.setText(self._summary())
            return

        def work(progress: Progress) -> Iterator[tuple[LoadedModel, MemoryCurves | str]]:
            text = read_text(key.corpus)
            for k, m in enumerate(missing):
                def part(_i: int, f: float, k: int = k) -> bool:
                    return progress((k + f) / len(missing))

                try:  # a kind with no memory curves (CBOW, ...) does not stop the others
                    yield m, models_memory([m], text, key.tokens, key.distance, part)[0]
                except NotForThisModel as e:
                    yield m, str(e)

        self.job = Job(work, "memory curves", key)
        for sig, slot in ((self.job.signals.progress, self._on_progress),
                          (self.job.signals.partial, self._on_partial),
                          (self.job.signals.done, self._on_done),
                          (self.job.signals.failed, self._on_failed),
                          (self.job.signals.cancelled, self._on_cancelled)):
            sig.connect(slot)
        self.status.setText(self.tr("computing {0} model(s)…").format(len(missing)))
        self.progress.setValue(0)
        self._set_running(True)
        self.queue.submit(self.job)

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.job = None
            self._set_running(False)

    def shutdown(self) -> None:
        """Cancel the background job and wait for its thread (the window calls this on close)."""
        self.job = None
        self.queue.shutdown()

    @property
    def idle(self) -> bool:
        return self.job is None

    def _on_progress(self, job: Job, fraction: float) -> None:
        if job is self.job:
            self.progress.setValue(int(fraction * 1000))

    def _on_partial(self, job: Job, item: tuple[LoadedModel, MemoryCurves | str]) -> None:
        model, curves = item
        if isinstance(curves, str):
            self._refused[id(model)] = (model, curves)
            return
        # one result per open model: other settings are recomputed when asked for again
        self._cache = {k: v for k, v in self._cache.items() if k[0] != id(model)}
        self._cache[(id(model), job.context)] = (model, curves)
        if job is self.job:
            self._collect()

    def _finish(self, job: Job, message: str) -> None:
        if job is self.job:
            self.job = None
            self._set_running(False)
            self.status.setText(message)

    def _on_done(self, job: Job, _result: object) -> None:
        self._finish(job, self._summary())

    def _on_failed(self, job: Job, error: BaseException) -> None:
        self._finish(job, " ".join(str(error).split()) or type(error).__name__)

    def _on_cancelled(self, job: Job) -> None:
        self._finish(job, self.tr("cancelled"))

    def _summary(self) -> str:
        refused = "; ".join(refusal_text(why) if isinstance(why, Refusal) else f"{m.name}: {why}"
                            for m, why in self._refused.values())
        if not self.results:
            return refused
        n = min(c.tokens for c in self.results.values())
        done = self.tr("{0} tokens, d = 0..{1}, targets t = {1}..{2}").format(
            n, self.distance.value(), n - 2)
        return f"{done}   ·   {refused}" if refused else done

    # ---- drawing ------------------------------------------------------------------------------
    def _collect(self) -> None:
        """results <- the cached curves of the open models for the current settings."""
        key = self.settings()
        self.results = {}
        for i, s in enumerate(self.workspace.models):
            hit = None if s.model is None else self._cache.get((id(s.model), key))
            if hit is not None:
                self.results[i] = hit[1]
        self.redraw()
        self._fill_table()

    def redraw(self) -> None:
        """Rebuild every curve (results and choices change rarely)."""
        self.plot.clear()
        self.legend.clear()
        self.curves = {}
        names = [s.name for s in self.workspace.models]
        for i, curves in self.results.items():
            n_layers = curves.h.median.shape[0]
            for p in curve_paths(curves):
                if not self._shown(p):
                    continue
                self.curves[(i, p.path, p.layer)] = self._draw(
                    i, p, path_stats(curves, p), names[i] if p.top and p.path == "h" else None,
                    n_layers)

    def _shown(self, p: Path_) -> bool:
        return self.checks[p.path].isChecked() and (p.top or self.checks["lower"].isChecked())

    def _draw(self, i: int, p: Path_, q: Quantiles, name: str | None,
              n_layers: int) -> tuple[pg.PlotDataItem, ...]:
        colour = QtGui.QColor(model_colour(i))
        pen = pg.mkPen(colour, width=2.4 if p.top else 1.2, style=STYLES[p.path])
        x = np.arange(q.median.shape[0], dtype=np.float64)
        med = pg.PlotDataItem(x, np.maximum(q.median, FLOOR), pen=pen, name=name)
        med.setToolTip(f"{p.label(n_layers)}")
        edge = QtGui.QColor(colour)  # the quartiles as faint lines (a curve needs a pen to
        edge.setAlpha(70 if self.checks["band"].isChecked() else 0)  # have a path to fill)
        lo = pg.PlotDataItem(x, np.maximum(q.q25, FLOOR), pen=pg.mkPen(edge, width=0.8))
        hi = pg.PlotDataItem(x, np.maximum(q.q75, FLOOR), pen=pg.mkPen(edge, width=0.8))
        for item in (lo, hi, med):
            self.plot.addItem(item)
        if self.checks["band"].isChecked():
            fill = QtGui.QColor(colour)
            fill.setAlpha(38 if p.top else 18)
            band = pg.FillBetweenItem(lo, hi, brush=fill)
            band.setZValue(-10)
            self.plot.addItem(band)
        return med, lo, hi

    def _fill_table(self) -> None:
        names = [s.name for s in self.workspace.models]
        rows = [(names[i], p.label(c.h.median.shape[0]), path_stats(c, p))
                for i, c in self.results.items() for p in curve_paths(c)]
        self.table.setRowCount(len(rows))
        for r, (name, label, q) in enumerate(rows):
            span = int(np.asarray(q.span))
            cells = (name, label, str(span), f"{q.median[0]:.3g}", f"{q.median[-1]:.3g}")
            for col, text in enumerate(cells):
                item = QtWidgets.QTableWidgetItem(text)
                if col >= 2:
                    item.setTextAlignment(QtCore.Qt.AlignmentFlag.AlignRight
                                          | QtCore.Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, col, item)
