"""``--panel`` (for scripted figures) opens a top-level tab or one of Step through's panes,
which are sub-tabs in a short window; an unknown title is a one-line error."""

from __future__ import annotations

from typing import Any

import pytest

from rnnviz import app
from tests.ui.conftest import DEMO


def open_window(qtbot: Any, *extra: str) -> tuple[Any, str | None]:
    window, error = app.build_window(app.parse_args([str(DEMO), "--size", "1366x768", *extra]))
    qtbot.addWidget(window)
    window.resize(1366, 768)  # shorter than the split panes need: the panes are sub-tabs
    window.show()
    qtbot.waitExposed(window)
    return window, error


@pytest.mark.parametrize(("title", "pane"), [("Gradient flow back in time", 2),
                                             ("Next-word prediction", 1)])
def test_panel_opens_a_pane_of_step_through(qtbot: Any, title: str, pane: int) -> None:
    window, error = open_window(qtbot, "--panel", title)
    try:
        assert error is None
        assert window.tabs.currentIndex() == 0  # Step through
        assert window.right.compact
        assert window.right.tabs.currentWidget() is window.panes[pane]
        other = window.panes[3 - pane]
        assert not other.isVisible() and window.panes[pane].isVisible()
    finally:
        window.shutdown()


def test_a_pane_asked_for_before_the_window_is_short_is_in_front_once_it_is(qtbot: Any) -> None:
    window, _ = app.build_window(app.parse_args([str(DEMO)]))
    qtbot.addWidget(window)
    try:
        window.resize(1920, 1080)
        window.show()
        qtbot.waitExposed(window)
        assert not window.right.compact
        assert window.show_panel("Gradient flow back in time")
        window.resize(1024, 640)
        qtbot.waitUntil(lambda: window.right.compact)
        assert window.right.tabs.currentWidget() is window.panes[2]
    finally:
        window.shutdown()


def test_an_unknown_panel_is_a_one_line_error(qtbot: Any) -> None:
    window, error = open_window(qtbot, "--panel", "Gradient flow")
    try:
        assert error is not None and "\n" not in error
        assert error.startswith("--panel: no tab 'Gradient flow'")
        assert "Gradient flow back in time" in error
    finally:
        window.shutdown()
