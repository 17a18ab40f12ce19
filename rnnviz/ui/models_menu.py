"""The Models menu: open a model in place of the first, add one beside the others (up to four),
the bundled models, and closing a model."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from rnnviz.checkpoints.bundled import resource_path
from rnnviz.session import MAX_MODELS, SessionError, Workspace
from rnnviz.ui.binding import link_session

BUNDLED = resource_path("models")


def bundled_models(folder: Path = BUNDLED) -> list[Path]:
    """Every model file shipped in resources/models, by name."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix == ".safetensors" and p.is_file())


class ModelsMenu(QMenu):
    """``open_file(path, add)`` is the window's background loader; ``add`` puts the model beside
    the others instead of replacing the first."""

    def __init__(self, workspace: Workspace, open_file: Callable[[str, bool], None],
                 choose_file: Callable[[bool], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("&Models"))
        self.workspace = workspace
        self._open, self._choose = open_file, choose_file
        self.compare_action = QAction(self.tr("&Compare with…"), self)
        self.compare_action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.compare_action.setStatusTip(self.tr("Open another model beside the current ones: "
                                                 "every view shows all models on the same text"))
        self.compare_action.triggered.connect(lambda: self._choose(True))
        self.aboutToShow.connect(self.rebuild)
        self.rebuild()
        link_session(self, [(workspace.models_changed, self._update_enabled)])

    def rebuild(self) -> None:
        self.clear()
        self.addAction(self.compare_action)
        self.addSeparator()
        for title, add in ((self.tr("Open &bundled model"), False),
                           (self.tr("&Add bundled model beside"), True)):
            sub = self.addMenu(title)
            for path in bundled_models():
                act = sub.addAction(path.stem)
                act.setToolTip(str(path))
                act.triggered.connect(lambda _=False, p=str(path), a=add: self._open(p, a))
                act.setEnabled(not add or len(self.workspace.models) < MAX_MODELS)
            sub.setEnabled(bool(bundled_models()))
        close = self.addMenu(self.tr("C&lose model"))
        for i, s in enumerate(self.workspace.models):
            act = close.addAction(f"{i + 1}  {s.name}")
            act.triggered.connect(lambda _=False, k=i: self.close_model(k))
        close.setEnabled(len(self.workspace.models) > 1)
        self._update_enabled()

    def _update_enabled(self) -> None:
        self.compare_action.setEnabled(len(self.workspace.models) < MAX_MODELS)

    def close_model(self, index: int) -> None:
        with contextlib.suppress(SessionError, IndexError):
            self.workspace.remove_model(index)
