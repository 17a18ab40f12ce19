"""Next word: the top-k bars of the softmax at the current step, the true next word marked."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from rnnviz.session import ModelSession, Prediction
from rnnviz.ui import colormaps as cm
from rnnviz.ui.binding import SessionView
from rnnviz.ui.token_menu import bar_menu

MAX_K = 50
# (names id, length, first, last, font) -> the widest label in pixels
_WIDEST: dict[tuple[int, int, str, str, str], float] = {}
BAR_THICKNESS = 0.7


class ValueLabel(QtWidgets.QGraphicsSimpleTextItem):
    """A number at a data position, drawn unscaled, a few pixels right of it and vertically
    centred (a plain text item: much cheaper to update than a rich-text TextItem)."""

    def __init__(self) -> None:
        super().__init__()
        self.setFlag(QtWidgets.QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.inside = False
        self.place(False)

    def width_px(self) -> float:
        """The text's width in pixels."""
        return QtGui.QFontMetricsF(self.font()).horizontalAdvance(self.text())

    def place(self, inside: bool) -> None:
        """Right of the bar's end (False), or inside the bar, white, right-aligned at its end
        (True: the label would stick out of a view too narrow for it)."""
        self.inside = inside
        half = QtGui.QFontMetricsF(self.font()).height() / 2
        dx = -LABEL_GAP - self.width_px() if inside else LABEL_GAP
        self.setTransform(QtGui.QTransform.fromTranslate(dx, -half))
        colour = QtGui.QColor(255, 255, 255) if inside else QtGui.QColor(50, 50, 50)
        self.setBrush(QtGui.QBrush(colour))


class WordAxis(pg.AxisItem):
    """The words beside the bars, drawn straight from the ticks (right-aligned, vertically
    centred). The words change on every step, and pyqtgraph's general tick layout and picture
    cache cost about 1.4 ms per change here; this paint costs a tenth of that."""

    def paint(self, p: QtGui.QPainter, opt: Any, widget: Any = None) -> None:
        view = self.linkedView()
        if view is None or not self._tickLevels:
            return
        p.setFont(self.style.get("tickFont") or self.font())
        p.setPen(self.textPen())
        height = QtGui.QFontMetricsF(p.font()).height()
        right = self.width() - 4.0
        for value, word in self._tickLevels[0]:
            y = self.mapFromScene(view.mapViewToScene(QtCore.QPointF(0.0, float(value)))).y()
            box = QtCore.QRectF(0.0, y - height / 2, right, height)
            p.drawText(box, int(QtCore.Qt.AlignmentFlag.AlignRight
                                | QtCore.Qt.AlignmentFlag.AlignVCenter), word)


def target_text(pred: Prediction, unit: str = "word", backward: bool = False) -> str:
    """One line on the token the loss is about, also when it is outside the top k; ``unit``
    is 'word' or 'character'; ``backward``: the model predicts the previous one."""
    p = f"p = {pred.target_prob:.4g}"
    shown = cm.quote(cm.visible(pred.target_word))
    if backward:
        return _previous_text(pred, unit, shown, p)
    if unit == "class":
        if not pred.chosen:  # the decision is the top class: its rank is always 1
            return QtCore.QCoreApplication.translate("SoftmaxView", "{0} {1} ({2})").format(
                QtCore.QCoreApplication.translate("SoftmaxView",
                                                  "decision if the text ended here"), shown, p)
        what = QtCore.QCoreApplication.translate("SoftmaxView", "traced class")
        return QtCore.QCoreApplication.translate("SoftmaxView",
                "{0} {1}: rank {2}, {3}").format(what, shown, pred.target_rank, p)
    if pred.target_is_prediction:
        return QtCore.QCoreApplication.translate("SoftmaxView",
                "end of text: differentiating the model's own top prediction "
                  "{0} ({1})").format(shown, p)
    if unit == "character":
        what = QtCore.QCoreApplication.translate("SoftmaxView", "traced character") \
            if pred.chosen else QtCore.QCoreApplication.translate("SoftmaxView", "next character")
    else:
        what = QtCore.QCoreApplication.translate("SoftmaxView", "traced word") if pred.chosen \
            else QtCore.QCoreApplication.translate("SoftmaxView", "next word")
    return QtCore.QCoreApplication.translate("SoftmaxView",
            "{0} {1}: rank {2}, {3}").format(what, shown, pred.target_rank, p)


def _previous_text(pred: Prediction, unit: str, shown: str, p: str) -> str:
    """target_text for a model that reads the text backward."""
    if pred.target_is_prediction:
        return QtCore.QCoreApplication.translate(
            "SoftmaxView", "start of text: differentiating the model's own top prediction {0} "
            "({1})").format(shown, p)
    char = unit == "character"
    if pred.chosen:
        what = QtCore.QCoreApplication.translate("SoftmaxView", "traced character") if char \
            else QtCore.QCoreApplication.translate("SoftmaxView", "traced word")
    else:
        what = QtCore.QCoreApplication.translate("SoftmaxView", "previous character") if char \
            else QtCore.QCoreApplication.translate("SoftmaxView", "previous word")
    return QtCore.QCoreApplication.translate("SoftmaxView", "{0} {1}: rank {2}, {3}").format(
        what, shown, pred.target_rank, p)


TICK_PX = 48  # pixels per probability label at least
LABEL_GAP = 4.0  # pixels between a bar's end and its value label
LABEL_AIR = 4.0  # pixels kept free right of the widest value label


def prob_ticks(x_max: float, width_px: float) -> list[float]:
    """Round tick values 0..x_max (steps 1, 2, 2.5 or 5 times a power of ten), one interval
    per TICK_PX pixels at most and at least two intervals (the axis hides the labels at its
    two ends, which stick out: an inside tick keeps a number on the axis)."""
    room = max(2, int(width_px // TICK_PX))
    exp = math.floor(math.log10(x_max)) - 2
    while True:
        for m in (1.0, 2.0, 2.5, 5.0):
            step = m * 10.0 ** exp
            if x_max / step <= room + 1e-9:
                n = int(min(x_max, 1.0) / step + 1e-9)  # no probability above 1
                return [float(f"{i * step:.6g}") for i in range(n + 1)]
        exp += 1


def _label_ceiling(x: float) -> float:
    """A round x limit >= x: 1, 2, 5 x 10^n, or 1.25, 1.5, ... 2.5 past a probability of 1
    (room for the value label of a bar near 1)."""
    if x <= 1.0:
        return cm.nice_ceiling(x)
    return min(math.ceil(x * 4 - 1e-9) / 4, 2.5)


def row_height(font: QtGui.QFont) -> int:
    """Pixels per bar: a label's height and a little air, so labels never overlap."""
    return QtGui.QFontMetrics(font).height() + 4


class SoftmaxView(SessionView):
    """Horizontal bars of ``session.prediction()``: most probable word at the top.

    Public for tests: ``bars`` (the one BarGraphItem: opts 'y' = rank-1, 'width' = probs,
    'brushes'), ``words`` (labels on the left axis, top first), ``target_index`` (bar of the
    true next word or None), ``target_label``, ``k_spin``, ``value_labels``, ``plot``.
    """

    def __init__(self, session: ModelSession, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.words: list[str] = []
        self.target_index: int | None = None
        self.value_labels: list[ValueLabel] = []
        self._brush = pg.mkBrush(cm.colour(cm.BAR))
        self._target_brush = pg.mkBrush(cm.colour(cm.HIGHLIGHT))
        self._x_max = 0.0
        self._shown: tuple[int, float] | None = None  # (k, top probability) of the bars shown
        self._build_widgets()
        self.subscribe()

    # ---- construction ---------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.k_spin = QtWidgets.QSpinBox()
        self.k_spin.setRange(1, MAX_K)
        self.k_spin.setValue(self.session.top_k)
        self.k_spin.setPrefix(self.tr("top "))
        self.k_spin.setToolTip(self.tr("How many of the most probable next tokens to show (a "
                                       "long list scrolls)"))
        self.k_spin.valueChanged.connect(self._on_k_picked)
        self.subtitle = cm.status_label()
        self.title_label = cm.title_label(self.tr("Next word"))
        top = QtWidgets.QHBoxLayout()
        top.addWidget(self.title_label)
        top.addWidget(self.subtitle, 1)
        top.addWidget(self.k_spin)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("w")
        self.plot = self.graphics.addPlot(axisItems={"left": WordAxis("left")})
        self._setup_plot(self.plot)
        self.bars = pg.BarGraphItem(x0=0.0, y=np.zeros(0), height=BAR_THICKNESS,
                                    width=np.zeros(0), brushes=[], pen=pg.mkPen(None))
        self.plot.addItem(self.bars)
        self.plot.getViewBox().sigResized.connect(self._on_plot_resized)
        self.plot.scene().sigMouseClicked.connect(self._on_click)
        self.plot.setToolTip(self.tr("Click a bar to trace the loss of that word in the "
                                     "gradient view; right-click to continue the text with it"))
        self.target_label = cm.FittedText(2)
        self.target_label.set_colour(cm.colour(cm.HIGHLIGHT), bold=True)
        self.scroller = QtWidgets.QScrollArea()  # top-k beyond what fits scrolls
        self.scroller.setWidget(self.graphics)
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.scroller.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.scroller, 1)
        layout.addWidget(self.target_label)

    @staticmethod
    def _setup_plot(plot: pg.PlotItem) -> None:
        cm.quiet_plot(plot)
        plot.getViewBox().invertY(True)
        plot.setLabel("bottom", QtCore.QCoreApplication.translate("SoftmaxView", "probability"))
        plot.getAxis("left").setStyle(tickLength=0)
        plot.getAxis("bottom").enableAutoSIPrefix(False)
        plot.showGrid(x=True, y=False, alpha=0.25)

    # ---- session events --------------------------------------------------------------------
    def _on_model_changed(self) -> None:
        self.title_label.setText(self.title())
        if self.session.classifier:
            tip = self.tr("Click a bar to trace the loss of that class in the gradient view")
        elif self.session.backward:
            tip = self.tr("Click a bar to trace the loss of that word (as the previous word) in "
                          "the gradient view")
        else:
            tip = self.tr("Click a bar to trace the loss of that word in the gradient view; "
                          "right-click to continue the text with it")
        self.plot.setToolTip(tip)
        vocab = len(self.session.output_names()) if self.session.model else MAX_K
        self.k_spin.setMaximum(max(1, min(MAX_K, vocab)))
        self._fit_word_axis()
        self._sync_k()
        self._clear()

    def _on_trace_changed(self) -> None:
        self._x_max = 0.0
        self._on_cursor_changed(self.session.cursor)

    def _on_options_changed(self, name: str) -> None:
        if name == "top_k":
            self._sync_k()
            if self.session.trace is not None:
                self._on_cursor_changed(self.session.cursor)

    def _on_click(self, event: Any) -> None:
        """A click on a bar: the gradients trace that word's loss at this step; a right-click:
        a menu that can also continue the text with the word."""
        button = event.button()
        if button not in (QtCore.Qt.MouseButton.LeftButton, QtCore.Qt.MouseButton.RightButton) \
                or not self.words:
            return
        pos = self.plot.getViewBox().mapSceneToView(event.scenePos())
        i = round(pos.y())
        if not (0 <= i < len(self.words) and pos.x() >= 0):
            return
        if button == QtCore.Qt.MouseButton.LeftButton:
            self.session.workspace.set_traced_word(self.words[i])
        else:
            event.accept()
            self.bar_menu(i).popup(event.screenPos().toPoint())

    def bar_menu(self, i: int) -> QtWidgets.QMenu:
        """The right-click menu of bar i (Trace…, Continue with this word)."""
        return bar_menu(self.session, self.words[i], self, self._continued)

    def _continued(self, error: str | None) -> None:
        if error:
            QtWidgets.QToolTip.showText(self.mapToGlobal(self.rect().center()), error, self)

    def _on_k_picked(self, k: int) -> None:
        if k != self.session.top_k:
            self.session.set_top_k(k)

    def _sync_k(self) -> None:
        if self.k_spin.value() != self.session.top_k:
            self.k_spin.blockSignals(True)
            self.k_spin.setValue(self.session.top_k)
            self.k_spin.blockSignals(False)

    def _clear(self) -> None:
        self.bars.setOpts(y=np.zeros(0), width=np.zeros(0), brushes=[])
        self.words, self.target_index = [], None
        self._set_value_labels(np.zeros(0, np.float32))
        self.subtitle.setText("")
        self.target_label.setText("")

    def _on_cursor_changed(self, t: int) -> None:
        """Update the one bar item, the word ticks and the target line in place."""
        if self.session.trace is None:
            return
        pred = self.session.prediction(t)
        k = len(pred.ids)
        hits = np.flatnonzero(pred.ids == pred.target_id)
        self.target_index = int(hits[0]) if hits.size else None
        brushes = [self._brush] * k
        if self.target_index is not None:
            brushes[self.target_index] = self._target_brush
        probs = np.asarray(pred.probs, np.float64)
        self.bars.setOpts(y=np.arange(k, dtype=np.float64), width=probs, brushes=brushes)
        self._set_words(pred.words)
        self._set_value_labels(pred.probs)
        self._fit_height(k)
        self._set_ranges(k, float(probs[0]) if k else 0.0)
        word = cm.visible(self.session.trace.tokens[t].text)
        self.subtitle.setText("  " + (self.tr("if the text ended after {0} (step {1} of {2})")
                                      if self.session.classifier else
                                      self.tr("after {0} (step {1} of {2})")).format(
            cm.quote(word), t + 1, self.session.length))
        self.target_label.setText(target_text(pred, self.unit, self.session.backward))

    def title(self) -> str:
        """'Next word', or 'Previous word' for a model that reads the text backward."""
        if self.session.classifier:
            return self.tr("Class")
        if self.session.backward:
            return self.tr("Previous character") if self.unit == "character" \
                else self.tr("Previous word")
        return self.tr("Next character") if self.unit == "character" else self.tr("Next word")

    @property
    def unit(self) -> str:
        """'word', 'character' or 'class' (what the model predicts)."""
        if self.session.classifier:
            return "class"
        model = self.session.model
        return cm.unit_name(model.tokenizer if model is not None else None)

    def _fit_height(self, k: int) -> None:
        """The plot is at least one label row per bar high; the scroll area scrolls the rest."""
        extra = 3 * self.fontMetrics().height() + 20  # the probability axis and its title
        need = k * row_height(self.plot.getAxis("left").style.get("tickFont") or self.font())
        if self.graphics.minimumHeight() != need + extra:
            self.graphics.setMinimumHeight(need + extra)

    def _set_words(self, words: list[str]) -> None:
        if words != self.words:
            self.words = list(words)  # as the vocabulary spells them (a click traces one)
            shown = [cm.visible(w) for w in self.words]
            self.plot.getAxis("left").setTicks([list(enumerate(shown))])

    def _fit_word_axis(self) -> None:
        """Fix the word axis width to the vocabulary's widest word (capped), once per model."""
        axis = self.plot.getAxis("left")
        names = self.session.output_names() if self.session.model is not None else ("word",)
        font = QtGui.QFont(axis.style.get("tickFont") or axis.font())
        key = (id(names), len(names), names[0], names[-1], font.toString())
        widest = _WIDEST.get(key)
        if widest is None:  # measuring 10,000 words takes ~80 ms: once per vocabulary
            metrics = QtGui.QFontMetricsF(font)
            widest = max(metrics.horizontalAdvance(cm.visible(w)) for w in names[:50000])
            if len(_WIDEST) >= 16:
                _WIDEST.clear()
            _WIDEST[key] = widest
        self._word_width = int(min(widest, 180.0)) + 12
        self._fit_word_width()

    def _fit_word_width(self) -> None:
        """In a narrow view (several models side by side) the word axis gives way, so the bars
        keep a readable width (long words are cut at the left)."""
        want = min(getattr(self, "_word_width", 192), max(48, self.width() - 130))
        axis = self.plot.getAxis("left")
        if axis.width() != want:
            axis.setWidth(want)

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_word_width()
        self._update_prob_ticks()

    def _set_value_labels(self, probs: np.ndarray) -> None:
        """A probability printed at the end of each bar (items re-made only when k changes)."""
        while len(self.value_labels) > len(probs):
            self.plot.removeItem(self.value_labels.pop())
        while len(self.value_labels) < len(probs):
            label = ValueLabel()
            self.plot.addItem(label)
            self.value_labels.append(label)
        for i, (label, p) in enumerate(zip(self.value_labels, probs, strict=True)):
            label.setText(f"{p:.3g}")
            label.setPos(float(p), float(i))
        self._fit_value_labels()

    def _label_px(self) -> float:
        """Pixels the widest value label takes right of its bar's end."""
        widest = max((lbl.width_px() for lbl in self.value_labels), default=0.0)
        return LABEL_GAP + widest + LABEL_AIR

    def _fit_value_labels(self) -> None:
        """A label that would stick out past the view's right edge goes inside its bar."""
        vb = self.plot.getViewBox()
        width, x_max = vb.width(), self._x_max
        if width <= 0 or x_max <= 0:
            return
        for label in self.value_labels:
            end = label.pos().x() / x_max * width
            label.place(end + LABEL_GAP + label.width_px() > width
                             and end >= LABEL_GAP * 2 + label.width_px())

    def _set_ranges(self, k: int, top: float) -> None:
        """y fits k bars; x is a round ceiling of the top probability with room for its value
        label at the bar's end (a narrow view needs more), kept while the top bar fills between
        a fifth and all of that (so the axis changes rarely)."""
        self._shown = (k, top)
        vb = self.plot.getViewBox()
        vb.setYRange(-0.5, max(k, 1) - 0.5, padding=0.02)
        label = min(0.6, self._label_px() / max(vb.width(), 1.0))  # the label's share
        need = max(top / (1.0 - label), top * 1.05)
        fits = self._x_max > 0 and need <= self._x_max and top * 5 >= self._x_max
        x_max = self._x_max if fits else min(_label_ceiling(max(need, top * 1.25)), 2.5)
        if x_max != self._x_max:
            self._x_max = x_max
            vb.setXRange(0.0, x_max, padding=0)
            self._update_prob_ticks()
        self._fit_value_labels()

    def _on_plot_resized(self, *_: object) -> None:
        """A new width: the value labels may need another x range, the ticks other spacing."""
        if self._shown is not None:
            self._set_ranges(*self._shown)
        self._update_prob_ticks()

    def _update_prob_ticks(self) -> None:
        """Probability ticks spaced so their labels never touch, however narrow the view."""
        width = self.plot.getViewBox().width()
        if self._x_max <= 0 or width <= 0:
            return
        ticks = prob_ticks(self._x_max, width)
        if ticks != getattr(self, "_ticks", None):
            self._ticks = ticks
            self.plot.getAxis("bottom").setTicks([[(v, f"{v:g}") for v in ticks]])
