"""Closing a window frees it, its workspace, the traces and the gradient stores."""

from __future__ import annotations

import gc
import weakref
from typing import Any

from PySide6.QtCore import QEvent, QSettings
from PySide6.QtWidgets import QApplication

from rnnviz.checkpoints.model import LoadedModel
from rnnviz.session import ModelSession, Workspace
from tests.ui.conftest import SENTENCE


def test_closed_windows_free_their_workspace(qtbot: Any, demo_model: LoadedModel,
                                             settings: QSettings) -> None:
    from rnnviz.ui.main_window import MainWindow

    refs = []
    for _ in range(2):
        ws = Workspace()
        s = ModelSession(ws)
        ws.attach(s)
        ws.text = SENTENCE
        s.set_model(demo_model)
        win = MainWindow(ws, settings=settings)
        win.show()
        qtbot.waitExposed(win)
        win.runners.run_blocking()
        win.tabs.setCurrentIndex(win.tabs.count() - 1)  # every tab built and shown once
        refs.append([weakref.ref(x) for x in (win, ws, s.trace, s.store(None))])
        win.close()
        win.deleteLater()
        del win, ws, s
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        qtbot.wait(20)
    gc.collect()
    assert [[r() is None for r in group] for group in refs] == [[True] * 4] * 2
