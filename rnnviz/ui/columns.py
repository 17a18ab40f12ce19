"""One view per model, side by side: a column for each model of the workspace, under a header
that names the model (in its comparison colour) and closes it. With one model the view stands
alone, as before."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from rnnviz.session import ModelSession, SessionError, Workspace
from rnnviz.ui.binding import link_session
from rnnviz.ui.colormaps import visible

# One colour per model slot, the same in every view (legend, headers, curves).
MODEL_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")

ViewFactory = Callable[[ModelSession], QWidget]


def model_colour(index: int) -> str:
    return MODEL_COLOURS[index % len(MODEL_COLOURS)]


class ColumnHeader(QWidget):
    """'■ name · note  ×' above one model's view."""

    def __init__(self, workspace: Workspace, session: ModelSession) -> None:
        super().__init__()
        self.workspace, self.session = workspace, session
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.close_button = QToolButton()
        self.close_button.setText("×")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip(self.tr("Close this model (the others stay)"))
        self.close_button.clicked.connect(self.close_model)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(2, 0, 2, 0)
        lay.addWidget(self.label, 1)
        lay.addWidget(self.close_button)
        link_session(self, [(session.model_changed, self.refresh),
                            (session.trace_changed, self.refresh),
                            (session.cursor_changed, self.refresh)])
        self.refresh()

    def refresh(self, *_: object) -> None:
        s = self.session
        if s not in self.workspace.models:
            return
        colour = model_colour(s.index)
        note = " · " + self.tr("← reads right to left") if s.backward else ""
        if s.trace is not None and not self.workspace.aligned:
            note += " · " + self.tr("own tokens: step {0} of {1}, “{2}”").format(
                s.cursor + 1, s.length, visible(s.trace.tokens[s.cursor].text))
        self.label.setText(f"<span style='color:{colour}'>■</span> <b>{s.name}</b>{note}")
        self.label.setToolTip(s.model.path if s.model else "")

    def close_model(self) -> None:
        with contextlib.suppress(SessionError):
            self.workspace.remove_model(self.session.index)


class ModelColumns(QWidget):
    """``factory(session)`` for every model of the workspace, rebuilt when models come or go."""

    def __init__(self, workspace: Workspace, factory: ViewFactory,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace, self.factory = workspace, factory
        self.views: list[QWidget] = []
        self._sessions: list[ModelSession] = []
        self._lay = QVBoxLayout(self)
        self._lay.setContentsMargins(0, 0, 0, 0)
        self._body: QWidget | None = None
        link_session(self, [(workspace.models_changed, self.rebuild)])
        self.rebuild()

    def rebuild(self) -> None:
        """New columns when the list of models changed (same sessions: nothing to do). The
        views of models that stay are kept (a view follows its session), only new models get
        new views: opening an example of three models builds three, not six."""
        sessions = [s for s in self.workspace.models if s.model is not None]
        if sessions == self._sessions and self._body is not None:
            return
        old = dict(zip(self._sessions, self.views, strict=True))
        kept = {s: old[s] for s in sessions if s in old}
        for view in kept.values():
            view.setParent(None)  # out of the old body before it goes
        if self._body is not None and self._body not in kept.values():
            self._body.setParent(None)
            self._body.deleteLater()
        for s, view in old.items():
            if s not in kept:
                view.deleteLater()
        self._sessions = sessions
        self.views = [kept[s] if s in kept else self.factory(s) for s in sessions]
        self._body = self._single() if len(sessions) == 1 else self._split()
        self._lay.addWidget(self._body)
        self._body.show()

    def _single(self) -> QWidget:
        return self.views[0]

    def _split(self) -> QWidget:
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        for s, view in zip(self._sessions, self.views, strict=True):
            col = QWidget()
            lay = QVBoxLayout(col)
            lay.setContentsMargins(0, 0, 0, 0)
            lay.setSpacing(0)
            lay.addWidget(ColumnHeader(self.workspace, s))
            lay.addWidget(view, 1)
            split.addWidget(col)
        return split
