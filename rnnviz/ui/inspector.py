"""Unit inspector: one unit (h, c or a gate) of the selected model followed over the text and a
corpus. Coloured text (each token's background is the unit's value on a diverging scale), the
value as a line over steps, its histogram over the corpus index, the top activating corpus
contexts (click one to load that passage), and pinned units as rows of coloured text.

The corpus index is built by a background job with progress and cancel, and cached on disk
(rnnviz.corpus.index); the corpus of a model is remembered in the settings.
"""

from __future__ import annotations

import contextlib
import html
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6 import QtCore, QtWidgets

from rnnviz.checkpoints.bundled import resource_path
from rnnviz.corpus.contexts import Context, top_contexts
from rnnviz.corpus.finder import UnitScore, rank_units
from rnnviz.corpus.index import CorpusIndex, IndexSpec, load_or_build
from rnnviz.corpus.labels import BUILTIN, LabelError, make_label
from rnnviz.corpus.reader import CorpusText, read_corpus
from rnnviz.engine.factory import layer_labels
from rnnviz.session.workspace import UnitRef, Workspace
from rnnviz.ui import colormaps as cm
from rnnviz.ui.binding import RefreshWhenShown, link_session
from rnnviz.ui.coloured_text import (
    WIDTH,
    ColourBar,
    browser,
    coloured_html,
    index_kind,
    passage_text,
    scrolled,
    shrinkable,
    unit_levels,
)
from rnnviz.ui.corpus_hub import hub
from rnnviz.ui.i18n import QT_TRANSLATE_NOOP
from rnnviz.ui.workers import Job, JobQueue

TOP_K = 20
# The built-in labels of rnnviz.corpus.labels.BUILTIN, shown translated.
_LABEL_NAMES = (QT_TRANSLATE_NOOP("UnitInspector", "depth"),
                QT_TRANSLATE_NOOP("UnitInspector", "quote"),
                QT_TRANSLATE_NOOP("UnitInspector", "line-position"),
                QT_TRANSLATE_NOOP("UnitInspector", "sentence-position"),
                QT_TRANSLATE_NOOP("UnitInspector", "number"))
DEFAULT_CORPUS = {"parens-lstm": "parens-heldout.txt",
                  "shakespeare-char-lstm": "shakespeare-excerpt.txt"}


class UnitInspector(RefreshWhenShown, QtWidgets.QWidget):
    """The inspector panel (constructed as ``UnitInspector(workspace)``).

    Public for tests: ``unit`` (the UnitRef shown), ``values`` (T,) the unit over the current
    text, ``levels``, ``text_view``, ``pinned_view``, ``contexts_view``, ``high``/``low`` (the
    top contexts), ``index``, ``corpus``, ``cache_dir``, ``line``, ``hist``, ``jobs``.
    """

    index_ready = QtCore.Signal()

    def __init__(self, workspace: Workspace, parent: QtWidgets.QWidget | None = None,
                 cache_dir: str | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.unit: UnitRef | None = None
        self.values = np.zeros(0, np.float32)
        self.levels = (-1.0, 1.0)
        self.index: CorpusIndex | None = None
        self.corpus: CorpusText | None = None
        self.corpus_path: str | None = None
        self.cache_dir = cache_dir  # None: the user cache dir
        self.high: list[Context] = []
        self.low: list[Context] = []
        self.jobs = JobQueue(self)
        app = QtCore.QCoreApplication.instance()
        if app is not None:  # a running index build stops when the application quits
            app.aboutToQuit.connect(self.jobs.shutdown)
        self._job: Job | None = None
        self._index_for: tuple[int, str] | None = None  # (id of the model, corpus path)
        self._build()
        ws = workspace
        link_session(self, [(ws.models_changed, self._on_models),
                            (ws.text_changed, self.refresh_later),
                            (ws.cursor_changed, self._on_cursor),
                            (ws.selection_changed, self.refresh_later)])
        self._on_models()

    # ---- construction -------------------------------------------------------------------
    def _build(self) -> None:
        self.kind_box = QtWidgets.QComboBox()
        self.layer_spin = RowSpin()
        self.unit_spin = QtWidgets.QSpinBox()
        self.layer_spin.setPrefix(self.tr("layer "))
        self.unit_spin.setPrefix(self.tr("unit "))
        for w in (self.kind_box, self.layer_spin, self.unit_spin):
            sig = w.activated if isinstance(w, QtWidgets.QComboBox) else w.valueChanged
            sig.connect(self._on_pick)
        self.pin_button = QtWidgets.QPushButton(self.tr("Pin"))
        self.pin_button.setToolTip(self.tr("Keep this unit as a row under the text"))
        self.pin_button.clicked.connect(self._pin)
        self.corpus_button = QtWidgets.QPushButton(self.tr("Corpus…"))
        self.corpus_button.setToolTip(self.tr(
            "Text file to index: PTB-style lines for word models, any text for character models"))
        self.corpus_button.clicked.connect(self._choose_corpus)
        self.progress = QtWidgets.QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setFormat(self.tr("index %p%"))
        self.progress.setMaximumWidth(160)
        self.progress.hide()
        self.cancel_button = QtWidgets.QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.cancel_index)
        self.cancel_button.hide()
        self.status = cm.status_label()
        top = QtWidgets.QHBoxLayout()
        top.addWidget(cm.title_label(self.tr("Unit")))
        widgets: list[QtWidgets.QWidget] = [self.kind_box, self.layer_spin, self.unit_spin,
                                             self.pin_button, self.status, self.progress,
                                             self.cancel_button, self.corpus_button]
        for widget in widgets:
            top.addWidget(widget, 1 if widget is self.status else 0)
        self.text_view = browser()
        self.text_view.anchorClicked.connect(self._on_text_link)
        self.colour_bar = ColourBar()
        self.pinned_view = browser()
        self.pinned_view.anchorClicked.connect(self._on_pinned_link)
        self.line = pg.PlotWidget(background="w", axisItems={"bottom": cm.StepAxis("bottom")})
        self.line.setMenuEnabled(False)
        self.line.setLabel("bottom", self.tr("step"))
        self.track = self.line.plot(pen=pg.mkPen(cm.colour((150, 150, 150)), width=1),
                                    stepMode=None)
        self.curve = self.line.plot(pen=pg.mkPen(cm.colour(cm.LAYER_COLOURS[0]), width=1.5))
        self.line_cursor = pg.InfiniteLine(angle=90, pen=pg.mkPen(cm.colour(cm.HIGHLIGHT)))
        self.line.addItem(self.line_cursor)
        self.hist = pg.PlotWidget(background="w")
        self.hist.setMenuEnabled(False)
        self.hist.setLabel("bottom", self.tr("value over the corpus"))
        self.hist_curve = self.hist.plot(stepMode="center", fillLevel=0,
                                         brush=cm.colour(cm.BAR, 160), pen=None)
        self.hist_cursor = pg.InfiniteLine(angle=90, pen=pg.mkPen(cm.colour(cm.HIGHLIGHT)))
        self.hist.addItem(self.hist_cursor)
        self.hist_note = pg.TextItem(self.tr("no corpus indexed yet"), color=(87, 96, 106),
                                     anchor=(0.5, 0.5))
        self.contexts_view = browser()
        self.contexts_view.anchorClicked.connect(self._on_context_link)
        self.side = QtWidgets.QTabWidget()
        self.side.setDocumentMode(True)
        self.side.addTab(self.contexts_view, self.tr("Top contexts"))
        self.side.addTab(self._build_finder(), self.tr("Find units"))
        shrinkable(self.line, self.hist, self.side)
        left = QtWidgets.QVBoxLayout()
        left.addWidget(self.text_view, 3)
        left.addWidget(self.colour_bar)
        left.addWidget(self.pinned_view, 2)
        mid = QtWidgets.QVBoxLayout()
        mid.addWidget(self.line, 1)
        mid.addWidget(self.hist, 1)
        body = QtWidgets.QHBoxLayout()
        body.addLayout(left, 4)
        body.addLayout(mid, 3)
        body.addWidget(self.side, 4)
        inner = QtWidgets.QWidget()
        outer = QtWidgets.QVBoxLayout(inner)
        outer.setContentsMargins(4, 4, 4, 4)
        outer.addLayout(top)
        outer.addLayout(body, 1)
        scrolled(self, inner)

    def _build_finder(self) -> QtWidgets.QWidget:
        """The unit finder: a label, a button, the best units by |r| (click one to inspect it)."""
        self.label_box = QtWidgets.QComboBox()
        self.label_box.setEditable(True)
        self.label_box.addItems([self.tr(name) for name in BUILTIN])
        self.label_box.setToolTip(self.tr(
            "A built-in label, regex:PATTERN or file:PATH (one value per corpus token); drawn as "
            "a grey track on the step plot"))
        self.label_box.currentTextChanged.connect(self._draw_track)
        self.find_button = QtWidgets.QPushButton(self.tr("Find units"))
        self.find_button.clicked.connect(self.find_units)
        self.finder_view = browser()
        self.finder_view.setMinimumHeight(0)
        self.finder_view.anchorClicked.connect(self._on_finder_link)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(QtWidgets.QLabel(self.tr("label")))
        row.addWidget(self.label_box, 1)
        row.addWidget(self.find_button)
        box = QtWidgets.QWidget()
        lay = QtWidgets.QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(row)
        lay.addWidget(self.finder_view, 1)
        self.found: list[UnitScore] = []
        return box

    # ---- the unit -----------------------------------------------------------------------
    def _session(self, unit: UnitRef | None) -> Any:
        models = self.workspace.models
        if unit is None or not models:
            return None
        return models[unit.model] if unit.model < len(models) else None

    def current_unit(self) -> UnitRef | None:
        """The workspace's selected unit, else unit 0 of layer 1's h of the first model."""
        ws = self.workspace
        if ws.selected_unit is not None and self._session(ws.selected_unit) is not None:
            return ws.selected_unit
        lead = ws.lead
        return UnitRef(0, "h", 0, 0) if lead is not None and lead.model is not None else None

    def _on_models(self) -> None:
        session = self._session(self.current_unit())
        if session is not None and session.model is not None:
            kinds = session.state_kinds()
            self.kind_box.blockSignals(True)
            self.kind_box.clear()
            self.kind_box.addItems(list(kinds))
            self.kind_box.blockSignals(False)
            self.layer_spin.set_rows(self.row_names(session))
            self.unit_spin.setRange(0, session.model.params.hidden_size - 1)
            self._default_corpus(session)
        self.refresh()

    def _on_pick(self, *_: Any) -> None:
        kind = self.kind_box.currentText() or "h"
        model = self.unit.model if self.unit is not None else 0
        self.workspace.set_selected_unit(UnitRef(model, kind, self.layer_spin.value() - 1,
                                                 self.unit_spin.value()))

    def _pin(self) -> None:
        if self.unit is not None:
            self.workspace.pin_unit(self.unit)

    def unit_values(self, unit: UnitRef) -> tuple[list[str], NDArray[np.float32]]:
        """(tokens, values (T,)) of a unit over its model's current text."""
        session = self._session(unit)
        if session is None or session.trace is None or unit.kind not in session.state_kinds():
            return [], np.zeros(0, np.float32)
        states = session.trace.states(unit.kind)  # (L, T, H)
        if unit.layer >= states.shape[0] or unit.unit >= states.shape[2]:
            return [], np.zeros(0, np.float32)
        return ([t.text for t in session.trace.tokens],
                np.array(states[unit.layer, :, unit.unit], np.float32))

    def label_spec(self) -> str:
        """The label the box names: a built-in shown in the UI language is its English name."""
        text = self.label_box.currentText().strip()
        return {self.tr(name): name for name in BUILTIN}.get(text, text)

    def row_names(self, session: Any) -> list[str]:
        """The displayed rows' names after the 'layer ' prefix: '1', '2', ... or '1 →', '1 ←',
        ... for a bidirectional net (every row the heatmap shows can be picked)."""
        labels = layer_labels(session.engine) if session.engine is not None else ("layer 1",)
        return [label.removeprefix("layer ") for label in labels]

    def unit_name(self, unit: UnitRef) -> str:
        """'layer 1, h unit 17' ('layer 1 ←, ...' for a reverse row) in the UI language
        (UnitRef.label() is the English)."""
        session = self._session(unit)
        names = self.row_names(session) if session is not None else []
        row = names[unit.layer] if unit.layer < len(names) else str(unit.layer + 1)
        return self.tr("layer {0}, {1} unit {2}").format(row, unit.kind, unit.unit)

    def refresh(self, *_: Any) -> None:
        """Redraw everything for the current unit, text and cursor."""
        self.unit = unit = self.current_unit()
        if unit is None:
            self.text_view.setHtml(self.tr("<i>Open a model and type a text.</i>"))
            return
        self._follow_model()
        for w, v in ((self.layer_spin, unit.layer + 1), (self.unit_spin, unit.unit)):
            w.blockSignals(True)
            w.setValue(v)
            w.blockSignals(False)
        self.kind_box.setCurrentText(unit.kind)
        tokens, self.values = self.unit_values(unit)
        self.levels = unit_levels(unit.kind, self.values)
        self.colour_bar.set_levels(self.levels)
        session = self._session(unit)
        tokenizer = session.model.tokenizer if session is not None and session.model else "word"
        self._tokenizer = tokenizer
        self._tokens = tokens
        self.curve.setData(np.arange(len(self.values)), self.values)
        self._draw_track()
        self._draw_text()
        self._draw_pinned()
        self._draw_corpus()

    def _draw_track(self, *_: Any) -> None:
        """The chosen label over the current text, scaled into the unit's value range (none when
        flat over it); the plot's title says what the grey line is."""
        spec = self.label_spec()
        tokens = getattr(self, "_tokens", [])
        self.line.setTitle(None)
        y = None
        if tokens and spec and not spec.startswith("file:"):
            with contextlib.suppress(LabelError):
                y = make_label(spec, tokens, self._tokenizer).values
        if y is None or not np.ptp(y):  # no label, or one that is flat over this text
            self.track.setData([], [])
            return
        lo, hi = (float(self.values.min()), float(self.values.max())) if self.values.size \
            else (0.0, 1.0)
        span = float(y.max() - y.min())
        self.track.setData(np.arange(len(y)), lo + (y - y.min()) / span * ((hi - lo) or 1.0))
        self.line.setTitle(self.tr("grey: label '{0}' (Find units), scaled").format(spec),
                           color=(90, 90, 90), size="8pt")  # above the curves, never over them

    def find_units(self) -> None:
        """Rank every h and c unit of the indexed model by |r| with the label (background)."""
        if not self._index_usable() or self.corpus is None or self.index is None:
            self.finder_view.setHtml(self.tr("<i>Index a corpus first.</i>"))
            return
        spec = self.label_spec()
        corpus, index = self.corpus, self.index

        def work(progress: Any) -> list[UnitScore]:
            return rank_units(index, make_label(spec, corpus.tokens, corpus.tokenizer), 10)

        job = Job(work, f"find units: {spec}", spec)
        job.signals.done.connect(self._on_found)
        job.signals.failed.connect(self._on_find_failed)
        self.finder_view.setHtml(self.tr("<i>ranking units by |r| with {0}…</i>").format(
            html.escape(spec)))
        self.jobs.submit(job)

    def _on_found(self, job: Job, units: list[UnitScore]) -> None:
        self.found = units[:10]
        rows = [self.tr("<b>{0}</b>: {1} units by |r| (accuracy: one-unit threshold, last 20% of "
                        "the corpus)").format(html.escape(str(job.context)), len(units))]
        for k, u in enumerate(self.found):
            acc = "" if u.threshold_accuracy is None else self.tr(", accuracy {0}").format(
                f"{u.threshold_accuracy:.3f}")
            rows.append(f'<p style="margin:2px"><a href="unit:{k}">'
                        + self.unit_name(UnitRef(0, u.kind, u.layer, u.unit))
                        + f"</a>: r = {u.r:+.3f}{acc}</p>")
        self.finder_view.setHtml("".join(rows))

    def _on_find_failed(self, job: Job, error: Exception) -> None:
        self.finder_view.setHtml(f"<i>{html.escape(str(error))}</i>")

    def _on_finder_link(self, url: QtCore.QUrl) -> None:
        s = url.toString()
        if s.startswith("unit:") and self.unit is not None:
            u = self.found[int(s[5:])]
            self.workspace.set_selected_unit(UnitRef(self.unit.model, u.kind, u.layer, u.unit))

    def _on_cursor(self, t: int) -> None:
        if self.hidden_in_window():  # another tab is in front: redraw when shown
            self._stale = True
            return
        self._draw_text()
        self._draw_pinned()
        self._mark_value()

    def _cursor_step(self) -> int:
        session = self._session(self.unit)
        return int(session.cursor) if session is not None else 0

    def _draw_text(self) -> None:
        if self.unit is None:
            return
        t = self._cursor_step()
        body = coloured_html(self._tokens, self.values, self.levels, self._tokenizer, "t:", t)
        self.text_view.setHtml(f'<div style="font-family:monospace;font-size:13pt">{body}</div>')
        self.line_cursor.setPos(t)
        if t < len(self.values):
            self.status.setText(self.tr("{0} of model {1} = {2} at step {3}").format(
                self.unit_name(self.unit), self.unit.model + 1, f"{self.values[t]:+.4f}", t + 1))
        else:
            self.status.setText(self.tr("{0} of model {1}").format(self.unit_name(self.unit),
                                                                    self.unit.model + 1))
        self._mark_value()

    def _mark_value(self) -> None:
        t = self._cursor_step()
        if t < len(self.values):
            self.hist_cursor.setPos(float(self.values[t]))
            self.line_cursor.setPos(t)

    def _draw_pinned(self) -> None:
        rows = []
        t = self._cursor_step()
        for k, unit in enumerate(self.workspace.pinned_units):
            tokens, values = self.unit_values(unit)
            session = self._session(unit)
            tok = session.model.tokenizer if session is not None and session.model else "word"
            body = coloured_html(tokens, values, unit_levels(unit.kind, values), tok, mark=t)
            rows.append(f'<p><a href="unpin:{k}">✕</a> <a href="show:{k}">'
                        + self.unit_name(unit) + "</a> "
                        + self.tr("(model {0})").format(unit.model + 1)
                        + f'<br><span style="font-family:monospace">{body}</span></p>')
        self.pinned_view.setHtml("".join(rows) or self.tr(
            "<i>Pinned units appear here, one row each.</i>"))

    def _on_text_link(self, url: QtCore.QUrl) -> None:
        s = url.toString()
        if s.startswith("t:"):
            self.workspace.set_cursor(self.workspace.lead_step(self._session(self.unit),
                                                               int(s[2:])))

    def _on_pinned_link(self, url: QtCore.QUrl) -> None:
        kind, _, k = url.toString().partition(":")
        pinned = self.workspace.pinned_units
        if not k.isdigit() or int(k) >= len(pinned):
            return
        unit = pinned[int(k)]
        if kind == "unpin":
            self.workspace.unpin_unit(unit)
        else:
            self.workspace.set_selected_unit(unit)

    # ---- the corpus ---------------------------------------------------------------------
    def _settings_key(self, session: Any) -> str:
        return f"corpus/{session.model.name}"

    def _follow_model(self) -> None:
        """When the unit belongs to another model than the index, index that model's corpus."""
        session = self._session(self.unit)
        if session is None or session.model is None:
            return
        indexed_for = self._index_for[0] if self._index_for is not None else None
        building_for = self._job.context[0] if self._job is not None else None
        if id(session.model) not in (indexed_for, building_for):
            self._default_corpus(session)

    def _default_corpus(self, session: Any) -> None:
        """The remembered corpus of this model, else a bundled excerpt; start indexing it."""
        remembered = str(QtCore.QSettings().value(self._settings_key(session), "") or "")
        bundled = DEFAULT_CORPUS.get(session.model.name)
        path = remembered or (str(resource_path("corpus", bundled)) if bundled else "")
        if path and Path(path).is_file():
            self.set_corpus(path)
        else:
            self.status.setText(self.tr(
                "No corpus yet: choose one with Corpus… (e.g. ptb.valid.txt)"))

    def _choose_corpus(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, self.tr("Corpus to index"), "",
                                                        self.tr("Text (*.txt);;All files (*)"))
        if path:
            session = self._session(self.unit)
            if session is not None and session.model is not None:
                QtCore.QSettings().setValue(self._settings_key(session), path)
            self.set_corpus(path)

    def set_corpus(self, path: str) -> None:
        """Index ``path`` for the unit's model in the background (cached: fast when seen)."""
        session = self._session(self.current_unit())
        if session is None or session.model is None:
            return
        model = session.model
        key = (id(model), path)
        if key == self._index_for and self.index is not None:
            return
        if self._job is not None and self._job.context == key:
            return  # already being built
        self.cancel_index()
        self.corpus_path, self.index, self.corpus = path, None, None
        cache = self.cache_dir

        def build(progress: Any) -> tuple[CorpusText, CorpusIndex]:
            corpus = read_corpus(path, model)
            spec = IndexSpec.for_length(len(corpus))
            return corpus, load_or_build(model, corpus, cache, spec, progress)

        job = Job(build, f"index {Path(path).name}", key)
        job.signals.progress.connect(self._on_progress)
        job.signals.done.connect(self._on_index_done)
        job.signals.failed.connect(self._on_index_failed)
        job.signals.cancelled.connect(self._on_index_cancelled)
        self._job = job
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()
        self.jobs.submit(job)

    def shutdown(self) -> None:
        """Stop the background jobs (the window calls this when it closes)."""
        self.jobs.shutdown()

    @property
    def idle(self) -> bool:
        """No corpus index is being built (the screenshot mode waits for this)."""
        return self._job is None

    def cancel_index(self) -> None:
        if self._job is not None:
            self._job.cancel()

    def _on_progress(self, job: Job, fraction: float) -> None:
        if job is self._job:
            self.progress.setValue(int(100 * fraction))

    def _end_job(self, job: Job) -> bool:
        if job is not self._job:
            return False
        self._job = None
        self.progress.hide()
        self.cancel_button.hide()
        return True

    def _on_index_done(self, job: Job, result: tuple[CorpusText, CorpusIndex]) -> None:
        if self._end_job(job):
            self.corpus, self.index = result
            self._index_for = job.context
            session = self._session(self.unit)
            if session is not None and session.model is not None \
                    and id(session.model) == job.context[0]:
                hub().publish(session.model, job.context[1], *result)
            self._draw_corpus()
            self.index_ready.emit()

    def _on_index_failed(self, job: Job, error: Exception) -> None:
        if self._end_job(job):
            self.status.setText(self.tr("cannot index {0}: {1}").format(self.corpus_path, error))

    def _on_index_cancelled(self, job: Job) -> None:
        if self._end_job(job):
            self.status.setText(self.tr("indexing cancelled"))

    def _index_usable(self) -> bool:
        session = self._session(self.unit)
        return (self.index is not None and self._index_for is not None and session is not None
                and self._index_for[0] == id(session.model) and self.unit is not None
                and index_kind(self.unit.kind) in self.index.arrays)

    def _note_empty_histogram(self, empty: bool) -> None:
        """Before a corpus is indexed the histogram says how to fill it (a plain 0..1 range,
        no marker of the current value: there is nothing yet to place it among)."""
        self.hist_cursor.setVisible(not empty)
        if not empty:
            if self.hist_note.scene() is not None:
                self.hist.removeItem(self.hist_note)
            self.hist.enableAutoRange()
            return
        self.hist.setRange(xRange=(-1, 1), yRange=(0, 1))
        self.hist_note.setPos(0, 0.5)
        if self.hist_note.scene() is None:
            self.hist.addItem(self.hist_note)

    def _draw_corpus(self) -> None:
        if not self._index_usable():
            self.hist_curve.setData([0, 1], [0])
            self._note_empty_histogram(True)
            self.high, self.low = [], []
            self.contexts_view.setHtml(self.tr(
                "<i>Top contexts appear once the corpus is indexed.</i>"))
            return
        assert self.index is not None and self.unit is not None and self.corpus is not None
        kind = index_kind(self.unit.kind)
        series = self.index.series(kind, self.unit.layer, self.unit.unit)
        counts, edges = np.histogram(series, bins=60)
        self.hist_curve.setData(edges, counts)
        self._note_empty_histogram(False)
        self.high, self.low = top_contexts(self.index, kind, self.unit.layer, self.unit.unit,
                                           TOP_K, WIDTH)
        name = Path(self.corpus_path or "").name
        parts = [self.tr("<b>Highest</b> in {0} ({1} tokens)").format(html.escape(name),
                                                                       self.index.n_tokens)]
        parts += [self._context_html(c, series) for c in self.high]
        parts.append(self.tr("<b>Lowest</b>"))
        parts += [self._context_html(c, series) for c in self.low]
        self.contexts_view.setHtml("".join(parts))
        self._mark_value()

    def _context_html(self, c: Context, series: NDArray[np.float32]) -> str:
        assert self.corpus is not None
        toks = list(self.corpus.tokens[c.start:c.stop])
        values, mark = series[c.start:c.stop], c.position - c.start
        if self._backward():  # shown in text order, as the passage loads
            toks, values, mark = toks[::-1], values[::-1], c.stop - 1 - c.position
        body = coloured_html(toks, values, self.levels, self.corpus.tokenizer, mark=mark,
                             breaks=False)
        note = " " + self.tr("<i>(near a stream boundary)</i>") if c.near_boundary else ""
        return (f'<p style="margin:2px"><a href="ctx:{c.position}">{c.value:+.3f}</a>{note} '
                f'<span style="font-family:monospace">{body}</span></p>')

    def _on_context_link(self, url: QtCore.QUrl) -> None:
        s = url.toString()
        if s.startswith("ctx:"):
            self.load_context(int(s[4:]))

    def _backward(self) -> bool:
        """The unit's model reads backward: its corpus stream is each line reversed."""
        session = self._session(self.unit)
        return bool(session is not None and session.backward)

    def load_context(self, position: int) -> None:
        """Put the corpus passage around ``position`` into the text, cursor on that token."""
        if self.corpus is None:
            return
        lo = max(0, position - WIDTH)
        hi = min(len(self.corpus), position + WIDTH + 1)
        text = passage_text(self.corpus.tokens[lo:hi], self.corpus.tokenizer, self._backward())
        self.workspace.set_text(text)
        session = self._session(self.unit)
        step = position - lo
        self.workspace.set_cursor(self.workspace.lead_step(session, step)
                                  if session is not None else step)


class RowSpin(QtWidgets.QSpinBox):
    """A 1-based layer picker that shows each displayed row's own name ('1 ←' for a
    bidirectional net's reverse row) after its prefix."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[str] = ["1"]

    def set_rows(self, rows: list[str]) -> None:
        self.rows = rows or ["1"]
        self.setRange(1, len(self.rows))

    def textFromValue(self, value: int) -> str:
        return self.rows[value - 1] if 1 <= value <= len(self.rows) else str(value)

    def valueFromText(self, text: str) -> int:
        text = text.strip()
        if text in self.rows:
            return self.rows.index(text) + 1
        digits = "".join(ch for ch in text if ch.isdigit())
        return int(digits) if digits else self.value()
