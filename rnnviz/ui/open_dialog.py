"""Choosing a model file, and the vocabulary for files that carry none.

The flow: try ``load_model``; when the loader says the file has no vocabulary (or the chosen one
has the wrong size), :class:`VocabDialog` asks for one — a vocabulary file, corpus files, or the
bundled PTB list where the model has 10,000 outputs — plus the nonlinearity for PyTorch RNN files,
then the window tries again. Any other error is shown as one line and the old model stays.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from rnnviz.checkpoints.loader import VocabOptions, sniff
from rnnviz.ui.i18n import QT_TRANSLATE_NOOP

MODEL_FILTER = QT_TRANSLATE_NOOP(
    "VocabDialog", "Models (*.safetensors *.pt *.pth *.pkl *.bin);;rnnviz (*.safetensors);;"
    "PyTorch (*.pt *.pth);;The book's pickles (*.pkl);;All files (*)")
_NEEDS_VOCAB = ("has no vocabulary", "vocabulary size mismatch")


def needs_vocabulary(message: str) -> bool:
    """Whether a CheckpointError message asks for a vocabulary (so the dialog can help)."""
    return any(m in message for m in _NEEDS_VOCAB)


def is_pytorch(path: str) -> bool:
    """A zip or legacy torch.save file (the RNN nonlinearity may then be asked)."""
    try:
        return sniff(path) == "zip" or path.endswith((".pt", ".pth"))
    except OSError:
        return False


def choose_model_file(parent: QWidget | None, start: str = "") -> str | None:
    path, _ = QFileDialog.getOpenFileName(
        parent, QCoreApplication.translate("VocabDialog", "Open model"), start,
        QCoreApplication.translate("VocabDialog", MODEL_FILTER))
    return path or None


class VocabDialog(QDialog):
    """Pick where the vocabulary comes from (and the RNN nonlinearity for PyTorch files)."""

    def __init__(self, model_path: str, problem: str, ptb_possible: bool = True,
                 pytorch: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Vocabulary needed"))
        self.model_path = model_path
        self.file_edit = QLineEdit()
        self.corpus_edit = QLineEdit()
        self.corpus_edit.setPlaceholderText(self.tr("train, valid, test in that order"))
        self.cell = QComboBox()
        self.cell.addItem(self.tr("as the file says (tanh if it cannot tell)"), None)
        self.cell.addItem("tanh", "rnn_tanh")
        self.cell.addItem("ReLU", "rnn_relu")
        self.tokenizer = QComboBox()
        self.tokenizer.addItem(self.tr("as the file says, else inferred from the vocabulary"), None)
        self.tokenizer.addItem(self.tr("PTB rules (ptb)"), "ptb")
        self.tokenizer.addItem(self.tr("the vocabulary's own spellings, wikitext style (words)"),
                               "words")
        self.tokenizer.addItem(self.tr("characters (char)"), "char")
        self.classes_edit = QLineEdit()
        self.classes_edit.setPlaceholderText(self.tr("e.g. neg, pos (in fc's output order)"))
        self.classes_edit.setToolTip(self.tr(
            "For a classifier (an RNN and a Linear fc): the class names, comma-separated. "
            "PyTorch files carry none; without them the classes are 'class 0', 'class 1', ..."))
        self.pool = QComboBox()
        self.pool.addItem(self.tr("as the file says, else the last step's output"), None)
        self.pool.addItem(self.tr("the last step's output, out[:, -1, :] (SampleRNN)"),
                          "last-output")
        self.pool.addItem(self.tr("both directions' final states h_n"), "final-states")
        self.pool.setToolTip(self.tr(
            "What a bidirectional classifier's fc reads; a state_dict cannot tell. For one "
            "direction both are the same."))
        self.choice = QButtonGroup(self)
        self.r_file = QRadioButton(self.tr(
            "Vocabulary file (one token a line, the book's .pkl; for RWKV "
            "rwkv_vocab_v20230424.txt or tokenizer.json)"))
        self.r_corpus = QRadioButton(self.tr("Build from corpus files"))
        self.r_ptb = QRadioButton(self.tr(
            "The bundled PTB vocabulary (10,000 words, the book's order)"))
        for i, r in enumerate((self.r_file, self.r_corpus, self.r_ptb)):
            self.choice.addButton(r, i)
        self.r_ptb.setVisible(ptb_possible)
        (self.r_ptb if ptb_possible else self.r_file).setChecked(True)
        self._build(problem, pytorch)

    def _build(self, problem: str, pytorch: bool) -> None:
        intro = QLabel(self.tr("<b>{0}</b> does not say which word each output is.<br>{1}").format(
            html.escape(Path(self.model_path).name), html.escape(problem)))
        intro.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.r_file)
        form.addRow(self._with_browse(self.file_edit, self._browse_file))
        form.addRow(self.r_corpus)
        form.addRow(self._with_browse(self.corpus_edit, self._browse_corpus))
        form.addRow(self.r_ptb)
        if pytorch:
            form.addRow(self.tr("RNN nonlinearity:"), self.cell)
            form.addRow(self.tr("Class names (classifiers):"), self.classes_edit)
            form.addRow(self.tr("Classifier's fc reads:"), self.pool)
        form.addRow(self.tr("Tokenizer:"), self.tokenizer)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(form)
        lay.addWidget(buttons)
        self.file_edit.textEdited.connect(lambda: self.r_file.setChecked(True))
        self.corpus_edit.textEdited.connect(lambda: self.r_corpus.setChecked(True))

    def _with_browse(self, edit: QLineEdit, slot: object) -> QWidget:
        w = QWidget()
        lay = QHBoxLayout(w)
        lay.setContentsMargins(20, 0, 0, 0)
        b = QPushButton(self.tr("Browse…"))
        b.clicked.connect(slot)
        lay.addWidget(edit, 1)
        lay.addWidget(b)
        return w

    def _browse_file(self) -> None:
        kinds = self.tr("Vocabularies (*.txt *.vocab *.json *.pkl);;All files (*)")
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Vocabulary file"), "", kinds)
        if path:
            self.file_edit.setText(path)
            self.r_file.setChecked(True)

    def _browse_corpus(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, self.tr("Corpus files (train, valid, test)"),
                                                "", self.tr("Text (*.txt);;All files (*)"))
        if paths:
            self.corpus_edit.setText(" ; ".join(paths))
            self.r_corpus.setChecked(True)

    def options(self) -> VocabOptions:
        """The choice as loader options (PTB: no file, the loader's default applies)."""
        classes = tuple(c.strip() for c in self.classes_edit.text().split(",") if c.strip())
        common = {"cell": self.cell.currentData(), "tokenizer": self.tokenizer.currentData(),
                  "classes": classes,
                  "pool": self.pool.currentData()}
        if self.r_file.isChecked():
            return VocabOptions(vocab_file=self.file_edit.text().strip() or None, **common)
        if self.r_corpus.isChecked():
            parts = [p.strip() for p in self.corpus_edit.text().split(";")]
            return VocabOptions(vocab_corpus=tuple(p for p in parts if p), **common)
        return VocabOptions(**common)


def ask_vocabulary(parent: QWidget | None, model_path: str, problem: str,
                   previous: VocabOptions | None = None) -> VocabOptions | None:
    """Show the dialog; None when cancelled. (Tests replace this function.)"""
    dlg = VocabDialog(model_path, problem, ptb_possible="10000 tokens" in problem,
                      pytorch=is_pytorch(model_path), parent=parent)
    if previous and previous.vocab_file:
        dlg.file_edit.setText(previous.vocab_file)
    if previous and previous.tokenizer:
        dlg.tokenizer.setCurrentIndex(max(dlg.tokenizer.findData(previous.tokenizer), 0))
    if dlg.exec() != QDialog.DialogCode.Accepted:
        return None
    return dlg.options()
