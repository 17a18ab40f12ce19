"""The model card: what is loaded (cell, sizes, vocabulary, format), the figures the file
records (only those it has), the validation perplexity per epoch as a sparkline and a table,
provenance with long values elided (the whole text in the tooltip), and notes phrased for the
window rather than the command line."""

from __future__ import annotations

import ast
import html
import math
import re
from typing import Any

from PySide6.QtCore import QCoreApplication, QPointF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen, QPolygonF, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rnnviz.checkpoints.model import LoadedModel
from rnnviz.session import ModelSession
from rnnviz.ui.binding import link_session
from rnnviz.ui.i18n import QT_TRANSLATE_NOOP

_C = "ModelPanel"  # the translation context of this module's tables
CELL_NAMES = {"rnn_tanh": QT_TRANSLATE_NOOP("ModelPanel", "vanilla RNN (tanh)"),
              "rnn_relu": QT_TRANSLATE_NOOP("ModelPanel", "vanilla RNN (ReLU)"),
              "lstm": "LSTM", "gru": "GRU",
              "rwkv4": QT_TRANSLATE_NOOP(
                  "ModelPanel", "RWKV-4 (trained time-parallel, stepped here as an RNN)"),
              "rwkv7": QT_TRANSLATE_NOOP(
                  "ModelPanel", "RWKV-7 \"Goose\" (trained as a scan, stepped here as an RNN)"),
              "cbow": QT_TRANSLATE_NOOP("ModelPanel", "CBOW (the mean of the last N embeddings)")}
RWKV_NOTE = QT_TRANSLATE_NOOP(
    "ModelPanel", "trained over whole windows at once, stepped here one token at a time: the two "
    "forms give the same logits (checked to 1e-5)")
FORMAT_NAMES = {"rnnviz": "rnnviz (.safetensors)", "pytorch-state-dict": "PyTorch state_dict",
                "pytorch-module": QT_TRANSLATE_NOOP("ModelPanel", "PyTorch whole module"),
                "dlfs2": QT_TRANSLATE_NOOP("ModelPanel", "the book's pickle (.pkl)"),
                "rwkv-pth": "BlinkDL RWKV .pth", "rwkv-hf": "Hugging Face RwkvForCausalLM"}
# Recorded figures, in the order shown: meta key -> label.
FIGURES = (("valid_ppl", QT_TRANSLATE_NOOP("ModelPanel", "Valid ppl")),
           ("valid_loss", QT_TRANSLATE_NOOP("ModelPanel", "Valid loss")),
           ("test_ppl", QT_TRANSLATE_NOOP("ModelPanel", "Test ppl")),
           ("test_loss", QT_TRANSLATE_NOOP("ModelPanel", "Test loss")),
           ("valid_accuracy", QT_TRANSLATE_NOOP("ModelPanel", "Valid accuracy")),
           ("test_accuracy", QT_TRANSLATE_NOOP("ModelPanel", "Test accuracy")),
           ("epochs", QT_TRANSLATE_NOOP("ModelPanel", "Epochs")),
           ("best_epoch", QT_TRANSLATE_NOOP("ModelPanel", "Best epoch")),
           ("eval_protocol", QT_TRANSLATE_NOOP("ModelPanel", "Evaluated")),
           ("wall_time_s", QT_TRANSLATE_NOOP("ModelPanel", "Trained for")))
# The fixed labels of the card (translated where shown; tests look rows up by these).
LABELS = (QT_TRANSLATE_NOOP("ModelPanel", "Name"),
          QT_TRANSLATE_NOOP("ModelPanel", "Cell"),
          QT_TRANSLATE_NOOP("ModelPanel", "Layers"),
          QT_TRANSLATE_NOOP("ModelPanel", "Hidden units"),
          QT_TRANSLATE_NOOP("ModelPanel", "Embedding"),
          QT_TRANSLATE_NOOP("ModelPanel", "Vocabulary"),
          QT_TRANSLATE_NOOP("ModelPanel", "Format"),
          QT_TRANSLATE_NOOP("ModelPanel", "Recurrent form"),
          QT_TRANSLATE_NOOP("ModelPanel", "Word order"),
          QT_TRANSLATE_NOOP("ModelPanel", "Direction"),
          QT_TRANSLATE_NOOP("ModelPanel", "Task"),
          QT_TRANSLATE_NOOP("ModelPanel", "File"),
          QT_TRANSLATE_NOOP("ModelPanel", "Provenance"))
# Shown elsewhere (history) or not at all.
_SKIP_META = {"name", "provenance", "history", "subword_tokenizer", "direction",
              *(k for k, _ in FIGURES)}
MAX_LITERAL = 200_000  # longer recorded values are not parsed (shown as text)
MAX_SHOWN = 90  # kept for callers that cut text themselves
# Other keys that rnnviz's trainer records: their labels are translated too (the label of any
# other key is the key, capitalized, as the file has it).
META_LABELS = {"command": QT_TRANSLATE_NOOP("ModelPanel", "Command"),
               "class_counts": QT_TRANSLATE_NOOP("ModelPanel", "Class counts"),
               "input": QT_TRANSLATE_NOOP("ModelPanel", "Input"),
               "data": QT_TRANSLATE_NOOP("ModelPanel", "Data"),
               "data_command": QT_TRANSLATE_NOOP("ModelPanel", "Data command"),
               "data_path": QT_TRANSLATE_NOOP("ModelPanel", "Data path"),
               "schedule": QT_TRANSLATE_NOOP("ModelPanel", "Schedule"),
               "seed": QT_TRANSLATE_NOOP("ModelPanel", "Seed"),
               "torch_version": QT_TRANSLATE_NOOP("ModelPanel", "Torch version"),
               "training": QT_TRANSLATE_NOOP("ModelPanel", "Training")}
_KNOWN = frozenset(LABELS) | {label for _, label in FIGURES} | set(META_LABELS.values())
# Rows whose values are the file's own words.
_RECORDED = frozenset({"Name", "Evaluated", "File", "Provenance", *META_LABELS.values()})
#: Dynamic property of labels that show text a model file recorded (not UI strings).
FILE_TEXT = "fileText"
# Command-line advice -> what the window offers.
_GUI_PHRASES = (
    (re.compile(r"\s*\(pass --vocab or --vocab-corpus for another\)"),
     QT_TRANSLATE_NOOP("ModelPanel",
                       " (“Choose another vocabulary…” below opens it with another)")),
    (re.compile(r"--vocab/--vocab-corpus ignored"),
     QT_TRANSLATE_NOOP("ModelPanel", "the vocabulary you chose was not needed")),
    (re.compile(r"--vocab-corpus"), QT_TRANSLATE_NOOP("ModelPanel", "a corpus file")),
    (re.compile(r"--vocab\b"), QT_TRANSLATE_NOOP("ModelPanel", "a vocabulary file")),
)


def gui_note(note: str) -> str:
    """A loader notice phrased for someone using the window, not the command line."""
    for pattern, replacement in _GUI_PHRASES:
        note = pattern.sub(_tr(replacement), note)
    return note


def _tr(text: str) -> str:
    return QCoreApplication.translate(_C, text)


def literal(value: Any) -> Any:
    """A recorded value that is the text of a Python literal (the trainer writes dicts and
    lists as text) as the literal; anything else unchanged. Never evaluates code."""
    if not isinstance(value, str) or len(value) > MAX_LITERAL:
        return value
    text = value.strip()
    if not text or (text[0] not in "[{(" and text not in ("None", "True", "False")):
        number = _number(text)
        return value if number is None else number
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return value


def _number(text: str) -> float | int | None:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return None


def present(value: Any) -> bool:
    """Whether a recorded figure exists (not None, not 'None', not NaN, not empty)."""
    value = literal(value)
    if value is None or value == "":
        return False
    return not (isinstance(value, float) and not math.isfinite(value))


def _fmt(v: Any) -> str:
    v = literal(v)
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, dict):
        return ", ".join(f"{k}: {_fmt(x)}" for k, x in v.items() if x is not None)
    if isinstance(v, list | tuple):
        return "; ".join(_fmt(x) for x in v)
    return str(v)


def _duration(seconds: Any) -> str:
    s = literal(seconds)
    if not isinstance(s, int | float):
        return str(seconds)
    if s >= 3600:
        return QCoreApplication.translate("ModelPanel", "{0} h").format(f"{s / 3600:.1f}")
    if s >= 60:
        return QCoreApplication.translate("ModelPanel", "{0} min").format(f"{s / 60:.0f}")
    return QCoreApplication.translate("ModelPanel", "{0} s").format(f"{s:.0f}")


def describe(model: LoadedModel) -> list[tuple[str, str]]:
    """(label, value) rows: the architecture, then the recorded figures that exist, then the
    rest of the provenance. Labels are the English keys (translated where shown); values are in
    the UI language."""
    p = model.params
    tr = QCoreApplication
    unit = (tr.translate("ModelPanel", "{0} characters") if model.tokenizer == "char"
            else tr.translate("ModelPanel", "{0} words"))
    per_layer = tr.translate("ModelPanel", "{0} per layer").format(p.hidden_size)
    tied = tr.translate("ModelPanel", "{0} (tied to output)").format(p.embedding_size)
    rows = [
        ("Name", model.name),
        ("Cell", _tr(CELL_NAMES.get(p.cell, p.cell))),
        ("Layers", str(p.num_layers)),
        ("Hidden units", per_layer),
        ("Embedding", tied if p.tied else str(p.embedding_size)),
        ("Vocabulary", unit.format(f"{p.vocab_size:,}")),
        ("Format", _tr(FORMAT_NAMES.get(model.format, model.format))),
    ]
    if p.cell.startswith("rwkv"):
        rows.append(("Recurrent form", _tr(RWKV_NOTE)))
    rows += kind_rows(model)
    meta = model.meta
    for key, label in FIGURES:
        if key in meta and present(meta[key]):
            text = _duration(meta[key]) if key == "wall_time_s" else _fmt(meta[key])
            rows.append((label, text))
    if model.path:
        rows.append(("File", model.path))
    if meta.get("provenance"):
        rows.append(("Provenance", str(meta["provenance"])))
    rows += [(META_LABELS.get(k, k.replace("_", " ").capitalize()), _fmt(v))
             for k, v in meta.items()
             if k not in _SKIP_META and present(v) and _fmt(v)]
    return rows


def kind_rows(model: LoadedModel) -> list[tuple[str, str]]:
    """What kind of system the model is, where it is not a forward language model: CBOW's
    blindness to order, a backward or bidirectional reader, a classifier's classes."""
    p = model.params
    rows = []
    window = getattr(p, "window", None)
    if p.cell == "cbow" and window:
        rows.append(("Word order", QCoreApplication.translate("ModelPanel",
            "ignored inside its window of {0} words: the next word is predicted from their "
            "average, so any order of the same {0} words gives the same prediction")
            .format(window)))
    if model.task == "lm" and model.direction == "backward":
        rows.append(("Direction", QCoreApplication.translate("ModelPanel",
            "backward: reads the text right to left and predicts the previous word")))
    if getattr(p, "bidirectional", False):
        rows.append(("Direction", QCoreApplication.translate("ModelPanel",
            "bidirectional: a forward and a reverse RNN in each layer, so every step's state "
            "depends on the whole text")))
    classes = getattr(p, "classes", None)
    if model.task == "classify" and classes:
        task = QCoreApplication.translate("ModelPanel", "classifier: {0} classes ({1})")
        rows.append(("Task", task.format(len(classes), ", ".join(classes))))
    return rows


def history(model: LoadedModel) -> list[dict[str, float]]:
    """Per-epoch records (epoch, train_loss, valid_loss, valid_ppl, ...) that the file keeps,
    numbers only; [] when there are none."""
    raw = literal(model.meta.get("history"))
    if not isinstance(raw, list):
        return []
    out = []
    for item in raw:
        if isinstance(item, dict) and isinstance(item.get("epoch"), int | float):
            out.append({str(k): float(v) for k, v in item.items()
                        if isinstance(v, int | float) and not isinstance(v, bool)})
    return out


def shorten(text: str, limit: int = MAX_SHOWN) -> str:
    """Cut long values for callers that need a fixed length."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ElidedLabel(QLabel):
    """One line that ends in '…' when it does not fit; the whole text is its tooltip then."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.full = text
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(40)
        self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(self.full, Qt.TextElideMode.ElideMiddle
                                              if "/" in self.full else Qt.TextElideMode.ElideRight,
                                              max(20, self.width()))
        super().setText(shown)
        self.setToolTip(self.full if shown != self.full else "")

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def minimumSizeHint(self) -> QSize:
        """Narrow: the text it shows follows its width (not the other way round)."""
        return QSize(self.minimumWidth(), super().minimumSizeHint().height())


EXPLAINED = frozenset({"Word order", "Direction", "Task"})  # sentences: wrapped, never cut
SHORT = 40  # values up to this long wrap at spaces; longer ones are elided to one line


def value_label(text: str, wrap: bool = False) -> QLabel:
    """A short value as a wrapping label, a long one (or one long word, which cannot wrap: a
    file name) elided (its tooltip has the whole)."""
    if not wrap and (len(text) > SHORT or (len(text) > SHORT // 2 and " " not in text)):
        return ElidedLabel(text)
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class Sparkline(QWidget):
    """Validation perplexity (a classifier: accuracy) per epoch as a small line, the best epoch
    dotted (the lowest perplexity, the highest accuracy)."""

    def __init__(self, values: list[float], accuracy: bool = False) -> None:
        super().__init__()
        self.values = [v for v in values if math.isfinite(v)]
        self.accuracy = accuracy
        self.setMinimumHeight(36)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        if self.values:
            tip = QCoreApplication.translate("ModelPanel", "validation accuracy per epoch: {0}") \
                if accuracy else QCoreApplication.translate(
                    "ModelPanel", "validation perplexity per epoch: {0}")
            self.setToolTip(tip.format(", ".join(f"{v:.4g}" for v in self.values)))

    def sizeHint(self) -> QSize:
        return QSize(160, 36)

    def points(self) -> list[QPointF]:
        """Where each epoch's value is drawn (widget coordinates)."""
        v = self.values
        if not v:
            return []
        lo, hi = min(v), max(v)
        w, h = self.width() - 8, self.height() - 8
        span = (hi - lo) or 1.0
        step = w / max(1, len(v) - 1)
        return [QPointF(4 + i * step, 4 + (hi - x) / span * h) for i, x in enumerate(v)]

    def paintEvent(self, event: QPaintEvent) -> None:
        pts = self.points()
        if not pts:
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(QColor(31, 119, 180))
        pen.setWidthF(1.5)
        p.setPen(pen)
        p.drawPolyline(QPolygonF(pts))
        pick = max if self.accuracy else min
        best = pick(range(len(self.values)), key=self.values.__getitem__)
        p.setBrush(QColor(230, 120, 20))
        p.drawEllipse(pts[best], 3.0, 3.0)
        p.end()


HISTORY_COLUMNS = (("epoch", QT_TRANSLATE_NOOP("ModelPanel", "epoch"), "{:.0f}"),
                   ("train_loss", QT_TRANSLATE_NOOP("ModelPanel", "train loss"), "{:.3f}"),
                   ("valid_ppl", QT_TRANSLATE_NOOP("ModelPanel", "valid ppl"), "{:.4g}"),
                   ("valid_accuracy", QT_TRANSLATE_NOOP("ModelPanel", "valid acc"), "{:.3f}"))


def history_table(rows: list[dict[str, float]]) -> QTableWidget:
    """Epoch, train loss and validation perplexity, one row an epoch."""
    cols = [c for c in HISTORY_COLUMNS if any(c[0] in r for r in rows)]
    table = QTableWidget(len(rows), len(cols))
    table.setHorizontalHeaderLabels([_tr(c[1]) for c in cols])
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    for i, r in enumerate(rows):
        for j, (key, _, fmt) in enumerate(cols):
            text = fmt.format(r[key]) if key in r else "–"
            item = QTableWidgetItem(text)
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(i, j, item)
    height = table.horizontalHeader().sizeHint().height() + 4
    height += sum(table.rowHeight(i) for i in range(min(len(rows), 8)))
    table.setFixedHeight(height)
    return table


class ModelPanel(QWidget):
    """The model card of the session's model; rebuilt on model_changed. For a file that took
    its vocabulary from elsewhere, a button asks for another (``vocabulary_wanted(path)``)."""

    vocabulary_wanted = Signal(str)

    def __init__(self, session: ModelSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.history_box = QVBoxLayout()
        self.notices = QLabel()
        self.notices.setWordWrap(True)
        self.notices.setStyleSheet("color: #9a6700;")
        self.vocab_button = QPushButton(self.tr("Choose another vocabulary…"))
        self.vocab_button.setToolTip(self.tr(
            "Open this model file again with a vocabulary file or corpus of your choice"))
        self.vocab_button.clicked.connect(self._want_vocabulary)
        self.vocab_button.hide()
        inner = QWidget()
        col = QVBoxLayout(inner)
        col.addLayout(self.form)
        col.addLayout(self.history_box)
        col.addWidget(self.notices)
        col.addWidget(self.vocab_button)
        col.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(inner)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(scroll)
        link_session(self, [(session.model_changed, self.refresh)])
        self.refresh()

    def refresh(self) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self._clear_history()
        model = self.session.model
        self.keys: list[str] = []
        if model is None:
            self.form.addRow(QLabel(self.tr("No model loaded")))
            self.notices.clear()
            self.vocab_button.hide()
            return
        for label, value in describe(model):
            self.keys.append(label)
            name = QLabel(self.tr("{0}:").format(_tr(label)))
            shown = value_label(value, wrap=label in EXPLAINED)
            # What the file itself records is shown as it is, in its own language.
            name.setProperty(FILE_TEXT, label not in _KNOWN)
            shown.setProperty(FILE_TEXT, label not in _KNOWN or label in _RECORDED)
            self.form.addRow(name, shown)
        self._show_history(history(model))
        notes = "".join(f"<li>{html.escape(gui_note(n))}</li>" for n in model.notices)
        self.notices.setText(self.tr("<b>Notes</b>") + f"<ul style='margin-left:-20px'>{notes}</ul>"
                             if notes else "")
        borrowed = any("vocabulary" in n and "--vocab" in n for n in model.notices)
        self.vocab_button.setVisible(bool(model.path) and borrowed)

    def _want_vocabulary(self) -> None:
        model = self.session.model
        if model is not None and model.path:
            self.vocabulary_wanted.emit(model.path)

    def _clear_history(self) -> None:
        while self.history_box.count():
            item = self.history_box.takeAt(0)
            if item is not None and item.widget() is not None:
                item.widget().deleteLater()  # type: ignore[union-attr]

    def _show_history(self, rows: list[dict[str, float]]) -> None:
        if not rows:
            return
        accuracy = not any("valid_ppl" in r for r in rows) and \
            any("valid_accuracy" in r for r in rows)  # a classifier's history
        title = QLabel(self.tr("<b>Validation accuracy per epoch</b>") if accuracy else
                       self.tr("<b>Validation perplexity per epoch</b>"))
        title.setWordWrap(True)  # a narrow dock wraps it instead of being pushed wider
        self.history_box.addWidget(title)
        key = "valid_accuracy" if accuracy else "valid_ppl"
        self.sparkline = Sparkline([r.get(key, math.nan) for r in rows], accuracy)
        self.history_box.addWidget(self.sparkline)
        self.history_box.addWidget(history_table(rows))

    def value(self, label: str) -> str:
        """The whole text of the row whose English label is ``label`` (tests); '' when there
        is no such row."""
        if label not in self.keys:
            return ""
        fld = self.form.itemAt(self.keys.index(label), QFormLayout.ItemRole.FieldRole)
        if fld is not None and fld.widget() is not None:
            widget = fld.widget()
            return widget.full if isinstance(widget, ElidedLabel) else widget.text()  # type: ignore[union-attr]
        return ""

    def labels(self) -> list[str]:
        """Row labels in order, in English (tests)."""
        return list(self.keys)
