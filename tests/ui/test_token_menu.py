"""Right-click menus: a token chip edits the What if text (replace with a typed word, <unk> or
a top-k guess; delete; insert before) and brings the What if tab to the front; a next-word bar
continues the text with its word (the old text kept in the branch history)."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QMenu

from rnnviz.session.whatif import whatif_of
from tests.ui.conftest import SENTENCE

WORDS = SENTENCE.split()


def actions(menu: QMenu) -> dict[str, Any]:
    out = {}
    for a in menu.actions():
        if a.isSeparator():
            continue
        if a.menu() is not None:
            out[a.text()] = a.menu()
        elif a.text():
            out[a.text()] = a
    return out


def current_tab(window: Any) -> str:
    return window.tabs.tabText(window.tabs.currentIndex())


def test_right_click_on_a_chip_asks_for_its_menu(window: Any, qtbot: Any, monkeypatch: Any
                                                 ) -> None:
    shown: list[QMenu] = []
    monkeypatch.setattr(QMenu, "popup", lambda self, *a: shown.append(self))
    chips = window.strip.chips
    with qtbot.waitSignal(chips.menu_requested, timeout=2000) as blocker:
        qtbot.mouseClick(chips, Qt.MouseButton.RightButton, pos=chips.chip_rect(3).center())
    assert blocker.args[0] == 3
    assert window.session.cursor == 0  # a right-click does not move the cursor
    assert len(shown) == 1 and set(actions(shown[0])) == {"Replace with", "Delete",
                                                           "Insert before…", "Swap with"}


def test_replace_with_a_top_guess_unk_and_a_typed_word(window: Any, monkeypatch: Any) -> None:
    s = window.session
    menu = window.strip.token_menu(2)
    replace = actions(menu)["Replace with"]
    items = actions(replace)
    probs = s.trace.records[1].probs  # the model's guesses for token 2, after token 1
    top = [s.model.vocab.tokens[i] for i in np.argsort(-probs, kind="stable")[:10]]
    guesses = [t for t in items if t not in ("A word…", "<unk>")]
    assert guesses == [w for w in top if w != WORDS[2]]
    items[guesses[0]].trigger()
    assert whatif_of(window.workspace).edited_text == " ".join(
        [*WORDS[:2], guesses[0], *WORDS[3:]])
    assert current_tab(window) == "What if"
    window.tabs.setCurrentIndex(0)
    actions(actions(window.strip.token_menu(4))["Replace with"])["<unk>"].trigger()
    assert whatif_of(window.workspace).edited_text.split()[4] == "<unk>"
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("dog", True)))
    actions(actions(window.strip.token_menu(1))["Replace with"])["A word…"].trigger()
    assert whatif_of(window.workspace).edited_text.split()[1] == "dog"


def test_delete_and_insert_before(window: Any, monkeypatch: Any) -> None:
    actions(window.strip.token_menu(1))["Delete"].trigger()
    assert whatif_of(window.workspace).edited_text == " ".join(WORDS[:1] + WORDS[2:])
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("big", True)))
    actions(window.strip.token_menu(1))["Insert before…"].trigger()  # on the edited text
    assert whatif_of(window.workspace).edited_text == " ".join([*WORDS[:1], "big", *WORDS[2:]])
    assert current_tab(window) == "What if"
    assert window.workspace.text == SENTENCE  # the original text is untouched


def test_continue_with_a_bar_appends_runs_and_goes_to_the_end(window: Any) -> None:
    ws = window.workspace
    ws.end()
    view = window.softmax
    word = view.words[1]
    menu = view.bar_menu(1)
    actions(menu)["Continue with this word"].trigger()
    assert ws.text == SENTENCE + " " + word
    assert ws.length == len(WORDS) + 1 and ws.cursor == ws.length - 1
    assert window.session.trace.tokens[-1].text == word
    assert whatif_of(ws).history[-1] == SENTENCE  # the branch left can be returned to
    assert whatif_of(ws).back() and ws.text == SENTENCE
    actions(view.bar_menu(0))[f"Trace the loss of “{view.words[0]}”"].trigger()
    assert ws.traced is not None and ws.traced.word == view.words[0]
