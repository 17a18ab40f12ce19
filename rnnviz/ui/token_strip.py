"""The sentence as a row of token chips: current one highlighted, OOV ones dashed and italic,
click to jump; optionally tinted by input saliency (||d l_t / d e_s||) for the current step.

The chips are painted by one widget (not one QWidget per token), so a 2,000-token sentence
costs nothing to lay out; it scrolls horizontally and keeps the current chip in view.
"""

from __future__ import annotations

import bisect
import math

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from rnnviz.checkpoints.vocab import Token
from rnnviz.session import ModelSession
from rnnviz.ui.binding import link_session

PAD_X, PAD_Y, GAP, MARGIN = 7, 4, 4, 4
CURRENT = QColor("#1f6feb")
PAST = QColor("#e8eef8")
FUTURE = QColor("#f6f6f6")
BORDER = QColor("#9aa4b2")
SALIENT = QColor("#f28c28")


def chip_label(tok: Token) -> str:
    """What a chip shows: the vocabulary's spelling, spaces and newlines made visible."""
    return tok.text.replace(" ", "␣").replace("\n", "⏎") or "∅"


def tooltip(t: int, tok: Token) -> str:
    """Hover text: position, token, id, and for OOV tokens the word as typed."""
    text = f"step {t + 1}: “{tok.text}” (id {tok.id})"
    if tok.oov:
        typed = tok.source or "?"
        text += f"\nout of vocabulary: you typed “{typed}”; the model sees “{tok.text}”"
    return text


class TokenChips(QWidget):
    """The painted chips; emits ``clicked(t)``."""

    clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tokens: list[Token] = []
        self.current = 0
        self.weights: np.ndarray | None = None  # saliency 0..1 for s <= current, or None
        self._lefts: list[int] = []
        self._rects: list[QRect] = []
        self._font = QFont(self.font())
        self._italic = QFont(self._font)
        self._italic.setItalic(True)
        self.setMouseTracking(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    # ---- data ---------------------------------------------------------------------------------
    def set_tokens(self, tokens: list[Token]) -> None:
        self.tokens = list(tokens)
        self.current = min(self.current, max(0, len(tokens) - 1))
        self._layout()
        self.update()

    def set_current(self, t: int) -> None:
        if t != self.current:
            old = self.current
            self.current = t
            self.update(self.chip_rect(old).adjusted(-2, -2, 2, 2))
            self.update(self.chip_rect(t).adjusted(-2, -2, 2, 2))

    def set_weights(self, weights: np.ndarray | None) -> None:
        self.weights = weights
        self.update()

    def _layout(self) -> None:
        fm = QFontMetrics(self._italic)
        x = MARGIN
        self._lefts, self._rects = [], []
        h = fm.height() + 2 * PAD_Y
        for tok in self.tokens:
            w = fm.horizontalAdvance(chip_label(tok)) + 2 * PAD_X
            self._lefts.append(x)
            self._rects.append(QRect(x, MARGIN, w, h))
            x += w + GAP
        self._size = QSize(x + MARGIN, h + 2 * MARGIN)
        self.setFixedSize(self._size)

    def chip_rect(self, t: int) -> QRect:
        """Where chip t is drawn (widget coordinates); empty for a bad index."""
        return self._rects[t] if 0 <= t < len(self._rects) else QRect()

    def index_at(self, pos: QPoint) -> int | None:
        i = bisect.bisect_right(self._lefts, pos.x()) - 1
        return i if 0 <= i < len(self._rects) and self._rects[i].contains(pos) else None

    # ---- Qt -----------------------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        return self._size if self.tokens else QSize(100, 30)

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.tokens:
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        area = event.rect()
        first = max(0, bisect.bisect_right(self._lefts, area.left()) - 1)
        last = bisect.bisect_right(self._lefts, area.right())
        for t in range(first, min(last + 1, len(self.tokens))):
            self._paint_chip(p, t)
        p.end()

    def _fill(self, t: int) -> QColor:
        if t == self.current:
            return CURRENT
        w = self.weights
        if w is not None and t < len(w) and np.isfinite(w[t]):
            c = QColor(SALIENT)
            c.setAlphaF(0.12 + 0.88 * float(w[t]))
            return c
        return PAST if t < self.current else FUTURE

    def _paint_chip(self, p: QPainter, t: int) -> None:
        tok, rect = self.tokens[t], self._rects[t]
        pen = QPen(CURRENT.darker(130) if t == self.current else BORDER)
        pen.setWidthF(1.5 if t == self.current else 1.0)
        if tok.oov:
            pen.setStyle(Qt.PenStyle.DashLine)
        p.setPen(pen)
        p.setBrush(self._fill(t))
        p.drawRoundedRect(rect.adjusted(0, 0, -1, -1), 6, 6)
        p.setFont(self._italic if tok.oov else self._font)
        p.setPen(QColor("white") if t == self.current else QColor("#1b1f24"))
        p.drawText(rect, Qt.AlignmentFlag.AlignCenter, chip_label(tok))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        i = self.index_at(event.position().toPoint())
        if event.button() == Qt.MouseButton.LeftButton and i is not None:
            self.clicked.emit(i)
        else:
            super().mousePressEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            pos = event.pos()  # type: ignore[attr-defined]
            i = self.index_at(pos)
            if i is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(), tooltip(i, self.tokens[i]), self)  # type: ignore[attr-defined]
            return True
        return super().event(event)


def saliency_weights(inputs: np.ndarray) -> np.ndarray:
    """Input-gradient norms -> 0..1 on a log scale over the finite, positive values."""
    w = np.asarray(inputs, np.float64)
    out = np.full(w.shape, np.nan)
    ok = np.isfinite(w) & (w > 0)
    if not ok.any():
        return out
    logs = np.log10(w[ok])
    lo, hi = float(logs.min()), float(logs.max())
    out[ok] = 1.0 if math.isclose(lo, hi) else (logs - lo) / (hi - lo)
    return out


class TokenStrip(QWidget):
    """Scrollable chips plus a 'colour by saliency' toggle; follows the session."""

    def __init__(self, session: ModelSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.chips = TokenChips()
        self.area = QScrollArea()
        self.area.setWidget(self.chips)
        self.area.setWidgetResizable(False)
        self.area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.saliency = QCheckBox("Colour by saliency")
        self.saliency.setToolTip("Tint earlier tokens by how strongly the current prediction's "
                                 "loss depends on them (input-gradient norm, log scale)")
        self.saliency.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.hint = QLabel("Click a word to jump there. Dashed, italic words are not in the "
                           "model's vocabulary (hover to see what you typed).")
        self.hint.setStyleSheet("color: #57606a;")
        self.hint.setWordWrap(True)
        self._build()
        self.chips.clicked.connect(self.session.set_cursor)
        self.saliency.toggled.connect(self.session.set_saliency)
        link_session(self, [(session.trace_changed, self.reset),
                            (session.cursor_changed, self.update_cursor),
                            (session.options_changed, self._on_option),
                            (session.gradients_changed, self._update_weights)])
        self.reset()

    def _build(self) -> None:
        """Just the chips; ``hint`` and ``saliency`` are placed by the window (next to the
        transport buttons, to save a row)."""
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.area)

    def header(self) -> QWidget:
        """The hint and the saliency toggle in one row (for a standalone strip)."""
        w = QWidget()
        top = QHBoxLayout(w)
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.hint, 1)
        top.addWidget(self.saliency)
        return w

    def reset(self) -> None:
        """A new sentence: rebuild the chips."""
        trace = self.session.trace
        self.chips.set_tokens([] if trace is None else trace.tokens)
        self.area.setFixedHeight(self.chips.height() + self.area.horizontalScrollBar()
                                   .sizeHint().height() + 2)
        self.update_cursor(self.session.cursor)

    def update_cursor(self, t: int) -> None:
        self.chips.set_current(t)
        rect = self.chips.chip_rect(t)
        if not rect.isEmpty():
            self.area.ensureVisible(rect.center().x(), rect.center().y(), rect.width() + 40, 0)
        self._update_weights()

    def _on_option(self, name: str) -> None:
        if name == "saliency":
            if self.saliency.isChecked() != self.session.saliency:
                self.saliency.setChecked(self.session.saliency)
            self._update_weights()

    def _update_weights(self) -> None:
        if not self.session.saliency or self.session.trace is None:
            if self.chips.weights is not None:
                self.chips.set_weights(None)
            return
        row = self.session.gradient_row(self.session.cursor, self.session.truncate)
        self.chips.set_weights(saliency_weights(row.inputs))
