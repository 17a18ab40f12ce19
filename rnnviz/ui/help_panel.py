"""The help panel: each view explained, the notation, the equations of each cell in PyTorch's and
the book's conventions, and 'this step's numbers': one unit's equations filled with the values
the model computed at the current step. English or Japanese, following the UI language."""

from __future__ import annotations

from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from rnnviz.session import ModelSession, SessionError, UnitRef, Workspace
from rnnviz.session.step_numbers import fill
from rnnviz.ui.binding import link_session
from rnnviz.ui.help_text import HELP, NUMBERS_HINT, NUMBERS_TITLE


def ui_language() -> str:
    """'ja' when the UI locale is Japanese, else 'en'."""
    return "ja" if QLocale().language() == QLocale.Language.Japanese else "en"


class StepNumbers(QGroupBox):
    """Model, layer and unit pickers over the filled equations of that unit at the cursor."""

    def __init__(self, workspace: Workspace, lang: str) -> None:
        super().__init__(NUMBERS_TITLE[lang])
        self.workspace = workspace
        self.model_box = QComboBox()
        self.layer = QSpinBox()
        self.layer.setPrefix(self.tr("layer "))
        self.unit = QSpinBox()
        self.unit.setPrefix(self.tr("unit "))
        self.unit.setToolTip(self.tr("Clicking a heatmap row selects a unit too"))
        hint = QLabel(NUMBERS_HINT[lang])
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #57606a;")
        self.lines = QLabel()
        self.lines.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.lines.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.lines.setWordWrap(True)
        pick = QHBoxLayout()
        pick.addWidget(self.model_box, 1)
        pick.addWidget(self.layer)
        pick.addWidget(self.unit)
        lay = QVBoxLayout(self)
        lay.addLayout(pick)
        lay.addWidget(hint)
        lay.addWidget(self.lines, 1)
        for w in (self.layer, self.unit):
            w.valueChanged.connect(self._picked)
        self.model_box.activated.connect(self._picked)
        link_session(self, [(workspace.models_changed, self._models),
                            (workspace.cursor_changed, self.refresh),
                            (workspace.text_changed, self.refresh),
                            (workspace.selection_changed, self._from_selection)])
        self._models()

    def _models(self) -> None:
        self.model_box.blockSignals(True)
        self.model_box.clear()
        for i, s in enumerate(self.workspace.models):
            self.model_box.addItem(f"{i + 1}  {s.name}", i)
        self.model_box.blockSignals(False)
        self._from_selection()

    def _from_selection(self) -> None:
        """Show the workspace's selected unit (h, c or a gate: the equations cover all)."""
        sel = self.workspace.selected_unit
        if sel is not None and sel.model < len(self.workspace.models):
            for w, v in ((self.model_box, sel.model), (self.layer, sel.layer + 1),
                         (self.unit, sel.unit)):
                w.blockSignals(True)
                if isinstance(w, QComboBox):
                    w.setCurrentIndex(v)
                else:
                    w.setValue(v)
                w.blockSignals(False)
        self._limits()
        self.refresh()

    def _limits(self) -> None:
        s = self._session()
        engine = s.engine if s is not None else None
        self.layer.setRange(1, engine.num_layers if engine is not None else 1)
        self.unit.setRange(0, engine.hidden_size - 1 if engine is not None else 0)

    def _session(self) -> ModelSession | None:
        i = max(0, self.model_box.currentIndex())
        return self.workspace.models[i] if i < len(self.workspace.models) else None

    def _picked(self, *_: object) -> None:
        self._limits()
        unit = UnitRef(max(0, self.model_box.currentIndex()), "h", self.layer.value() - 1,
                       self.unit.value())
        self.workspace.set_selected_unit(unit)
        self.refresh()

    def refresh(self, *_: object) -> None:
        s = self._session()
        if s is None or s.trace is None:
            self.lines.setText("")
            return
        t = s.cursor
        try:
            filled = fill(s, self.layer.value() - 1, self.unit.value(), t)
        except SessionError as e:
            self.lines.setText(str(e))
            return
        head = self.tr("step {0}, token “{1}”, layer {2}:").format(
            t + 1, s.trace.tokens[t].text, self.layer.value())
        self.lines.setText("\n".join([head, *(f.text for f in filled)]))


class HelpPanel(QWidget):
    """The help text beside the live numbers box."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lang = ui_language()
        self.text = QTextBrowser()
        self.text.setHtml(HELP[self.lang])
        self.numbers = StepNumbers(workspace, self.lang)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.text)
        split.addWidget(self.numbers)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(split)
