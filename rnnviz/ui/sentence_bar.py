"""The sentence input with an example picker; Enter runs the sentence from step 1.

Errors (an empty sentence, a word a vocabulary without <unk> cannot take) are shown inline
next to the box; the typed text stays and the previous sentence stays loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
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
from rnnviz.session.examples import Example, load_example_entries, menu_sections
from rnnviz.ui.binding import link_session
from rnnviz.ui.workers import Job, JobQueue

EXAMPLES_PATH = resource_path("examples.txt")
CHAR_PREFIX = "char:"
# Character-level models read whitespace exactly; the one-line box writes it with escapes.
_DECODE = {"n": "\n", "t": "\t", "\\": "\\"}
_ENCODE = {"\n": "\\n", "\t": "\\t", "\\": "\\\\"}
MAX_TEXT_CHARS = 2**24  # what the box takes (a pasted book chapter fits)
ASYNC_CHARS = 1500  # a longer text runs on a worker thread (the window stays responsive)
CHAR_HINT = "\\n is a newline, \\t a tab, \\\\ a backslash"


def decode_escapes(text: str) -> str:
    """'\\n' -> newline, '\\t' -> tab, '\\\\' -> backslash; any other backslash stays."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in _DECODE:
            out.append(_DECODE[text[i + 1]])
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def encode_escapes(text: str) -> str:
    """The inverse of :func:`decode_escapes` (for showing a text in the one-line box)."""
    return "".join(_ENCODE.get(ch, ch) for ch in text)


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
            char.append(decode_escapes(line.split(":", 1)[1].strip()))
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
    example_chosen = Signal(object)  # an Example naming models or a target (the window opens)

    def __init__(self, session: ModelSession, examples: Examples | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.examples = examples or load_examples()
        # Sections, notes and directives: only for the bundled examples file.
        self.entries: list[Example] = [] if examples is not None else load_example_entries()
        self.edit = QLineEdit()
        self.edit.setMaxLength(MAX_TEXT_CHARS)  # Qt's default (32,767) cut long texts silently
        self.edit.setPlaceholderText(self.tr("Type a sentence and press Enter"))
        self.edit.setClearButtonEnabled(True)
        self.edit.setToolTip(self.tr("Enter runs the sentence from the first word (Ctrl+L "
                                     "comes here)"))
        self.run = QPushButton(self.tr("Run"))
        self.run.setToolTip(self.tr("Tokenize the sentence and start again at step 1 (Enter)"))
        self.picker = QComboBox()
        self.picker.setObjectName("examples")  # its items are data (examples.txt), not UI
        self.picker.setToolTip(self.tr("Pick an example sentence"))
        self.picker.setMinimumContentsLength(24)
        self.picker.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.error = QLabel()
        self.error.setStyleSheet("color: #cf222e;")
        self.error.hide()
        self.busy = QLabel()
        self.busy.hide()
        self.cancel = QPushButton(self.tr("Cancel"))
        self.cancel.setToolTip(self.tr("Stop running the long text (the previous one stays)"))
        self.cancel.clicked.connect(self.cancel_run)
        self.cancel.hide()
        self.jobs = JobQueue(self)
        self._job: Job | None = None
        self._layout()
        self.edit.returnPressed.connect(self.apply)
        self.edit.textEdited.connect(self._clear_error)
        self.run.clicked.connect(self.apply)
        self.picker.activated.connect(self._picked)
        link_session(self, [(session.model_changed, self._on_model_changed),
                            (session.trace_changed, self._sync_text)])
        self._on_model_changed()
        self.edit.setText(self.shown(session.text))

    def _layout(self) -> None:
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(self.tr("Sentence:"))
        lay.addWidget(self.label)
        lay.addWidget(self.edit, 1)
        lay.addWidget(self.run)
        lay.addWidget(self.busy)
        lay.addWidget(self.cancel)
        lay.addWidget(self.error)
        lay.addWidget(self.picker)

    @property
    def is_char(self) -> bool:
        return self.session.model is not None and self.session.model.tokenizer == "char"

    def shown(self, text: str) -> str:
        """A text as the one-line box shows it: escapes for a character model, newlines as
        spaces for a word model (where they are only whitespace)."""
        return encode_escapes(text) if self.is_char else " ".join(text.split("\n"))

    def typed(self) -> str:
        """The box's text as the model will read it."""
        text = self.edit.text()
        return decode_escapes(text) if self.is_char else text

    def _on_model_changed(self) -> None:
        self.fill_examples()
        if self.is_char:
            hint = self.tr("\\n is a newline, \\t a tab, \\\\ a backslash")
            self.label.setText(self.tr("Text (\\n = newline):"))
            self.edit.setPlaceholderText(self.tr("Type text and press Enter ({0})").format(hint))
            self.edit.setToolTip(self.tr("Enter runs the text from the first character; {0} "
                                         "(Ctrl+L comes here)").format(hint))
        else:
            self.label.setText(self.tr("Sentence:"))
            self.edit.setPlaceholderText(self.tr("Type a sentence and press Enter"))
            self.edit.setToolTip(self.tr("Enter runs the sentence from the first word (Ctrl+L "
                                         "comes here)"))
        if not self.edit.hasFocus():
            self.edit.setText(self.shown(self.session.text))

    def fill_examples(self) -> None:
        """Examples that suit the model's tokenizer (word or char), under their section headers
        (not selectable), each with its note as the tooltip."""
        tok = self.session.model.tokenizer if self.session.model else "word"
        self.picker.clear()
        self.picker.addItem(self.tr("Examples…"))
        sections = menu_sections(self.entries, tok) if self.entries else \
            [("", [Example(s, tok) for s in self.examples.for_tokenizer(tok)])]
        for title, entries in sections:
            if title:
                self._add_header(title)
            for e in entries:
                text = decode_escapes(e.text) if e.tokenizer == "char" else e.text
                label = encode_escapes(text) if tok == "char" else text
                label = label if len(label) <= 60 else label[:57] + "…"
                self.picker.addItem(("   " if title else "") + label, e)
                tip = e.note
                if e.models:
                    tip += ("\n" if tip else "") + self.tr("Opens {0}").format(", ".join(e.models))
                if tip:
                    self.picker.setItemData(self.picker.count() - 1, tip,
                                            Qt.ItemDataRole.ToolTipRole)
        self.picker.setCurrentIndex(0)

    def _add_header(self, title: str) -> None:
        self.picker.addItem(title)
        item = self.picker.model().item(self.picker.count() - 1)  # type: ignore[attr-defined]
        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsSelectable & ~Qt.ItemFlag.ItemIsEnabled)
        font = item.font()
        font.setBold(True)
        item.setFont(font)
        item.setForeground(QColor("#57606a"))  # a header: darker than a disabled item

    def _picked(self, index: int) -> None:
        entry = self.picker.itemData(index)
        self.picker.setCurrentIndex(0)
        if not isinstance(entry, Example):
            return
        text = decode_escapes(entry.text) if entry.tokenizer == "char" else entry.text
        if entry.models or entry.target:
            self.edit.setText(self.shown(text))
            self.example_chosen.emit(entry)
            return
        self.edit.setText(self.shown(text))
        self.apply()

    def apply(self) -> bool:
        """Run the typed text from step 1; False (and an inline message) if it cannot. A long
        text runs on a worker thread (True: started); a newer text supersedes it."""
        text = self.typed()
        self.cancel_run()
        if len(text) > ASYNC_CHARS:
            self._start_run(text)
            return True
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

    def _start_run(self, text: str) -> None:
        workspace = self.session.workspace
        job = Job(lambda _progress: workspace.plan_text(text), "run text",
                  (text, tuple(workspace.models), tuple(s.model for s in workspace.models)))
        job.signals.done.connect(self._run_done)
        job.signals.failed.connect(self._run_failed)
        self._job = self.jobs.submit(job)
        self.busy.setText(self.tr("Running {0} characters…").format(f"{len(text):,}"))
        self.busy.show()
        self.cancel.show()
        self._clear_error()

    def running(self) -> bool:
        """Whether a long text is running in the background."""
        return self._job is not None

    def cancel_run(self) -> None:
        """Forget the text running in the background (its result is dropped)."""
        if self._job is not None:
            self._job.cancel()
            self._job = None
        self.busy.hide()
        self.cancel.hide()

    def _mine(self, job: Job) -> bool:
        if job is not self._job or job.is_cancelled:
            return False
        self.cancel_run()
        return True

    def _run_done(self, job: Job, runs: list) -> None:
        if not self._mine(job):
            return
        text, sessions, models = job.context
        workspace = self.session.workspace
        if tuple(workspace.models) != sessions or \
                tuple(s.model for s in workspace.models) != models:
            self.show_error(self.tr("the model changed while the text ran: press Enter again"))
            return
        try:
            workspace.install_runs(text, runs)
        except (SessionError, VocabError) as e:
            self.show_error(str(e))
            return
        self.applied.emit()

    def _run_failed(self, job: Job, e: BaseException) -> None:
        if self._mine(job):
            self.show_error(" ".join(str(e).split()) or type(e).__name__)

    def show_error(self, message: str) -> None:
        self.error.setText(f"⚠ {message}")
        self.error.setToolTip(message)
        self.error.show()

    def _clear_error(self, *_: object) -> None:
        self.error.hide()

    def _sync_text(self) -> None:
        if self.typed() != self.session.text and not self.edit.hasFocus():
            self.edit.setText(self.shown(self.session.text))

    def focus_edit(self) -> None:
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()
