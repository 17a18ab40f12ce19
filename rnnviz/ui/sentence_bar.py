"""The sentence input with an example picker; Enter runs the sentence from step 1.

Errors (an empty sentence, a word a vocabulary without <unk> cannot take) are shown inline
next to the box; the typed text stays and the previous sentence stays loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from rnnviz.checkpoints.bundled import resource_path
from rnnviz.checkpoints.vocab import VocabError
from rnnviz.session import ModelSession, SessionError
from rnnviz.ui.binding import link_session

EXAMPLES_PATH = resource_path("examples.txt")
CHAR_PREFIX = "char:"


@dataclass(frozen=True)
class Examples:
    """Example sentences from resources/examples.txt, split by tokenizer."""

    word: tuple[str, ...]
    char: tuple[str, ...]

    def for_tokenizer(self, tokenizer: str) -> tuple[str, ...]:
        return self.char if tokenizer == "char" else self.word


def parse_examples(text: str) -> Examples:
    """'#' lines are comments; 'char: TEXT' lines are for character-level models."""
    word: list[str] = []
    char: list[str] = []
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        if s.lower().startswith(CHAR_PREFIX):
            char.append(line.split(":", 1)[1].strip())
        else:
            word.append(s)
    return Examples(tuple(word), tuple(char))


def load_examples(path: Path = EXAMPLES_PATH) -> Examples:
    try:
        return parse_examples(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return Examples((), ())


FALLBACK = {"word": "the cat sat on the mat .", "char": "the cat sat on the mat."}


def first_example(examples: Examples, tokenizer: str) -> str:
    found = examples.for_tokenizer(tokenizer)
    return found[0] if found else FALLBACK.get(tokenizer, FALLBACK["word"])


class SentenceBar(QWidget):
    """Line edit + 'Run' + example picker + inline error label."""

    applied = Signal()  # a sentence was run (the window moves focus to the token strip)

    def __init__(self, session: ModelSession, examples: Examples | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.examples = examples or load_examples()
        self.edit = QLineEdit(session.text)
        self.edit.setPlaceholderText("Type a sentence and press Enter")
        self.edit.setClearButtonEnabled(True)
        self.edit.setToolTip("Enter runs the sentence from the first word (Ctrl+L comes here)")
        self.run = QPushButton("Run")
        self.run.setToolTip("Tokenize the sentence and start again at step 1 (Enter)")
        self.picker = QComboBox()
        self.picker.setToolTip("Pick an example sentence")
        self.picker.setMinimumContentsLength(24)
        self.picker.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.error = QLabel()
        self.error.setStyleSheet("color: #cf222e;")
        self.error.hide()
        self._layout()
        self.edit.returnPressed.connect(self.apply)
        self.edit.textEdited.connect(self._clear_error)
        self.run.clicked.connect(self.apply)
        self.picker.activated.connect(self._picked)
        link_session(self, [(session.model_changed, self.fill_examples),
                            (session.trace_changed, self._sync_text)])
        self.fill_examples()

    def _layout(self) -> None:
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(QLabel("Sentence:"))
        lay.addWidget(self.edit, 1)
        lay.addWidget(self.run)
        lay.addWidget(self.error)
        lay.addWidget(self.picker)

    def fill_examples(self) -> None:
        """Examples that suit the model's tokenizer (word or char)."""
        tok = self.session.model.tokenizer if self.session.model else "word"
        self.picker.clear()
        self.picker.addItem("Examples…")
        for s in self.examples.for_tokenizer(tok):
            self.picker.addItem(s if len(s) <= 60 else s[:57] + "…", s)
        self.picker.setCurrentIndex(0)

    def _picked(self, index: int) -> None:
        text = self.picker.itemData(index)
        self.picker.setCurrentIndex(0)
        if isinstance(text, str):
            self.edit.setText(text)
            self.apply()

    def apply(self) -> bool:
        """Run the typed text from step 1; False (and an inline message) if it cannot."""
        text = self.edit.text()
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # long sentences take a moment
        try:
            self.session.set_text(text)
        except (SessionError, VocabError) as e:
            self.show_error(str(e))
            return False
        finally:
            QApplication.restoreOverrideCursor()
        self._clear_error()
        self.applied.emit()
        return True

    def show_error(self, message: str) -> None:
        self.error.setText(f"⚠ {message}")
        self.error.setToolTip(message)
        self.error.show()

    def _clear_error(self, *_: object) -> None:
        self.error.hide()

    def _sync_text(self) -> None:
        if self.edit.text() != self.session.text and not self.edit.hasFocus():
            self.edit.setText(self.session.text)

    def focus_edit(self) -> None:
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()
