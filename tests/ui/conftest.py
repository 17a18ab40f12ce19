"""Qt fixtures for the window tests: isolated settings, the demo model, a recorded QMessageBox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from rnnviz.checkpoints.loader import load_model
from rnnviz.checkpoints.model import LoadedModel
from rnnviz.session import Session

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "resources" / "models" / "demo-lstm.safetensors"
SENTENCE = "the cat sat on the mat and the dog ran into the room ."
# The offscreen platform has no window manager; Qt says so once per window. Harmless.
OFFSCREEN_NOTE = r"This plugin does not support propagateSizeHints\(\)"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOTE))


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path) -> Iterator[Path]:
    """Every QSettings() in a test writes under tmp_path, never the user's real settings."""
    folder = tmp_path / "settings"
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    yield folder


@pytest.fixture(scope="session")
def demo_model() -> LoadedModel:
    return load_model(DEMO)


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "rnnviz.ini"), QSettings.Format.IniFormat)


class Boxes:
    """QMessageBox calls recorded instead of shown: (kind, title, text)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str]] = []

    def record(self, kind: str) -> Any:
        def fake(parent: object, title: str, text: str, *args: object, **kw: object) -> int:
            self.calls.append((kind, title, text))
            return int(QMessageBox.StandardButton.Ok.value)

        return fake


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> Boxes:
    rec = Boxes()
    for kind in ("warning", "critical", "information", "question"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(rec.record(kind)))
    return rec


@pytest.fixture
def window(qtbot: Any, demo_model: LoadedModel, settings: QSettings, boxes: Boxes) -> Iterator[Any]:
    """The real main window on the demo model with SENTENCE loaded, shown offscreen."""
    from rnnviz.ui.main_window import MainWindow

    session = Session()
    session.text = SENTENCE
    session.set_model(demo_model)
    win = MainWindow(session, settings=settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    win.focus_steps()
    yield win
    win.shutdown()
