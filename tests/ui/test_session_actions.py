"""Save a session from one window and open it in another, in the menu and from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rnnviz import app
from rnnviz.session import Session
from rnnviz.ui.gradient import GradientView
from rnnviz.ui.main_window import MainWindow
from tests.ui.conftest import DEMO, SENTENCE


def _window(qtbot: Any, demo_model: Any, settings: Any) -> MainWindow:
    s = Session()
    s.set_model(demo_model)
    s.set_text(SENTENCE)
    w = MainWindow(s.workspace, settings=settings)
    qtbot.addWidget(w)
    return w


def test_save_then_open_restores_the_workspace_and_views(qtbot: Any, demo_model: Any,
                                                        settings: Any, tmp_path: Path) -> None:
    a = _window(qtbot, demo_model, settings)
    a.session.load_options = {"vocab_file": None, "vocab_corpus": [], "cell": None}
    ws = a.workspace
    ws.set_cursor(6)
    ws.set_traced_word("dog")
    ws.set_top_k(4)
    a.findChildren(GradientView)[0].c_check.setChecked(True)
    path = tmp_path / "x.rnnviz.json"
    a.sessions.save(str(path))
    other = Session()
    other.set_model(demo_model)
    other.set_text("a b c")
    b = MainWindow(other.workspace, settings=settings)
    qtbot.addWidget(b)
    with qtbot.waitSignal(b.open_finished, timeout=20000) as sig:
        b.sessions.open(str(path))
    assert sig.args == [True]
    wb = b.workspace
    assert (wb.text, wb.cursor, wb.top_k, wb.traced) == (ws.text, 6, 4, ws.traced)
    assert b.findChildren(GradientView)[0].c_check.isChecked()
    for w in (a, b):
        w.shutdown()


def test_a_bad_session_keeps_the_models(qtbot: Any, demo_model: Any, settings: Any,
                                       tmp_path: Path, monkeypatch: Any) -> None:
    from PySide6.QtWidgets import QMessageBox

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(str(a[2])))
    w = _window(qtbot, demo_model, settings)
    before = w.session.trace
    bad = tmp_path / "bad.rnnviz.json"
    bad.write_text('{"format": "rnnviz-session", "version": 1, "models": '
                   '[{"path": "/nowhere/m.safetensors"}]}', encoding="utf-8")
    with qtbot.waitSignal(w.open_finished, timeout=20000) as sig:
        w.sessions.open(str(bad))
    assert sig.args == [False] and w.session.trace is before
    assert len(shown) == 1 and "\n" not in shown[0]
    w.shutdown()


def test_the_command_line_opens_a_session(qtbot: Any, demo_model: Any, settings: Any,
                                         tmp_path: Path) -> None:
    a = _window(qtbot, demo_model, settings)
    a.workspace.set_cursor(3)
    path = tmp_path / "y.rnnviz.json"
    a.sessions.save(str(path))
    window, error = app.build_window(app.parse_args([str(path)]))
    qtbot.addWidget(window)
    assert error is None and window.workspace.cursor == 3
    assert window.session.model is not None and window.session.model.path == str(DEMO)
    for w in (a, window):
        w.shutdown()
