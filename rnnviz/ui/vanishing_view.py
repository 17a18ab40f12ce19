"""'Why it vanishes': what each step does to a gradient passing back through it.

Left: the spectral norm of every step's Jacobian d s_t / d s_{t-1} (s = h; the LSTM's (h, c)),
per model (colour) and layer (thick: top; the legend says so), against the 1-based step.
Middle (LSTMs): the mean forget gate per step and the running product of forget gates since a
chosen step, the factor the cell path keeps. Right: at the cursor, the top layer's gradient
against distance and the chain rule's bound, the product of the step norms. Computed in the
background per run of the text.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from rnnviz.engine.network import RNNLM
from rnnviz.session import ModelSession, Workspace
from rnnviz.session.trace import Trace
from rnnviz.session.vanishing import StepFactors, gradient_bound, step_factors, top_state_gradient
from rnnviz.ui import colormaps as cm
from rnnviz.ui.binding import ModelLinks, link_session
from rnnviz.ui.columns import model_colour
from rnnviz.ui.i18n import QT_TRANSLATE_NOOP
from rnnviz.ui.workers import Job, JobQueue, Progress

FLOOR = 1e-30
BOUND_NOTE = QT_TRANSLATE_NOOP(
    "VanishingView",
    "The gradient at distance d is at most the product of the d step-Jacobian norms: "
    "||dl_t/ds_(t-d)|| <= ||dl_t/ds_t|| x ||J_t|| x ... x ||J_(t-d+1)|| (top layer; "
    "s = h, or (h, c) for the LSTM). Norms above 1 allow growth but do not force it: "
    "where the true curve falls far below the bound, the gradient does not line up "
    "with the directions a step stretches.")


def _plot(title: str, left: str, bottom: str, log: bool) -> pg.PlotItem:
    plot = pg.PlotItem(title=title, axisItems={"left": cm.LogAxis("left"),
                                               "bottom": cm.CountAxis("bottom")})
    cm.quiet_plot(plot)
    plot.setLogMode(x=False, y=log)
    plot.setLabel("left", left)
    plot.setLabel("bottom", bottom)
    plot.showGrid(x=False, y=True, alpha=0.3)
    plot.getAxis("left").enableAutoSIPrefix(False)
    return plot






class VanishingView(QtWidgets.QWidget):
    """Three plots over every model. Public for tests: ``factors`` (model index ->
    StepFactors of its current trace), ``items[(plot, model index, name)]`` PlotDataItems."""

    title = "Why it vanishes"

    def __init__(self, workspace: Workspace, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self._cache: dict[int, tuple[Trace, StepFactors]] = {}
        self.factors: dict[int, StepFactors] = {}
        self.items: dict[tuple[str, int, str], pg.PlotDataItem] = {}
        self.job: Job | None = None
        self.queue = JobQueue(self)
        self._build()
        self.destroyed.connect(self.queue.cancel_all)
        self.links = ModelLinks(self, lambda s: [(s.trace_changed, self._on_models),
                                                 (s.gradients_changed, self.redraw)])
        link_session(self, [(workspace.models_changed, self._on_models),
                            (workspace.text_changed, self._on_models),
                            (workspace.traced_changed, self.redraw),
                            (workspace.cursor_changed, self._on_cursor)])
        self._on_models()

    def _build(self) -> None:
        note = QtWidgets.QLabel(self.tr(BOUND_NOTE))
        note.setWordWrap(True)
        note.setStyleSheet("color: #57606a;")
        self.status = cm.status_label()
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("w")
        self.norm_plot = _plot(self.tr("step Jacobian norm"), self.tr("||J_t||_2"),
                               self.tr("step t"), log=False)
        self.forget_plot = _plot(self.tr("LSTM forget gates: mean f, prod f"),
                                 self.tr("mean f (solid), mean prod f (dashed)"),
                                 self.tr("step t"), log=True)
        self.bound_plot = _plot(self.tr("gradient (solid), bound (dotted)"),
                                self.tr("top layer ||dl_t/ds_(t-d)|| (log)"),
                                self.tr("d: steps back from the cursor"), log=True)
        self.legend = self.norm_plot.addLegend(offset=(10, 10), labelTextColor=(30, 30, 30),
                                               brush=pg.mkBrush(255, 255, 255, 220))
        for i, p in enumerate((self.norm_plot, self.forget_plot, self.bound_plot)):
            self.graphics.addItem(p, row=0, col=i)
            self.graphics.ci.layout.setColumnStretchFactor(i, 1)
        self.no_lstm = pg.TextItem(self.tr("no LSTM open:\nforget gates are an LSTM's"),
                                   color=(87, 96, 106), anchor=(0.5, 0.5))
        self.cursor_lines = [pg.InfiniteLine(angle=90, pen=pg.mkPen(120, 120, 120, width=1))
                             for _ in range(2)]
        self.since = QtWidgets.QSpinBox()
        self.since.setRange(1, 1_000_000)
        self.since.setPrefix(self.tr("forget-gate product since step "))
        self.since.setToolTip(self.tr("prod_(u = s+1..t) f_u: how much of the cell state at "
                                      "step s the forget gates alone keep until step t"))
        self.since.valueChanged.connect(self.redraw)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.since)
        row.addWidget(self.status, 1)
        lay = QtWidgets.QVBoxLayout(self)
        lay.addWidget(note)
        lay.addLayout(row)
        lay.addWidget(self.graphics, 1)

    # ---- data -------------------------------------------------------------------------------
    @property
    def since_step(self) -> int:
        """The chosen step of the forget-gate product, 0-based."""
        return self.since.value() - 1

    def shutdown(self) -> None:
        """Cancel the background job and wait for its thread (the window calls this on close)."""
        self.job = None
        self.queue.shutdown()

    @property
    def idle(self) -> bool:
        return self.job is None

    def _on_models(self) -> None:
        self.links.relink(self.workspace.models)
        live = {id(s.trace) for s in self.workspace.models if s.trace is not None}
        self._cache = {k: v for k, v in self._cache.items() if k in live}
        self._collect()
        if self.isVisible() and self._missing():
            self.compute()

    def showEvent(self, event: QtGui.QShowEvent) -> None:
        super().showEvent(event)
        if self._missing():
            self.compute()
        self.redraw()

    def _missing(self) -> list[tuple[RNNLM, Trace]]:
        return [(s.engine, s.trace) for s in self.workspace.models
                if isinstance(s.engine, RNNLM) and s.trace is not None
                and id(s.trace) not in self._cache]

    def compute(self) -> None:
        """Step factors of every run that has none (supersedes a running job)."""
        if self.job is not None:
            self.job.cancel()
        missing = self._missing()
        if not missing:
            self.job = None
            self.status.setText(self._skipped_note())
            return

        def work(progress: Progress) -> Iterator[tuple[Trace, StepFactors]]:
            for k, (engine, trace) in enumerate(missing):
                def part(f: float, k: int = k) -> bool:
                    return progress((k + f) / len(missing))

                yield trace, step_factors(engine, trace, part)

        self.job = Job(work, "step Jacobians")
        self.job.signals.partial.connect(self._on_partial)
        self.job.signals.done.connect(self._on_done)
        self.job.signals.failed.connect(self._on_failed)
        self.job.signals.cancelled.connect(self._on_done)
        self.status.setText(self.tr("computing step Jacobians…"))
        self.queue.submit(self.job)

    def _on_partial(self, job: Job, item: tuple[Trace, StepFactors]) -> None:
        trace, factors = item
        self._cache[id(trace)] = (trace, factors)
        if job is self.job:
            self._collect()

    def _on_done(self, job: Job, *_: object) -> None:
        if job is self.job:
            self.job = None
            self.status.setText(self._skipped_note())

    def _skipped_note(self) -> str:
        """Names the open models this tab cannot draw (else an empty line)."""
        names = [s.name for s in self.workspace.models
                 if s.engine is not None and not isinstance(s.engine, RNNLM)]
        if not names:
            return ""
        return self.tr("not drawn: {0} (step Jacobians are for one-way RNN, LSTM and GRU "
                       "nets)").format(", ".join(names))

    def _on_failed(self, job: Job, error: BaseException) -> None:
        if job is self.job:
            self.job = None
            self.status.setText(" ".join(str(error).split()))

    def _collect(self) -> None:
        self.factors = {}
        for i, s in enumerate(self.workspace.models):
            hit = None if s.trace is None else self._cache.get(id(s.trace))
            if hit is not None and hit[0] is s.trace:
                self.factors[i] = hit[1]
        self.redraw()

    def _on_cursor(self, _t: int) -> None:
        self.redraw()

    # ---- drawing ----------------------------------------------------------------------------
    def _add(self, plot: pg.PlotItem, key: tuple[str, int, str], x: np.ndarray, y: np.ndarray,
             pen: QtGui.QPen, name: str | None = None) -> None:
        item = pg.PlotDataItem(x, y, pen=pen, name=name)
        plot.addItem(item)
        self.items[key] = item

    def redraw(self, *_: object) -> None:
        """Rebuild the curves (only while shown: the bound needs the cursor's gradient row)."""
        if not self.isVisible():
            return
        for p in (self.norm_plot, self.forget_plot, self.bound_plot):
            p.clear()
        self.legend.clear()
        self.items = {}
        for i, f in self.factors.items():
            self._draw_model(i, self.workspace.models[i], f)
        self._mark_lower_layers()
        self._explain_empty_forget_plot()
        t = self.workspace.lead.cursor if self.workspace.lead is not None else 0
        for line, plot in zip(self.cursor_lines, (self.norm_plot, self.forget_plot),
                              strict=True):
            line.setValue(t + 1)
            plot.addItem(line)

    def _mark_lower_layers(self) -> None:
        """A grey legend row for the thin lines when some model has more than one layer."""
        if any(f.norms.shape[0] > 1 for f in self.factors.values()):
            sample = pg.PlotDataItem(pen=pg.mkPen(110, 110, 110, width=1.0))
            self.legend.addItem(sample, self.tr("thin: lower layers"))

    def _explain_empty_forget_plot(self) -> None:
        """With no LSTM drawn, say so in the middle plot and give it a plain range."""
        if any(key[0] == "forget" for key in self.items):
            self.forget_plot.enableAutoRange()
            return
        steps = max((f.norms.shape[1] for f in self.factors.values()), default=2)
        self.forget_plot.setXRange(1, max(steps, 2), padding=0.05)
        self.forget_plot.setYRange(-2, 0, padding=0.05)  # log10: 0.01 .. 1
        self.no_lstm.setPos((1 + max(steps, 2)) / 2, -1)
        self.forget_plot.addItem(self.no_lstm)

    def _draw_model(self, i: int, s: ModelSession, f: StepFactors) -> None:
        colour = QtGui.QColor(model_colour(i))
        n_layers, n_steps = f.norms.shape
        steps = np.arange(1, n_steps + 1, dtype=np.float64)  # 1-based, as the status bar counts
        for k in range(n_layers):
            top = k == n_layers - 1
            pen = pg.mkPen(colour, width=2.2 if top else 1.0)
            self._add(self.norm_plot, ("norm", i, f"layer {k}"), steps[1:], f.norms[k, 1:], pen,
                      s.name if top else None)
            if f.forget_mean is not None:
                self._add(self.forget_plot, ("forget", i, f"layer {k}"), steps,
                          f.forget_mean[k], pen)
                since = min(self.since_step, n_steps - 1)
                prod = f.forget_product_mean(since)
                assert prod is not None
                dashed = pg.mkPen(colour, width=2.2 if top else 1.0,
                                  style=QtCore.Qt.PenStyle.DashLine)
                self._add(self.forget_plot, ("product", i, f"layer {k}"), steps[since:],
                          np.maximum(prod[k, since:], FLOOR), dashed)
        self._draw_bound(i, s, f, colour)

    def _draw_bound(self, i: int, s: ModelSession, f: StepFactors, colour: QtGui.QColor) -> None:
        if s.trace is None or s.engine is None:
            return
        t = s.cursor
        g = top_state_gradient(s.gradient_row(t))  # (t+1,) over s; one row, fast
        bound = gradient_bound(f.norms[-1], float(g[t]), t)
        d = np.arange(t + 1, dtype=np.float64)
        self._add(self.bound_plot, ("gradient", i, "top"), d, np.maximum(g[::-1], FLOOR),
                  pg.mkPen(colour, width=2.2))
        self._add(self.bound_plot, ("bound", i, "top"), d, np.maximum(bound[::-1], FLOOR),
                  pg.mkPen(colour, width=1.4, style=QtCore.Qt.PenStyle.DotLine))
