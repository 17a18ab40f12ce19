"""The help panel in the window: both languages' text, and the live numbers box showing the
selected unit's equations with the engine's values at the cursor."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QLocale

from rnnviz.session import Session, UnitRef
from rnnviz.session.step_numbers import fill
from rnnviz.ui.help_panel import HelpPanel
from rnnviz.ui.help_text import HELP
from tests.ui.conftest import SENTENCE


def test_numbers_follow_the_cursor_and_the_selected_unit(qtbot: Any, demo_model: Any) -> None:
    s = Session()
    s.set_model(demo_model)
    s.set_text(SENTENCE)
    panel = HelpPanel(s.workspace)
    qtbot.addWidget(panel)
    s.workspace.set_selected_unit(UnitRef(0, "h", 1, 7))
    s.step(4)
    text = panel.numbers.lines.text()
    assert "step 5" in text and "layer 2" in text
    for f in fill(s, 1, 7, 4):
        assert f.text in text
    h = float(s.trace.records[4].h[1, 7])  # type: ignore[union-attr]
    assert f"{h:+.4f}" in text.splitlines()[-1]
    panel.numbers.unit.setValue(3)
    assert s.workspace.selected_unit == UnitRef(0, "h", 1, 3)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_help_text_follows_the_language(qtbot: Any, demo_model: Any, lang: str) -> None:
    old = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.Japanese if lang == "ja"
                               else QLocale.Language.English))
    try:
        s = Session()
        s.set_model(demo_model)
        panel = HelpPanel(s.workspace)
        qtbot.addWidget(panel)
        assert panel.lang == lang
        assert panel.text.toPlainText().split()[0] == ("各ビュー" if lang == "ja" else "The")
        assert ("忘却" in HELP["ja"]) and ("forget" in HELP["en"])
    finally:
        QLocale.setDefault(old)
