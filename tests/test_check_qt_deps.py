"""scripts/check_qt_deps.py: ldd's 'not found' lines become one apt-get line."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "check_qt_deps.py"

LDD = """\
\tlinux-vdso.so.1 (0x00007ffd)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x00007f)
\tlibxcb-icccm.so.4 => not found
"""


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_qt_deps", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_not_found_lines_become_packages(script: ModuleType) -> None:
    missing = script.missing_in(LDD)
    assert missing == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]
    assert script.apt_line(missing) == "sudo apt-get install libxcb-icccm4 libxcb-keysyms1"


def test_unknown_library_is_named(script: ModuleType) -> None:
    assert "libfoo.so.9" in script.apt_line(["libfoo.so.9"])


def test_exit_status_and_message(script: ModuleType, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("the check runs on Linux only")
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setattr(script, "missing_libraries", lambda _qt: ["libxcb-keysyms.so.1"])
    assert script.main([]) == 1
    assert "sudo apt-get install libxcb-keysyms1" in capsys.readouterr().err
    monkeypatch.setattr(script, "missing_libraries", lambda _qt: [])
    assert script.main([]) == 0
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")  # no X11 plugin needed
    monkeypatch.setattr(script, "missing_libraries", lambda _qt: ["libxcb1.so.1"])
    assert script.main([]) == 0
