"""Which next word's loss the gradients trace: the true next word by default (the top guess at
the last step), or a word the user picks by clicking a bar or typing it here."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from rnnviz.session import Workspace
from rnnviz.ui import colormaps as cm
from rnnviz.ui.binding import link_session


class TracedWordBox(QWidget):
    """'tracing p('tom') after step 18  [word…] [true next word]'."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.label = QLabel()
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(self.tr("trace another word…"))
        self.edit.setToolTip(self.tr("Type a word and press Enter: the gradients then trace the "
                                     "loss of that word as the next word at the current step "
                                     "(clicking a bar of the next-word chart does the same)"))
        self.edit.setClearButtonEnabled(True)
        self.edit.setMaximumWidth(170)
        self.edit.returnPressed.connect(self._typed)
        self.reset = QPushButton(self.tr("true next word"))
        self.reset.setToolTip(self.tr("Trace the true next word again (at the last step: the top "
                                      "guess)"))
        self.reset.clicked.connect(lambda: self.workspace.set_traced_word(None))
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.label, 1)
        lay.addWidget(self.edit)
        lay.addWidget(self.reset)
        link_session(self, [(workspace.traced_changed, self.refresh),
                            (workspace.text_changed, self.refresh),
                            (workspace.models_changed, self.refresh),
                            (workspace.cursor_changed, self.refresh)])
        self.refresh()

    def _typed(self) -> None:
        word = self.edit.text().strip()
        if word:
            self.workspace.set_traced_word(word)
            self.edit.clear()

    def text(self) -> str:
        return self.label.text()

    def _kind(self) -> str:
        """What the lead model's loss is about: 'class', 'previous' or 'next'."""
        lead = self.workspace.lead
        if lead is not None and lead.classifier:
            return "class"
        return "previous" if lead is not None and lead.backward else "next"

    def _defaults(self) -> tuple[str, str, str]:
        """(what is traced by default, the reset button, the edit's placeholder)."""
        kind = self._kind()
        if kind == "class":
            return (self.tr("Tracing the loss of the predicted class"),
                    self.tr("predicted class"), self.tr("trace a class…"))
        if kind == "previous":
            return (self.tr("Tracing the loss of the true previous word"),
                    self.tr("true previous word"), self.tr("trace another word…"))
        return (self.tr("Tracing the loss of the true next word"), self.tr("true next word"),
                self.tr("trace another word…"))

    def refresh(self, *_: object) -> None:
        """Say what is traced at the current step, and where the choice is not applied."""
        choice = self.workspace.traced
        self.reset.setEnabled(choice is not None)
        default, button, placeholder = self._defaults()
        self.reset.setText(button)
        self.edit.setPlaceholderText(placeholder)
        if choice is None:
            self.label.setText(default)
            self.label.setToolTip("")
            return
        if choice.step == self.workspace.cursor:
            self.label.setText(self.tr("Tracing p({0}) here").format(cm.quote(choice.word)))
        else:
            self.label.setText(self.tr("Tracing p({0}) at step {1}").format(
                cm.quote(choice.word), choice.step + 1))
        notes = [s.traced_note for s in self.workspace.models if s.traced_note]
        self.label.setToolTip("; ".join(notes))
        if notes:
            self.label.setText(self.label.text() + " " + self.tr("(not for every model: hover)"))
