"""What model is loaded: name, cell, layers, sizes, vocabulary, format, provenance, notices."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from rnnviz.checkpoints.model import LoadedModel
from rnnviz.session import ModelSession
from rnnviz.ui.binding import link_session

CELL_NAMES = {"rnn_tanh": "vanilla RNN (tanh)", "rnn_relu": "vanilla RNN (ReLU)",
              "lstm": "LSTM", "gru": "GRU",
              "rwkv4": "RWKV-4 (trained time-parallel, stepped here as an RNN)",
              "rwkv7": "RWKV-7 \"Goose\" (trained as a scan, stepped here as an RNN)"}
RWKV_NOTE = ("trained over whole windows at once, stepped here one token at a time: the two "
             "forms give the same logits (checked to 1e-5)")
FORMAT_NAMES = {"rnnviz": "rnnviz (.safetensors)", "pytorch-state-dict": "PyTorch state_dict",
                "pytorch-module": "PyTorch whole module", "dlfs2": "the book's pickle (.pkl)",
                "rwkv-pth": "BlinkDL RWKV .pth", "rwkv-hf": "Hugging Face RwkvForCausalLM"}
_SKIP_META = {"name", "provenance", "subword_tokenizer"}


def describe(model: LoadedModel) -> list[tuple[str, str]]:
    """(label, value) rows for the panel."""
    p = model.params
    unit = "characters" if model.tokenizer == "char" else "words"
    rows = [
        ("Name", model.name),
        ("Cell", CELL_NAMES.get(p.cell, p.cell)),
        ("Layers", str(p.num_layers)),
        ("Hidden units", f"{p.hidden_size} per layer"),
        ("Embedding", f"{p.embedding_size}" + (" (tied to output)" if p.tied else "")),
        ("Vocabulary", f"{p.vocab_size:,} {unit}"),
        ("Format", FORMAT_NAMES.get(model.format, model.format)),
    ]
    if p.cell.startswith("rwkv"):
        rows.append(("Recurrent form", RWKV_NOTE))
    if model.path:
        rows.append(("File", model.path))
    if model.meta.get("provenance"):
        rows.append(("Provenance", str(model.meta["provenance"])))
    rows += [(k.replace("_", " ").capitalize(), _fmt(v)) for k, v in model.meta.items()
             if k not in _SKIP_META and _fmt(v)]
    return rows


MAX_SHOWN = 90  # longer values are cut, the whole text is in the tooltip


def shorten(text: str, limit: int = MAX_SHOWN) -> str:
    """Cut long values (hashes, command lines, histories) for the narrow panel."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, dict | list):
        return ", ".join(f"{k}: {_fmt(x)}" for k, x in v.items()) if isinstance(v, dict) \
            else ", ".join(_fmt(x) for x in v)
    return str(v)


class ModelPanel(QWidget):
    """A form describing the session's model; refreshed on model_changed."""

    def __init__(self, session: ModelSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.notices = QLabel()
        self.notices.setWordWrap(True)
        self.notices.setStyleSheet("color: #9a6700;")
        inner = QWidget()
        col = QVBoxLayout(inner)
        col.addLayout(self.form)
        col.addWidget(self.notices)
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
        model = self.session.model
        if model is None:
            self.form.addRow(QLabel("No model loaded"))
            self.notices.clear()
            return
        for label, value in describe(model):
            v = QLabel(shorten(value))
            v.setToolTip(value if len(value) > MAX_SHOWN else "")
            v.setWordWrap(True)
            v.setMinimumWidth(40)
            v.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.form.addRow(f"{label}:", v)
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in model.notices)
        self.notices.setText(f"<b>Notes</b><ul style='margin-left:-20px'>{notes}</ul>"
                             if notes else "")

    def value(self, label: str) -> str:
        """The text shown for a label (tests); cut values end with '…'."""
        for i in range(self.form.rowCount()):
            lab = self.form.itemAt(i, QFormLayout.ItemRole.LabelRole)
            fld = self.form.itemAt(i, QFormLayout.ItemRole.FieldRole)
            if lab and fld and lab.widget().text() == f"{label}:":  # type: ignore[union-attr]
                return fld.widget().text()  # type: ignore[union-attr]
        return ""
