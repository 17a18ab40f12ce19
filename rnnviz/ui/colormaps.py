"""Colour maps and small helpers shared by the hidden-state, next-word and gradient views."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

# Anchors of a blue-white-red diverging map: negative blue, zero white, positive red.
_DIVERGING = [(33, 102, 172), (103, 169, 207), (209, 229, 240), (247, 247, 247),
              (253, 219, 199), (239, 138, 98), (178, 24, 43)]
# White to deep purple: how far a gate in [0, 1] is open.
_SEQUENTIAL = [(252, 251, 253), (218, 218, 235), (158, 154, 200), (106, 81, 163), (63, 0, 125)]

# Distinct line colours for layers (and the input curve last).
LAYER_COLOURS = [(31, 119, 180), (214, 39, 40), (44, 160, 44), (148, 103, 189),
                 (255, 127, 14), (23, 190, 207), (140, 86, 75), (227, 119, 194)]
INPUT_COLOUR = (90, 90, 90)
HIGHLIGHT = (230, 120, 20)
LABEL_COLOUR = "#282828"
BAR = (70, 130, 180)


def _colormap(anchors: Sequence[tuple[int, int, int]], name: str) -> pg.ColorMap:
    pos = np.linspace(0.0, 1.0, len(anchors))
    return pg.ColorMap(pos, np.array(anchors, np.ubyte), name=name)


def diverging() -> pg.ColorMap:
    """Blue-white-red map for signed values (white at the middle of the levels)."""
    return _colormap(_DIVERGING, "rnnviz-diverging")


def sequential() -> pg.ColorMap:
    """White-purple map for values in [0, 1] (gates)."""
    return _colormap(_SEQUENTIAL, "rnnviz-sequential")


def magnitude() -> pg.ColorMap:
    """Perceptually uniform map for log magnitudes (viridis, bundled with pyqtgraph)."""
    cmap = pg.colormap.get("viridis")
    assert cmap is not None
    return cmap


def lut(cmap: pg.ColorMap) -> np.ndarray:
    """(256, 3) uint8 lookup table of a colour map."""
    table: np.ndarray = cmap.getLookupTable(nPts=256, alpha=False)
    return np.ascontiguousarray(table, dtype=np.ubyte)


def follow(lo: int, t: int, n: int, width: int) -> int:
    """First step of a window of ``width`` steps over ``n`` that keeps ``t`` in view; moves in
    jumps of half a window (so the axis changes rarely), 0 when everything fits."""
    if n <= width:
        return 0
    if lo <= t < lo + width - 2:
        return lo
    return max(0, min(t - width // 2, n - width))


def colour(rgb: tuple[int, int, int], alpha: int = 255) -> QtGui.QColor:
    return QtGui.QColor(rgb[0], rgb[1], rgb[2], alpha)


def quote(word: str) -> str:
    """A token as shown in text: 'cat'."""
    return f"'{word}'"


def nice_ceiling(x: float) -> float:
    """The smallest of 1, 2, 5 x 10^n that is >= x (axis limits that change rarely)."""
    if not x > 0:
        return 1.0
    exp = math.floor(math.log10(x))
    for m in (1.0, 2.0, 5.0, 10.0):
        if m * 10.0**exp >= x * (1 - 1e-9):
            return m * 10.0**exp
    return 10.0 ** (exp + 1)


class TitledAxis(pg.AxisItem):
    """An axis whose caption (bottom or left axis) is elided with '…' to the room it has,
    never cut at the view's edges or run into a neighbour (set_title)."""

    def set_title(self, text: str, detail: str = "", span: pg.AxisItem | None = None,
                  short: str = "") -> None:
        """The axis caption (bottom or left axis), elided with '…' to the axis's length (a caption
        wider than its plot would be cut at the view's edges or run under its neighbours);
        ``detail`` (else the caption) is the axis's tooltip. ``span``: an axis to the right
        in the same row (a bidirectional net's ← map) that the caption is centred under too.
        ``short``: the caption where ``text`` does not fit (elided in its turn)."""
        if span is not getattr(self, "_span", None):
            self._span = span
            if span is not None:
                span.geometryChanged.connect(self._place_title)
        self._title, self._short = text, short or text
        self.setLabel(text, color=LABEL_COLOUR)
        self.setToolTip(detail or text)
        self._place_title()

    def _room(self) -> float:
        """The caption's length: a left axis's height; this axis's width, or up to the right
        end of the span axis."""
        if self.orientation == "left":
            return self.size().height()
        span = getattr(self, "_span", None)
        if span is None or not span.isVisible():
            return self.size().width()
        right = self.mapFromItem(span, QtCore.QPointF(span.size().width(), 0.0)).x()
        return max(self.size().width(), right)

    def _place_title(self) -> None:
        if not getattr(self, "_title", "") or self.label is None \
                or self.orientation not in ("bottom", "left"):
            return
        metrics = QtGui.QFontMetricsF(self.label.font())
        room = self._room()
        fits = room - 2  # the text itself (the label's document margins are blank)
        shown = self._title
        if fits > 0 and metrics.horizontalAdvance(shown) > fits:
            shown = metrics.elidedText(self._short, QtCore.Qt.TextElideMode.ElideRight,
                                       int(fits))
        if shown != str(self.labelText):
            self.labelText: str = shown
            self.label.setHtml(self.labelString())
        if self.orientation == "left":
            pg.AxisItem.resizeEvent(self)  # centres the rotated caption on the new text
            return
        pos = self.label.pos()
        self.label.setPos(float(int(room / 2 - self.label.boundingRect().width() / 2)), pos.y())

    def resizeEvent(self, ev: Any = None) -> None:
        super().resizeEvent(ev)
        self._place_title()


class TokenAxis(TitledAxis):
    """An axis whose ticks at 0, 1, 2, ... are the text's tokens. Every token whose label fits
    is labelled: labels are placed left to right and one that would touch the previous label
    is skipped (its tick stays; the views name it on hover)."""

    GAP = 6.0  # pixels between two labels

    def __init__(self, orientation: str, **kwargs: Any) -> None:
        super().__init__(orientation, **kwargs)
        self._font = QtGui.QFont(self.font())
        self._font.setPointSizeF(max(6.0, self._font.pointSizeF() * 0.9))
        self.setTickFont(self._font)
        self._tokens: list[str] = []
        self._metrics = QtGui.QFontMetricsF(self._font)
        self._widths: dict[str, float] = {}
        self._upto = 1 << 30

    def set_tokens(self, tokens: Sequence[str]) -> None:
        self._tokens = [t if len(t) <= 12 else t[:11] + "…" for t in tokens]
        self._metrics = QtGui.QFontMetricsF(self._font)
        self._widths = {}  # measured when a label is first placed
        if self.orientation in ("left", "right"):
            widest = max((self._metrics.horizontalAdvance(t) for t in set(self._tokens)),
                         default=8.0)
            self.setWidth(int(widest) + 12)  # an auto width would clip the first paint
        self.picture = None
        self.update()

    def _extent_of(self, i: int) -> float:
        """Label i's size along the axis, in pixels."""
        if self.orientation in ("left", "right"):
            return float(self._metrics.height())
        word = self._tokens[i]
        width = self._widths.get(word)
        if width is None:
            width = self._widths[word] = self._metrics.horizontalAdvance(word)
        return width

    def set_upto(self, t: int) -> None:
        """Label only tokens 0..t (those read so far)."""
        if t != self._upto:
            self._upto = t
            self.picture = None
            self.update()

    def labelled(self, lo: int, hi: int, px_per_token: float) -> list[int]:
        """Tokens lo..hi whose labels are drawn: greedily, each clear of the one before."""
        kept: list[int] = []
        right = -math.inf
        for i in range(lo, hi + 1):
            half = self._extent_of(i) / 2
            centre = i * px_per_token
            if centre - half >= right + self.GAP:
                kept.append(i)
                right = centre + half
        return kept

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:
        n = len(self._tokens)
        minVal, maxVal = min(minVal, maxVal), max(minVal, maxVal)  # inverted views swap them
        if n == 0 or size <= 0 or maxVal <= minVal:
            return []
        px_per_token = size / (maxVal - minVal)
        lo, hi = max(0, math.ceil(minVal)), min(n - 1, math.floor(maxVal))
        if hi < lo:
            return []
        major = [float(v) for v in self.labelled(lo, hi, px_per_token)]
        if len(major) == hi - lo + 1 or px_per_token < 3:
            return [(1.0, major)]
        return [(1.0, major), (0.5, [float(v) for v in range(lo, hi + 1)])]

    def tickStrings(self, values: list, scale: float, spacing: float) -> list[str]:
        if spacing != 1.0:
            return []  # unlabelled minor ticks (no strings: nothing to measure)
        n = min(len(self._tokens), self._upto + 1)
        return [self._tokens[round(v)] if 0 <= round(v) < n else "" for v in values]


def set_reading_direction(plots: Sequence[pg.PlotItem], backward: bool) -> None:
    """Steps on x run right to left for a model that reads the text backward, so its
    columns stand under the same words as a forward model's."""
    for plot in plots:
        vb = plot.getViewBox()
        if vb.xInverted() != backward:
            vb.invertX(backward)


def outline(pen_rgb: tuple[int, int, int], width: float = 2.0) -> QtWidgets.QGraphicsRectItem:
    """A rectangle outline in data coordinates drawn with a cosmetic pen (marks a column/row)."""
    item = QtWidgets.QGraphicsRectItem()
    pen = QtGui.QPen(colour(pen_rgb))
    pen.setCosmetic(True)
    pen.setWidthF(width)
    item.setPen(pen)
    item.setBrush(QtGui.QBrush(QtCore.Qt.BrushStyle.NoBrush))
    item.setZValue(10)
    return item


def cache_axis(axis: pg.AxisItem) -> None:
    """Repaint an axis from a pixmap unless the axis itself changed: its bounding rect reaches
    into the plot, so every image or curve update would otherwise redraw all its text."""
    axis.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)


def style_axes(plot: pg.PlotItem) -> None:
    """Dark axis lines and text on the white background; cached axis painting."""
    for name in ("left", "bottom", "right", "top"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(90, 90, 90))
        axis.setTextPen(pg.mkPen(40, 40, 40))
        cache_axis(axis)


def style_colorbar(bar: pg.ColorBarItem) -> None:
    """Dark text on a colour bar's value axis and label; cached axis painting."""
    bar.axis.setPen(pg.mkPen(90, 90, 90))
    bar.axis.setTextPen(pg.mkPen(40, 40, 40))
    for axis in (bar.axis, bar.getAxis("left")):
        if axis.labelText:
            axis.setLabel(axis.labelText, color=LABEL_COLOUR)
        cache_axis(axis)


def quiet_plot(plot: pg.PlotItem) -> None:
    """A plot with no context menu, no auto-range button and no mouse panning/zooming."""
    plot.setMenuEnabled(False)
    plot.hideButtons()
    plot.setMouseEnabled(x=False, y=False)
    style_axes(plot)
    for name in ("left", "bottom", "right", "top"):  # no "(x0.001)" on short ranges
        plot.getAxis(name).enableAutoSIPrefix(False)




class ColumnMarker(QtWidgets.QGraphicsRectItem):
    """An outline that shows on any colour: a dark band with a white line inside it."""

    def __init__(self) -> None:
        super().__init__()
        self._outer = QtGui.QPen(QtGui.QColor(15, 15, 15))
        self._outer.setWidthF(3.0)
        self._outer.setCosmetic(True)
        self._inner = QtGui.QPen(QtGui.QColor(255, 255, 255))
        self._inner.setWidthF(1.0)
        self._inner.setCosmetic(True)
        self.setPen(self._outer)
        self.setZValue(10)

    def paint(self, painter: QtGui.QPainter, option: Any, widget: Any = None) -> None:
        painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
        for pen in (self._outer, self._inner):
            painter.setPen(pen)
            painter.drawRect(self.rect())


def title_label(text: str) -> QtWidgets.QLabel:
    """A bold view title."""
    label = QtWidgets.QLabel(text)
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.1)
    label.setFont(font)
    return label


class ElidedLabel(QtWidgets.QLabel):
    """A one-line plain-text label that ends with '…' where its text does not fit (the whole
    text in the tooltip); ``text()`` is what is shown, ``full_text()`` what was set."""

    def __init__(self) -> None:
        super().__init__()
        self._full = ""

    def full_text(self) -> str:
        return self._full

    def setText(self, text: str) -> None:
        self._full = text
        self._fit()

    def _fit(self) -> None:
        width = self.contentsRect().width()
        shown = self._full
        if self.isVisible() and width > 0 and self.fontMetrics().horizontalAdvance(shown) > width:
            shown = self.fontMetrics().elidedText(shown, QtCore.Qt.TextElideMode.ElideRight,
                                                  width)
            if shown.strip() in ("…", "...", ""):
                shown = ""  # a lone '…' says nothing: empty until there is room (tooltip)
        self.setToolTip(self._full if shown != self._full else "")
        if shown != super().text():
            super().setText(shown)

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def showEvent(self, event: QtGui.QShowEvent) -> None:
        super().showEvent(event)
        self._fit()


class ShrinkingLabel(ElidedLabel):
    """A control's one-line caption ('truncate BPTT') that takes its whole width when the row
    has room and gives way, ending in '…' (the text in its tooltip), when it has not."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Maximum,
                           QtWidgets.QSizePolicy.Policy.Preferred)
        self.setText(text)

    def sizeHint(self) -> QtCore.QSize:
        hint = super().sizeHint()
        margins = self.contentsMargins()
        width = self.fontMetrics().horizontalAdvance(self.full_text()) + margins.left() \
            + margins.right() + 2
        return QtCore.QSize(width, hint.height())

    def minimumSizeHint(self) -> QtCore.QSize:
        return QtCore.QSize(0, super().minimumSizeHint().height())


def status_label() -> QtWidgets.QLabel:
    """A plain-text label that never forces its layout wider (long text ends with '…')."""
    label = ElidedLabel()
    label.setTextFormat(QtCore.Qt.TextFormat.PlainText)
    label.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored,
                        QtWidgets.QSizePolicy.Policy.Preferred)
    label.setMinimumWidth(0)
    return label


def wrapped_label(lines: int) -> QtWidgets.QLabel:
    """A plain-text, word-wrapped label of a fixed number of lines: its text changes on every
    step, and a fixed height keeps that from re-laying out (and repainting) the plots below."""
    label = QtWidgets.QLabel()
    label.setTextFormat(QtCore.Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setAlignment(QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignTop)
    label.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Fixed)
    label.setFixedHeight(label.fontMetrics().lineSpacing() * lines + 4)
    return label


class CountAxis(TitledAxis):
    """Whole numbers only (steps, distances d), at round spacings: never a tick at 0.5."""

    first = 0  # the number shown at position 0

    def __init__(self, orientation: str, **kwargs: Any) -> None:
        super().__init__(orientation, **kwargs)
        self._min_px = 20.0 if orientation in ("left", "right") else 34.0

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:
        minVal, maxVal = min(minVal, maxVal), max(minVal, maxVal)
        if size <= 0 or maxVal <= minVal:
            return []
        px_per_step = size / (maxVal - minVal)
        spacing = next((sp for sp in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
                        if sp * px_per_step >= self._min_px), 10000)
        lo, hi = math.ceil(minVal), math.floor(maxVal)
        if self.first:
            lo = max(lo, 0)
        values = [float(v) for v in range(lo, hi + 1)
                  if (v + self.first) % spacing == 0 or v == 0]
        return [(float(spacing), values)]

    def tickStrings(self, values: list, scale: float, spacing: float) -> list[str]:
        return [str(round(v) + self.first) for v in values]


class StepAxis(CountAxis):
    """Integer step numbers shown 1-based (position 0 is step 1) at round spacings."""

    first = 1


# ---- log axes whose tick labels never collide ----------------------------------------------
_MANTISSAS = ((1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 2, 5), (1, 3), (1,))
_DECADE_STRIDES = (1, 2, 3, 4, 5, 10, 20, 50, 100)
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _min_gap(values: Sequence[float]) -> float:
    return min((b - a for a, b in itertools.pairwise(values)), default=math.inf)


def _in_range(values: Sequence[float], lo: float, hi: float) -> list[float]:
    eps = 1e-9
    return [v for v in values if lo - eps <= v <= hi + eps]


def log_ticks(lo: float, hi: float, px_per_decade: float, min_gap_px: float) -> list[float]:
    """Tick positions (log10 units) in [lo, hi], no two closer than ``min_gap_px`` pixels: the
    densest of 1..9, 1-2-5, 1-3 per decade, then whole decades, then every 2nd, 5th, ...
    decade that fits; a span too short for two such ticks gets linear 1-2-5 steps."""
    lo, hi = min(lo, hi), max(lo, hi)
    if not (math.isfinite(lo) and math.isfinite(hi)) or px_per_decade <= 0:
        return []
    gap = min_gap_px / px_per_decade  # in decades
    decades = range(math.floor(lo), math.ceil(hi) + 1)
    for mantissas in _MANTISSAS:
        values = _in_range([e + math.log10(m) for e in decades for m in mantissas], lo, hi)
        if len(values) >= 2 and _min_gap(values) >= gap:
            return values
    if math.floor(hi) - math.ceil(lo) >= 1:  # at least two whole decades: thin them
        for stride in _DECADE_STRIDES:
            values = [float(e) for e in range(math.ceil(lo), math.floor(hi) + 1) if e % stride == 0]
            if len(values) < 2 or stride >= gap:
                return values
        return [float(math.ceil(lo))]
    return _linear_log_ticks(lo, hi, gap)


def _linear_log_ticks(lo: float, hi: float, gap: float) -> list[float]:
    """Within less than a decade: values v equally spaced (1, 2 or 5 x 10^n apart) at log10 v,
    the closest pair (at the top) at least ``gap`` decades apart; when no step gives two such
    values, the finest step's values thinned from the top down."""
    a, b = 10.0**lo, 10.0**hi
    finest = nice_ceiling((b - a) / 20)
    step = finest
    for _ in range(12):
        values = _linear_values(a, b, step)
        if len(values) < 2:
            break
        if _min_gap(values) >= gap:
            return values
        step = nice_ceiling(step * 1.5)
    kept: list[float] = []
    for v in reversed(_linear_values(a, b, finest)):
        if not kept or kept[-1] - v >= gap:
            kept.append(v)
    return sorted(kept) or [lo]


def _linear_values(a: float, b: float, step: float) -> list[float]:
    first = math.ceil(a / step - 1e-9) * step
    return [math.log10(v) for v in np.arange(first, b * (1 + 1e-9), step) if v > 0]


def log_label(value: float) -> str:
    """A label for 10**value: '0.02', '300', '10⁻⁵', '2·10⁻⁵'."""
    v = 10.0**value
    exponent = math.floor(value + 1e-9)
    mantissa = v / 10.0**exponent
    if 1e-3 <= v < 1e4:
        return f"{v:.3g}"
    power = f"10{str(exponent).translate(_SUPERSCRIPT)}"
    m = round(mantissa, 2)
    return power if abs(m - 1.0) < 1e-6 or m >= 10 else f"{m:g}·{power}"


class LogAxis(pg.AxisItem):
    """A log-mode axis whose labels never overlap (see :func:`log_ticks`), one tick level."""

    def __init__(self, orientation: str, **kwargs: Any) -> None:
        super().__init__(orientation, **kwargs)
        self.enableAutoSIPrefix(False)

    def _label_extent(self, values: Sequence[float]) -> float:
        """Pixels a label needs along the axis (height for a vertical axis)."""
        metrics = QtGui.QFontMetricsF(self.style.get("tickFont") or self.font())
        if self.orientation in ("left", "right"):
            return metrics.height() + 2.0
        return max((metrics.horizontalAdvance(log_label(v)) for v in values), default=30.0) + 8.0

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:
        if not self.logMode:
            return super().tickValues(minVal, maxVal, size)
        span = abs(maxVal - minVal)
        if span <= 0 or size <= 0:
            return []
        probe = [math.floor(min(minVal, maxVal)) - 9.0, math.floor(max(minVal, maxVal))]
        values = log_ticks(minVal, maxVal, size / span, self._label_extent(probe))
        return [(1.0, values)]

    def tickStrings(self, values: list, scale: float, spacing: float) -> list[str]:
        if not self.logMode:
            return super().tickStrings(values, scale, spacing)
        return [log_label(v) for v in values]


# ---- text that never hides what it shows ---------------------------------------------------
_VISIBLE = {" ": "␣", "\n": "⏎", "\r": "␍", "\t": "⇥"}
_VISIBLE_TABLE = {**{c: chr(0x2400 + c) for c in range(0x20)}, 0x7F: "␡",
                  **{ord(k): v for k, v in _VISIBLE.items()}}


def visible(text: str) -> str:
    """A token as the views print it: spaces, newlines, tabs and other control characters made
    visible (␣ ⏎ ⇥, U+2400 pictures for the rest); an empty token becomes '∅'."""
    return text.translate(_VISIBLE_TABLE) or "∅"


def unit_name(tokenizer: str | None) -> str:
    """'character' for character-level models, else 'word'."""
    return "character" if tokenizer == "char" else "word"


class FittedText(QtWidgets.QWidget):
    """Plain text in a fixed number of wrapped lines: text that does not fit ends with '…' and
    the whole text is in the tooltip (never cut in half). Repaints without re-laying out the
    window (its height is fixed)."""

    def __init__(self, lines: int, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.lines = lines
        self._text = ""
        self._colour: QtGui.QColor | None = None
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored,
                           QtWidgets.QSizePolicy.Policy.Fixed)
        self.setFixedHeight(self.fontMetrics().lineSpacing() * lines + 4)

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:
        if text != self._text:
            self._text = text
            self.update()

    def set_colour(self, colour: QtGui.QColor, bold: bool = False) -> None:
        self._colour = colour
        font = self.font()
        font.setBold(bold)
        self.setFont(font)

    def shown_lines(self) -> list[str]:
        """The lines painted at the current width (the last one elided if needed)."""
        return fit_lines(self._text, self.fontMetrics(), max(10, self.width() - 4), self.lines)

    def is_elided(self) -> bool:
        return " ".join(self.shown_lines()) != " ".join(self._text.split())

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:
        p = QtGui.QPainter(self)
        if self._colour is not None:
            p.setPen(self._colour)
        step = self.fontMetrics().lineSpacing()
        ascent = self.fontMetrics().ascent()
        for i, line in enumerate(self.shown_lines()):
            # drawn at its baseline, unclipped: a fallback font's glyphs (Japanese) may reach
            # below the line box, and a clip rect would cut the descenders of 'g' and 'p'
            p.drawText(QtCore.QPointF(2.0, 2.0 + i * step + ascent), line)
        p.end()
        self.setToolTip(self._text if self.is_elided() else "")


def fit_lines(text: str, metrics: QtGui.QFontMetrics, width: int, lines: int) -> list[str]:
    """Greedy word wrap of ``text`` into at most ``lines`` lines of ``width`` pixels; the last
    line takes the rest, elided with '…' when it is too long (so are over-long words)."""
    words = text.split()
    out: list[str] = []
    current = ""
    i = 0
    while i < len(words):
        if len(out) == lines - 1:  # the last line: everything that is left
            current = " ".join([current, *words[i:]]).strip()
            break
        trial = f"{current} {words[i]}".strip()
        if not current or metrics.horizontalAdvance(trial) <= width:
            current = trial
            i += 1
        else:
            out.append(current)
            current = ""
    if current:
        out.append(current)
    return [metrics.elidedText(line, QtCore.Qt.TextElideMode.ElideRight, width) for line in out]
