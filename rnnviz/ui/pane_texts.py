"""What the window's panes and status bar say about the lead model: 'Next-word prediction',
'Previous-word prediction' (a model that reads backward) or 'Class probabilities' (a classifier),
and the status line (no perplexity for a classifier). Kept out of the main window, which only
shows them. The strings were the main window's and keep its context (and translations)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from rnnviz.session import ModelSession, Workspace
from rnnviz.ui import colormaps as cm
from rnnviz.ui.i18n import QT_TRANSLATE_NOOP

CTX = "MainWindow"
PANES = {
    "class": (QT_TRANSLATE_NOOP("MainWindow", "Class probabilities"),
              QT_TRANSLATE_NOOP("MainWindow",
                                "The classifier's decision if the text ended at the current "
                                "word: the probability of each class for the prefix read so "
                                "far (the Classes tab shows it over every prefix).")),
    "backward": (QT_TRANSLATE_NOOP("MainWindow", "Previous-word prediction"),
                 QT_TRANSLATE_NOOP("MainWindow",
                                   "This model reads the text right to left: after reading from "
                                   "the end back to the current word, how likely it finds each "
                                   "possible previous word. The true previous word is "
                                   "highlighted, with its rank.")),
    "character": (QT_TRANSLATE_NOOP("MainWindow", "Next-character prediction"),
                  QT_TRANSLATE_NOOP("MainWindow",
                                    "After reading the current character, how likely the model "
                                    "finds each possible next character. The true next "
                                    "character is highlighted, with its rank.")),
    "word": (QT_TRANSLATE_NOOP("MainWindow", "Next-word prediction"),
             QT_TRANSLATE_NOOP("MainWindow",
                               "After reading the current word, how likely the model finds each "
                               "possible next word. The true next word is highlighted, with its "
                               "rank.")),
}
LOSS_NAMES = {
    "class": QT_TRANSLATE_NOOP("MainWindow", "loss of the predicted class"),
    "own": QT_TRANSLATE_NOOP("MainWindow", "loss of its own top guess"),
    "previous character": QT_TRANSLATE_NOOP("MainWindow", "previous-character loss"),
    "previous word": QT_TRANSLATE_NOOP("MainWindow", "previous-word loss"),
    "next character": QT_TRANSLATE_NOOP("MainWindow", "next-character loss"),
    "next word": QT_TRANSLATE_NOOP("MainWindow", "next-word loss"),
}
CHOSEN = QT_TRANSLATE_NOOP("MainWindow", "loss of the chosen word “{0}”")
STATUS = QT_TRANSLATE_NOOP("MainWindow", "step {0} of {1}   ·   token “{2}”   ·   {3} {4}   ·   "
                                         "perplexity so far {5}")
STATUS_CLASS = QT_TRANSLATE_NOOP("MainWindow", "step {0} of {1}   ·   token “{2}”   ·   {3} {4}")
UNALIGNED = QT_TRANSLATE_NOOP("MainWindow", "the models tokenize the text differently: each "
                                            "steps by its own tokens")
NO_SENTENCE = QT_TRANSLATE_NOOP("MainWindow", "no sentence")


def _tr(text: str) -> str:
    return QCoreApplication.translate(CTX, text)


def _unit(session: ModelSession) -> str:
    return cm.unit_name(session.model.tokenizer if session.model is not None else None)


def prediction_pane(session: ModelSession) -> tuple[str, str]:
    """(title, hint) of the prediction pane for the lead model."""
    key = "class" if session.classifier else "backward" if session.backward else _unit(session)
    title, hint = PANES.get(key, PANES["word"])
    return _tr(title), _tr(hint)


def _loss_name(session: ModelSession, t: int) -> str:
    """What the loss at step t is the loss of."""
    assert session.trace is not None
    if session.classifier:
        return _tr(LOSS_NAMES["class"])
    if session.trace.is_choice(t):
        return _tr(CHOSEN).format(cm.visible(session.prediction(t, 1).target_word))
    if session.trace.target_is_prediction[t]:
        return _tr(LOSS_NAMES["own"])
    side = "previous" if session.backward else "next"
    return _tr(LOSS_NAMES[f"{side} {_unit(session)}"])


def status_text(workspace: Workspace) -> str:
    """'step t of T · token · loss · perplexity' for the status bar (no perplexity for a
    classifier: it predicts no words)."""
    s = workspace.lead
    if s is None or s.trace is None:
        return _tr(NO_SENTENCE)
    t = s.cursor
    token = cm.visible(s.trace.tokens[t].text)
    loss = f"{float(s.trace.losses[t]):.3f}"
    if s.classifier:
        text = _tr(STATUS_CLASS).format(t + 1, s.length, token, _loss_name(s, t), loss)
    else:
        ppl = s.running_perplexity()
        ppl_text = "–" if ppl != ppl else f"{ppl:.1f}"
        text = _tr(STATUS).format(t + 1, s.length, token, _loss_name(s, t), loss, ppl_text)
    if len(workspace.models) > 1 and not workspace.aligned:
        text += "   ·   " + _tr(UNALIGNED)
    return text
