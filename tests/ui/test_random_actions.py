"""A seeded random-action run on the real main window (scripts/random_actions.py): 300 actions
of typing, keys, every control, good and bad files, resizing and docks, with no exception, no
Qt warning, no action over 5 s and no hostile-file side effect."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from PySide6.QtCore import QTimer, qWarning

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "random_actions.py"


@pytest.fixture(scope="module")
def driver() -> ModuleType:
    spec = importlib.util.spec_from_file_location("random_actions", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def restore_hooks() -> Any:
    from PySide6.QtCore import qInstallMessageHandler

    hook = sys.excepthook
    yield
    sys.excepthook = hook
    qInstallMessageHandler(None)


def test_300_random_actions(driver: ModuleType, qapp: Any, restore_hooks: None) -> None:
    [result] = driver.run_seeds([2026], 300, long_tokens=3000)
    assert result["failures"] == []
    assert len(result["counts"]) >= 15  # nearly every kind of action was taken


def test_the_run_reports_slot_exceptions_and_qt_warnings(driver: ModuleType, qapp: Any,
                                                         restore_hooks: None,
                                                         qtbot: Any) -> None:
    failures: list[str] = []
    driver.watch(failures)

    def broken() -> None:
        raise RuntimeError("boom in a slot")

    QTimer.singleShot(0, broken)
    qtbot.wait(20)
    qWarning("a Qt warning")
    assert any("boom in a slot" in f for f in failures)
    assert any("a Qt warning" in f for f in failures)
