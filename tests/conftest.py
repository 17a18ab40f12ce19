"""Test-wide setup: headless Qt, paths to ../shared data (skipped with a reason when absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("RNNVIZ_SHARED") or REPO.parent / "shared")
PTB = SHARED / "data" / "ptb"
SHAKESPEARE = SHARED / "data" / "tinyshakespeare" / "input.txt"
BOOK_RNNLM = SHARED / "fixtures" / "dlfs2" / "Rnnlm.pkl"


def need(path: Path) -> Path:
    """Return path, or skip the test when ../shared does not provide it."""
    if not path.exists():
        why = "not in ../shared" if SHARED.is_dir() else "../shared is absent here"
        pytest.skip(f"needs {os.path.relpath(path, REPO)} ({why})")
    return path


@pytest.fixture
def ptb_dir() -> Path:
    return need(PTB / "ptb.train.txt").parent


@pytest.fixture
def book_rnnlm() -> Path:
    return need(BOOK_RNNLM)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Qt exception capture (pytest-qt) only where Qt runs: tests/ui. Elsewhere it turned a
    line CPython prints while freeing an object left over from an earlier test ("deallocated
    bytearray object has exported buffers", seen in the first run of a fresh clone only) into
    the failure of whichever non-Qt test happened to be running."""
    ui = Path(__file__).resolve().parent / "ui"
    for item in items:
        if ui not in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.qt_no_exception_capture)
