"""The sentence as a row of token chips: current one highlighted, OOV ones dashed and italic,
click to jump; optionally tinted by input saliency (||d l_t / d e_s||) for the current step,
in its own colour map (viridis, as the gradient matrix; never the orange of the true next word)
with a legend of the values it spans.

The chips are painted by one widget (not one QWidget per token), so a 2,000-token sentence
costs nothing to lay out; it scrolls horizontally and keeps the current chip in view.
"""

from __future__ import annotations

import bisect
import math

import numpy as np
from PySide6.QtCore import QCoreApplication, QEvent, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QLinearGradient,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QScrollArea,
    QToolTip,
    QWidget,
)

from rnnviz.checkpoints.vocab import Token
from rnnviz.session import ModelSession
from rnnviz.session.scale import shared_range
from rnnviz.ui import colormaps as cm
from rnnviz.ui.binding import link_session
from rnnviz.ui.token_menu import token_menu
from rnnviz.ui.workers import row_ready_or_cheap

PAD_X, PAD_Y, GAP, MARGIN = 7, 4, 4, 4
CURRENT = QColor("#1f6feb")
PAST = QColor("#e8eef8")
FUTURE = QColor("#f6f6f6")
BORDER = QColor("#9aa4b2")
SALIENCY_DECADES = 4.0  # the colour scale spans this many powers of ten below the largest


def saliency_lut() -> list[QColor]:
    """256 colours of the saliency scale, low (dark) to high (bright)."""
    return [QColor(int(r), int(g), int(b)) for r, g, b in cm.lut(cm.magnitude())]


def text_colour(fill: QColor) -> QColor:
    """Dark text on light fills, white on dark ones."""
    luma = 0.299 * fill.red() + 0.587 * fill.green() + 0.114 * fill.blue()
    return QColor("#1b1f24") if luma > 140 else QColor("white")


def chip_label(tok: Token) -> str:
    """What a chip shows: the vocabulary's spelling, spaces and newlines made visible."""
    return cm.visible(tok.text)


def tooltip(t: int, tok: Token, saliency: float | None = None) -> str:
    """Hover text: position, token, id, the saliency value when shown, and for OOV tokens the
    word as typed."""
    text = QCoreApplication.translate("TokenChips",
            "step {0}: “{1}” (id {2})").format(t + 1, chip_label(tok), tok.id)
    if saliency is not None and math.isfinite(saliency):
        text += "\n" + QCoreApplication.translate("TokenChips",
                "saliency ‖d l/d e‖ = {0}").format(f"{saliency:.3g}")
    if tok.oov:
        typed = tok.source or "?"
        text += "\n" + QCoreApplication.translate("TokenChips",
                "out of vocabulary: you typed “{0}”; the model sees "
                           "“{1}”").format(typed, tok.text)
    return text


class TokenChips(QWidget):
    """The painted chips; emits ``clicked(t)``."""

    clicked = Signal(int)
    menu_requested = Signal(int, QPoint)  # a right-click on chip t (global position)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tokens: list[Token] = []
        self.current = 0
        self.weights: np.ndarray | None = None  # saliency 0..1 for s <= current, or None
        self.values: np.ndarray | None = None  # the raw norms behind the weights
        self._lut = saliency_lut()
        self.reverse = False  # a backward model: step 0 (the last token) drawn at the right
        self._lefts: list[int] = []  # left edges in drawing order (left to right)
        self._order: list[int] = []  # the step drawn at each of those places
        self._rects: list[QRect] = []  # by step
        self._font = QFont(self.font())
        self._italic = QFont(self._font)
        self._italic.setItalic(True)
        self.setMouseTracking(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    # ---- data ---------------------------------------------------------------------------------
    def set_tokens(self, tokens: list[Token], reverse: bool = False) -> None:
        """Tokens in step order; ``reverse`` lays them out right to left (so a backward
        model's chips read in text order)."""
        self.tokens = list(tokens)
        self.reverse = reverse
        self.current = min(self.current, max(0, len(tokens) - 1))
        self._layout()
        self.update()

    def set_current(self, t: int) -> None:
        if t != self.current:
            old = self.current
            self.current = t
            self.update(self.chip_rect(old).adjusted(-2, -2, 2, 2))
            self.update(self.chip_rect(t).adjusted(-2, -2, 2, 2))

    def set_weights(self, weights: np.ndarray | None, values: np.ndarray | None = None
                    ) -> None:
        self.weights, self.values = weights, values
        self.update()

    def saliency_at(self, t: int) -> float | None:
        """The input-gradient norm shown on chip t, if saliency is on and t has one."""
        v = self.values
        return float(v[t]) if v is not None and 0 <= t < len(v) else None

    def _layout(self) -> None:
        fm = QFontMetrics(self._italic)
        x = MARGIN
        n = len(self.tokens)
        self._order = list(range(n - 1, -1, -1)) if self.reverse else list(range(n))
        self._lefts, rects = [], [QRect()] * n
        h = fm.height() + 2 * PAD_Y
        widths: dict[str, int] = {}  # a long text repeats its words: measure each once
        for t in self._order:
            label = chip_label(self.tokens[t])
            w = widths.get(label)
            if w is None:
                w = widths[label] = fm.horizontalAdvance(label) + 2 * PAD_X
            self._lefts.append(x)
            rects[t] = QRect(x, MARGIN, w, h)
            x += w + GAP
        self._rects = rects
        self._size = QSize(x + MARGIN, h + 2 * MARGIN)
        self.setFixedSize(self._size)

    def chip_rect(self, t: int) -> QRect:
        """Where chip t is drawn (widget coordinates); empty for a bad index."""
        return self._rects[t] if 0 <= t < len(self._rects) else QRect()

    def index_at(self, pos: QPoint) -> int | None:
        i = bisect.bisect_right(self._lefts, pos.x()) - 1
        if not 0 <= i < len(self._order):
            return None
        t = self._order[i]
        return t if self._rects[t].contains(pos) else None

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
        for i in range(first, min(last + 1, len(self.tokens))):
            self._paint_chip(p, self._order[i])
        p.end()

    def _fill(self, t: int) -> QColor:
        if t == self.current:
            return CURRENT
        w = self.weights
        if w is not None and t < len(w) and np.isfinite(w[t]):
            return self._lut[min(255, max(0, round(float(w[t]) * 255)))]
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
        p.setPen(QColor("white") if t == self.current else text_colour(self._fill(t)))
        p.drawText(rect, Qt.AlignmentFlag.AlignCenter, chip_label(tok))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        i = self.index_at(event.position().toPoint())
        if event.button() == Qt.MouseButton.LeftButton and i is not None:
            self.clicked.emit(i)
        elif event.button() == Qt.MouseButton.RightButton and i is not None:
            self.menu_requested.emit(i, event.globalPosition().toPoint())
        else:
            super().mousePressEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            pos = event.pos()  # type: ignore[attr-defined]
            i = self.index_at(pos)
            if i is None:
                QToolTip.hideText()
            else:
                text = tooltip(i, self.tokens[i], self.saliency_at(i))
                QToolTip.showText(event.globalPos(), text, self)  # type: ignore[attr-defined]
            return True
        return super().event(event)


def saliency_range(inputs: np.ndarray) -> tuple[float, float] | None:
    """(lo, hi) log10 limits of the colour scale: the largest finite positive norm and at most
    SALIENCY_DECADES below it (older steps fade into the darkest colour); None if none."""
    w = np.asarray(inputs, np.float64)
    ok = np.isfinite(w) & (w > 0)
    if not ok.any():
        return None
    logs = np.log10(w[ok])
    hi = float(logs.max())
    return max(float(logs.min()), hi - SALIENCY_DECADES), hi


def saliency_weights(inputs: np.ndarray, span: tuple[float, float] | None = None
                     ) -> np.ndarray:
    """Input-gradient norms (T,) -> 0..1 on the log scale ``span`` (default that of
    :func:`saliency_range`); NaN where there is no positive norm (future, truncated-out steps)."""
    w = np.asarray(inputs, np.float64)
    out = np.full(w.shape, np.nan)
    span = span or saliency_range(w)
    if span is None:
        return out
    lo, hi = span
    ok = np.isfinite(w) & (w > 0)
    logs = np.log10(w[ok])
    out[ok] = 1.0 if math.isclose(lo, hi) else np.clip((logs - lo) / (hi - lo), 0.0, 1.0)
    return out


class SaliencyLegend(QWidget):
    """A small horizontal colour bar with the norms at its ends."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.span: tuple[float, float] | None = None
        self._lut = saliency_lut()
        self.setFixedHeight(QFontMetrics(self.font()).height() + 4)
        self.setMinimumWidth(150)
        self.setToolTip(self.tr("Saliency colour scale: ‖d l_t / d e_s‖, the gradient of the "
                                "current prediction's loss reaching each earlier input (log "
                                "scale)"))

    def set_span(self, span: tuple[float, float] | None) -> None:
        if span != self.span:
            self.span = span
            self.update()

    def texts(self) -> tuple[str, str]:
        """The labels at the low and high ends ('' when there is nothing to show)."""
        if self.span is None:
            return "", ""
        return f"{10 ** self.span[0]:.1e}", f"{10 ** self.span[1]:.1e}"

    def paintEvent(self, event: QPaintEvent) -> None:
        if self.span is None:
            return
        p = QPainter(self)
        fm = QFontMetrics(self.font())
        lo, hi = self.texts()
        left, right = fm.horizontalAdvance(lo) + 4, fm.horizontalAdvance(hi) + 4
        bar = QRect(left, 3, max(10, self.width() - left - right), self.height() - 6)
        grad = QLinearGradient(bar.left(), 0, bar.right(), 0)
        for i in range(0, 256, 32):
            grad.setColorAt(i / 255, self._lut[i])
        grad.setColorAt(1.0, self._lut[255])
        p.fillRect(bar, grad)
        p.setPen(QColor("#1b1f24"))
        p.drawText(QRect(0, 0, left - 2, self.height()),
                   int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), lo)
        p.drawText(QRect(bar.right() + 3, 0, right, self.height()),
                   int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), hi)
        p.end()


class TokenStrip(QWidget):
    """Scrollable chips plus a 'colour by saliency' toggle; follows the session. A right-click
    on a chip edits the What if text (``panel_wanted("What if")`` asks the window to show it)."""

    panel_wanted = Signal(str)

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
        self.saliency = QCheckBox(self.tr("Colour by saliency"))
        self.saliency.setToolTip(self.tr("Tint earlier tokens by how strongly the current "
                                         "prediction's loss depends on them (input-gradient "
                                         "norm, log scale)"))
        self.saliency.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.legend = SaliencyLegend()
        self.legend.hide()
        self.hint = QLabel(self.tr("Click a word to jump there. Dashed, italic words are not in "
                                   "the model's vocabulary (hover to see what you typed)."))
        self.hint.setToolTip(self.tr("Right-click a word to replace, delete or insert one before "
                                     "it in the What if tab"))
        self.hint.setStyleSheet("color: #57606a;")
        self.hint.setWordWrap(True)
        self._build()
        self.chips.clicked.connect(self.session.set_cursor)
        self.chips.menu_requested.connect(self.show_token_menu)
        self.saliency.toggled.connect(self.session.set_saliency)
        link_session(self, [(session.trace_changed, self.reset),
                            (session.cursor_changed, self.update_cursor),
                            (session.options_changed, self._on_option),
                            (session.gradients_changed, self._update_weights)])
        self.reset()

    def _build(self) -> None:
        """The chips and, while saliency is on, its legend at their right; ``hint`` and
        ``saliency`` are placed by the window (next to the transport buttons, to save a row)."""
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.area, 1)
        lay.addWidget(self.legend, 0, Qt.AlignmentFlag.AlignVCenter)

    def header(self) -> QWidget:
        """The hint and the saliency toggle in one row (for a standalone strip)."""
        w = QWidget()
        top = QHBoxLayout(w)
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.hint, 1)
        top.addWidget(self.saliency)
        return w

    def token_menu(self, t: int) -> QMenu:
        """The right-click menu of chip t (Replace with…, Delete, Insert before…)."""
        return token_menu(self.session, t, self, self._edited)

    def show_token_menu(self, t: int, pos: QPoint) -> None:
        self.token_menu(t).popup(pos)

    def _edited(self, error: str | None) -> None:
        if error:
            QToolTip.showText(self.mapToGlobal(self.rect().center()), error, self)
        else:
            self.panel_wanted.emit("What if")

    def reset(self) -> None:
        """A new sentence: rebuild the chips."""
        trace = self.session.trace
        self.chips.set_tokens([] if trace is None else trace.tokens, self.session.backward)
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
        if name == "saliency" and self.saliency.isChecked() != self.session.saliency:
            self.saliency.setChecked(self.session.saliency)
        if name in ("saliency", "truncate", "shared_scale"):  # the tint is the row of the current K
            self._update_weights()

    def _update_weights(self) -> None:
        on = self.session.saliency and self.session.trace is not None
        self.legend.setVisible(on)
        if not on:
            if self.chips.weights is not None:
                self.chips.set_weights(None)
            self.legend.set_span(None)
            return
        t, k = self.session.cursor, self.session.truncate
        if not row_ready_or_cheap(self.session, t, k):  # a long text: the row comes later
            self.chips.set_weights(None)
            self.legend.set_span(None)
            return
        row = self.session.gradient_row(t, k)
        ws = self.session.workspace  # several models: one scale across them (shared_scale)
        span = (shared_range(ws) if len(ws.models) > 1 else None) or saliency_range(row.inputs)
        self.chips.set_weights(saliency_weights(row.inputs, span), np.asarray(row.inputs))
        self.legend.set_span(span)
