"""Select and match (LSTMVis): choose a span of steps of the current text and a threshold; the
units of one layer that stay at or above it over the whole span (optionally: and are below it
just before) are the selection. Match ranks every corpus position of the inspector's index by
how well the units follow the same on-pattern over a span of the same length, and lists the top
50 with their coloured contexts and a histogram of the match lengths. Click a match to load it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from rnnviz.corpus import match as mt
from rnnviz.corpus.index import CorpusIndex
from rnnviz.corpus.reader import CorpusText
from rnnviz.session.workspace import UnitRef, Workspace
from rnnviz.ui import colormaps as cm
from rnnviz.ui.binding import link_session
from rnnviz.ui.coloured_text import (
    WIDTH,
    coloured_html,
    index_kind,
    passage_text,
    scrolled,
    shrinkable,
)
from rnnviz.ui.corpus_hub import hub
from rnnviz.ui.i18n import QT_TRANSLATE_NOOP

TOP = 50
HOW_TO = QT_TRANSLATE_NOOP(
    "MatchPanel",
    "<b>Where else do these units switch on?</b><p>1. Choose a span of steps of the text (or "
    "press <i>3 steps to the cursor</i>) and a threshold: the units of the selected unit's layer "
    "that stay at or above it over the span are listed on the left.</p><p>2. Press "
    "<i>Match</i>: the corpus indexed in the <i>Unit inspector</i> tab is searched for the "
    "places where the same units switch on for as long. The best 50 are listed here, coloured "
    "by the share of the selected units that are on, with a histogram of how long each "
    "match lasts.</p><p>3. Click a match's score to load its passage.</p>")
QT_TRANSLATE_NOOP("MatchPanel", "matching on-units minus extra on-units")  # mt.SCORE_NAME


class MatchPanel(QtWidgets.QWidget):
    """Public for tests: ``selected`` (H,) bool, ``matches`` (rnnviz.corpus.match.Matches or
    None), ``span`` (lo, hi) 0-based half-open, ``units_view``, ``results_view``."""

    def __init__(self, workspace: Workspace, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.selected = np.zeros(0, bool)
        self.matches: mt.Matches | None = None
        self.span = (0, 1)
        self._source: tuple[str, CorpusText, CorpusIndex] | None = None
        self._build()
        ws = workspace
        link_session(self, [(ws.text_changed, self._on_text), (ws.models_changed, self._on_text),
                            (ws.selection_changed, self._on_text)])
        hub().ready.connect(self._on_index)
        self._on_text()

    def _build(self) -> None:
        self.lo_spin = QtWidgets.QSpinBox()
        self.hi_spin = QtWidgets.QSpinBox()
        self.lo_spin.setPrefix(self.tr("steps "))
        self.hi_spin.setPrefix(self.tr("to "))
        self.threshold = QtWidgets.QDoubleSpinBox()
        self.threshold.setRange(-1.0, 1.0)
        self.threshold.setSingleStep(0.05)
        self.threshold.setValue(0.3)
        self.threshold.setPrefix(self.tr("threshold "))
        self.below = QtWidgets.QCheckBox(self.tr("below just before"))
        self.below.setChecked(True)
        self.below.setToolTip(self.tr(
            "Keep only units that are below the threshold at the step before"))
        self.from_cursor = QtWidgets.QPushButton(self.tr("3 steps to the cursor"))
        self.from_cursor.clicked.connect(self.span_to_cursor)
        self.match_button = QtWidgets.QPushButton(self.tr("Match"))
        self.match_button.clicked.connect(self.run_match)
        for w in (self.lo_spin, self.hi_spin, self.threshold):
            w.valueChanged.connect(self.select)
        self.below.toggled.connect(self.select)
        top = QtWidgets.QHBoxLayout()
        top.addWidget(cm.title_label(self.tr("Select")))
        widgets: list[QtWidgets.QWidget] = [self.lo_spin, self.hi_spin, self.from_cursor,
                                             self.threshold, self.below, self.match_button]
        for widget in widgets:
            top.addWidget(widget)
        self.status = cm.status_label()
        top.addWidget(self.status, 1)
        self.units_view = QtWidgets.QTextBrowser()
        self.results_view = QtWidgets.QTextBrowser()
        self.results_view.setOpenLinks(False)
        self.results_view.anchorClicked.connect(self._on_link)
        self.results_view.setHtml(self.tr(HOW_TO))
        self.lengths = pg.PlotWidget(background="w")
        self.lengths.setMenuEnabled(False)
        self.lengths.setLabel("bottom", self.tr("match length (steps)"))
        self.lengths.setLabel("left", self.tr("matches"))
        for side in ("bottom", "left"):
            self.lengths.getAxis(side).enableAutoSIPrefix(False)
        self.lengths.setRange(xRange=(0, 10), yRange=(0, 5))  # until the first match
        self.length_bars = pg.BarGraphItem(x=[0], height=[0], width=0.8,
                                           brush=cm.colour(cm.BAR, 180))
        self.lengths.addItem(self.length_bars)
        shrinkable(self.units_view, self.results_view, self.lengths)
        left = QtWidgets.QVBoxLayout()
        left.addWidget(self.units_view, 1)
        left.addWidget(self.lengths, 1)
        body = QtWidgets.QHBoxLayout()
        body.addLayout(left, 2)
        body.addWidget(self.results_view, 5)
        inner = QtWidgets.QWidget()
        outer = QtWidgets.QVBoxLayout(inner)
        outer.setContentsMargins(4, 4, 4, 4)
        outer.addLayout(top)
        outer.addLayout(body, 1)
        scrolled(self, inner)

    # ---- which states -------------------------------------------------------------------
    def layer_ref(self) -> UnitRef | None:
        """Model, kind and layer of the selected unit (else h of layer 1 of the first model)."""
        ws = self.workspace
        if ws.selected_unit is not None and ws.selected_unit.model < len(ws.models):
            return ws.selected_unit
        return UnitRef(0, "h", 0, 0) if ws.models else None

    def _states(self) -> np.ndarray | None:
        """(T, H) of the chosen layer over the current text."""
        ref = self.layer_ref()
        if ref is None:
            return None
        session = self.workspace.models[ref.model]
        if session.trace is None or ref.kind not in session.state_kinds():
            return None
        return np.asarray(session.trace.states(ref.kind)[ref.layer], np.float32)

    def _on_text(self) -> None:
        states = self._states()
        n = 0 if states is None else len(states)
        for w in (self.lo_spin, self.hi_spin):
            w.blockSignals(True)
            w.setRange(1, max(1, n))
        self.lo_spin.setValue(max(1, min(self.lo_spin.value(), n)))
        self.hi_spin.setValue(max(self.lo_spin.value(), min(self.hi_spin.value(), n)))
        for w in (self.lo_spin, self.hi_spin):
            w.blockSignals(False)
        self._source = self._find_index()
        self.select()

    def span_to_cursor(self) -> None:
        """The span: the 3 steps that end at the cursor."""
        ref = self.layer_ref()
        if ref is None:
            return
        t = self.workspace.models[ref.model].cursor
        self.set_span(max(0, t - 2), t + 1)

    def set_span(self, lo: int, hi: int) -> None:
        """Select over steps [lo, hi) (0-based)."""
        for w, v in ((self.lo_spin, lo + 1), (self.hi_spin, hi)):
            w.blockSignals(True)
            w.setValue(v)
            w.blockSignals(False)
        self.select()

    def select(self, *_: Any) -> None:
        """Recompute the on-set over the span."""
        states = self._states()
        ref = self.layer_ref()
        if states is None or ref is None:
            self.selected = np.zeros(0, bool)
            self.units_view.setHtml(self.tr("<i>Open a model and type a text.</i>"))
            return
        lo, hi = self.lo_spin.value() - 1, max(self.lo_spin.value(), self.hi_spin.value())
        self.span = (lo, hi)
        self.selected = mt.select_units(states, lo, hi, self.threshold.value(),
                                        self.below.isChecked())
        units = np.flatnonzero(self.selected).tolist()
        if self.below.isChecked() and lo > 0:
            head = self.tr("<b>{0} units</b> of layer {1} ({2}) stay at or above {3} over steps "
                           "{4}-{5} and are below it just before:")
        else:
            head = self.tr("<b>{0} units</b> of layer {1} ({2}) stay at or above {3} over steps "
                           "{4}-{5}:")
        self.units_view.setHtml(
            head.format(len(units), ref.layer + 1, ref.kind, f"{self.threshold.value():.2f}",
                        lo + 1, hi) + "<br>" + ", ".join(map(str, units)))

    # ---- match --------------------------------------------------------------------------
    def _find_index(self) -> tuple[str, CorpusText, CorpusIndex] | None:
        ref = self.layer_ref()
        if ref is None:
            return None
        model = self.workspace.models[ref.model].model
        return hub().get(model) if model is not None else None

    def _on_index(self, model: Any) -> None:
        self._source = self._find_index()
        self.status.setText("" if self._source is None else
                            self.tr("corpus: {0} tokens indexed").format(
                                self._source[2].n_tokens))

    def run_match(self) -> None:
        """Rank the corpus against the selection; list the top 50."""
        self._source = self._find_index()
        ref = self.layer_ref()
        if self._source is None or ref is None:
            self.status.setText(self.tr("Index a corpus in the unit inspector first"))
            return
        if not self.selected.any():
            self.status.setText(self.tr(
                "No unit is on over the span: lower the threshold or the span"))
            return
        _, corpus, index = self._source
        layer = index.layer(index_kind(ref.kind), ref.layer)
        n = self.span[1] - self.span[0]
        self.matches = mt.match(layer, self.selected, n, self.threshold.value(), TOP)
        self.status.setText(self.tr("score = {0} (best {1} of {2})").format(
            self.tr(mt.SCORE_NAME), f"{self.matches.scores[0]:.0f}", int(self.selected.sum())))
        self._draw_matches(corpus, layer, n)

    def _draw_matches(self, corpus: CorpusText, layer: Any, n: int) -> None:
        assert self.matches is not None
        hist = self.matches.length_histogram()
        xs = np.flatnonzero(hist)
        self.length_bars.setOpts(x=xs, height=hist[xs], width=0.8)
        self.lengths.enableAutoRange()
        rows = []
        sel = self.selected
        for p, score, length in zip(self.matches.positions.tolist(),
                                    self.matches.scores.tolist(),
                                    self.matches.lengths.tolist(), strict=True):
            lo, hi = max(0, p - WIDTH), min(corpus.ids.size, p + n + WIDTH)
            frac = np.asarray(layer[sel, lo:hi], np.float32)
            on = (frac >= self.threshold.value()).mean(axis=0)  # share of selected units on
            toks = list(corpus.tokens[lo:hi])
            if self._backward():  # in text order, as the passage loads
                toks, on = toks[::-1], on[::-1]
            body = coloured_html(toks, on, (-1.0, 1.0), corpus.tokenizer, breaks=False)
            rows.append(f'<p style="margin:2px"><a href="m:{p}:{n}">{score:+.0f}</a> '
                        "<small>" + self.tr("len {0}").format(length) + "</small> "
                        f'<span style="font-family:monospace">{body}</span></p>')
        self.results_view.setHtml(
            self.tr("<b>Top {0} matches</b> (colour: share of the selected units on)").format(
                len(rows))
            + "".join(rows))

    def _on_link(self, url: QtCore.QUrl) -> None:
        parts = url.toString().split(":")
        if len(parts) == 3 and parts[0] == "m":
            self.load_match(int(parts[1]), int(parts[2]))

    def load_match(self, p: int, n: int) -> None:
        """Load the passage of a match; the cursor on its last step."""
        if self._source is None:
            return
        corpus = self._source[1]
        lo, hi = max(0, p - WIDTH), min(len(corpus), p + n + WIDTH)
        self.workspace.set_text(passage_text(corpus.tokens[lo:hi], corpus.tokenizer,
                                             self._backward()))
        ref = self.layer_ref()
        step = p + n - 1 - lo  # the match's last step, in the model's reading order
        session = self.workspace.models[ref.model] if ref is not None else None
        self.workspace.set_cursor(self.workspace.lead_step(session, step)
                                  if session is not None else step)

    def _backward(self) -> bool:
        """The selected layer's model reads backward (its corpus is each line reversed)."""
        ref = self.layer_ref()
        return ref is not None and self.workspace.models[ref.model].backward
