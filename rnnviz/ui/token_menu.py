"""Right-click menus that edit the text from where the user looks at it.

- A token chip: *Replace with…* (a typed word, ``<unk>``, or one of the words the model ranked
  highest for that position, i.e. the previous step's top-k), *Delete*, *Insert before…*. Each
  edits the What if layer's copy of the text (rnnviz.session.whatif.WhatIf.edit_token), which
  the What if tab runs beside the original.
- *Swap with ▸*: the other tokens of the text, nearest first; the two words change places in
  the text itself, which runs on every model (one step of the what-if history: the Continue
  tab's *Back* undoes it). The word-order lesson: a CBOW model's bars do not change when two
  words inside its window swap, an RNN's do.
- A next-word bar: *Continue with this word*: the word is appended to the text, the text runs
  and the cursor goes to the new last step; the text left is kept in the what-if history (the
  Continue tab's *Back* returns to it).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QInputDialog, QMenu, QWidget

from rnnviz.checkpoints.vocab import VocabError
from rnnviz.session import ModelSession, SessionError
from rnnviz.session.whatif import whatif_of
from rnnviz.session.workspace import nearest_first, swapped_text
from rnnviz.ui.colormaps import visible

UNK = "<unk>"
MAX_CHOICES = 10
MAX_SWAPS = 20  # the Swap with submenu lists at most this many tokens, nearest first


def replacement_words(session: ModelSession, t: int, k: int = MAX_CHOICES) -> list[str]:
    """The model's top-k guesses for token t (made after token t-1); none for the first token."""
    if session.trace is None or t <= 0 or t > session.trace.length - 1:
        return []
    return list(session.prediction(t - 1, k).words)


def edit_token(session: ModelSession, t: int, word: str | None, insert: bool = False
               ) -> str | None:
    """Edit the What if copy of the text at step t of ``session`` (its text position, for a
    model that reads backward); an error line, or None."""
    try:
        pos = session.workspace.lead_step(session, t)
        whatif_of(session.workspace).edit_token(pos, word, insert)
    except (SessionError, VocabError) as e:
        return str(e)
    return None


def ask_word(parent: QWidget, title: str) -> str | None:
    """A typed word (None: cancelled or blank)."""
    text, ok = QInputDialog.getText(parent, title, QCoreApplication.translate("TokenMenu", "Word:"))
    return text.strip() or None if ok else None


def token_menu(session: ModelSession, t: int, parent: QWidget,
               done: Callable[[str | None], None]) -> QMenu:
    """The chip menu for lead token t; ``done(error or None)`` after an edit."""
    menu = QMenu(parent)
    token = session.trace.tokens[t].text if session.trace is not None else ""

    def apply(word: str | None, insert: bool = False) -> None:
        done(edit_token(session, t, word, insert))

    def typed(insert: bool) -> None:
        word = ask_word(parent, QCoreApplication.translate("TokenMenu",
                "Insert before “{0}”").format(token) if insert
                        else QCoreApplication.translate("TokenMenu", "Replace “{0}”").format(token))
        if word is not None:
            apply(word, insert)

    replace = menu.addMenu(QCoreApplication.translate("TokenMenu", "Replace with"))
    replace.addAction(QCoreApplication.translate("TokenMenu", "A word…"), lambda: typed(False))
    if session.model is not None and UNK in session.model.vocab.tokens and token != UNK:
        replace.addAction(UNK, lambda: apply(UNK))
    guesses = [w for w in replacement_words(session, t) if w != token]
    if guesses:
        replace.addSection(QCoreApplication.translate("TokenMenu", "The model's top guesses here"))
        for w in guesses:
            replace.addAction(w, _bind(apply, w))
    menu.addAction(QCoreApplication.translate("TokenMenu", "Delete"), lambda: apply(None))
    menu.addAction(QCoreApplication.translate("TokenMenu", "Insert before…"), lambda: typed(True))
    add_swap_menu(menu, session, t, done)
    return menu


def swap_choices(session: ModelSession, t: int) -> list[tuple[int, str]]:
    """(text position, word) of the tokens step t of ``session`` can swap with, nearest
    first (at most MAX_SWAPS)."""
    lead = session.workspace.lead
    if lead is None or lead.trace is None:
        return []
    words = [tok.text for tok in lead.text_tokens()]
    i = session.workspace.lead_step(session, t)
    return [(j, words[j]) for j in nearest_first(i, len(words))[:MAX_SWAPS]]


def swap_tokens(session: ModelSession, t: int, j: int) -> str | None:
    """Swap the word at step t of ``session`` with the lead's token j (text positions) in the
    text; the old text stays in the what-if history. An error line, or None."""
    ws = session.workspace
    try:
        whatif_of(ws).take_branch(swapped_text(ws, ws.lead_step(session, t), j))
    except (SessionError, VocabError) as e:
        return str(e)
    return None


def add_swap_menu(menu: QMenu, session: ModelSession, t: int,
                  done: Callable[[str | None], None]) -> None:
    """The 'Swap with' submenu of chip t ('5: man', 1-based text positions, nearest
    first); ``done(error)`` when a swap fails."""
    choices = swap_choices(session, t)
    sub = menu.addMenu(QCoreApplication.translate("TokenMenu", "Swap with"))
    sub.setToolTip(QCoreApplication.translate(
        "TokenMenu", "Swap the two words in the text: every model runs the new order"))
    sub.setEnabled(bool(choices))
    for j, word in choices:
        sub.addAction(f"{j + 1}: {visible(word)}", _swap(session, t, j, done))


def _swap(session: ModelSession, t: int, j: int, done: Callable[[str | None], None]
          ) -> Callable[[], None]:
    """A swap that reports only an error (a swap edits the text itself, not the What if
    copy, so no tab needs to come forward)."""
    def run() -> None:
        error = swap_tokens(session, t, j)
        if error:
            done(error)
    return run


def _bind(fn: Callable[[str], None], word: str) -> Callable[[], None]:
    return lambda: fn(word)


def continue_with(session: ModelSession, word: str) -> str | None:
    """Append ``word`` to the text (a branch: the old text stays in the what-if history), run
    it, and go to the new last step; an error line, or None."""
    ws = session.workspace
    sep = "" if session.model is not None and session.model.tokenizer == "char" else " "
    text = ws.text.rstrip(" ") + sep + word if ws.text else word
    try:
        whatif_of(ws).take_branch(text)
    except (SessionError, VocabError) as e:
        return str(e)
    ws.end()
    return None


def bar_menu(session: ModelSession, word: str, parent: QWidget,
             done: Callable[[str | None], None]) -> QMenu:
    """The next-word bar's menu: trace it (as a click does) or continue the text with it."""
    menu = QMenu(parent)
    menu.addAction(QCoreApplication.translate("TokenMenu", "Trace the loss of “{0}”").format(word),
                   lambda: session.workspace.set_traced_word(word))
    if not (session.classifier or session.backward):  # a class is no word to continue with;
        # a backward model's guess is the word before, not after, the text
        menu.addAction(QCoreApplication.translate("TokenMenu",
                "Continue with this word"), lambda: done(continue_with(session, word)))
    return menu
