"""What the window's panes and status bar say about the lead model: 'Next-word prediction',
'Previous-word prediction' (a model that reads backward) or 'Class probabilities' (a classifier),
and the status line (no perplexity for a classifier). Kept out of the main window, which only
shows them."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from rnnviz.session import ModelSession, Workspace
from rnnviz.ui import colormaps as cm

CTX = "MainWindow"  # the strings were the main window's and keep their translations


def _tr(text: str) -> str:
    return QCoreApplication.translate(CTX, text)


def is_classifier(session: ModelSession) -> bool:
    return session.model is not None and session.model.task == "classify"


def prediction_pane(session: ModelSession) -> tuple[str, str]:
    """(title, hint) of the prediction pane for the lead model."""
    unit = cm.unit_name(session.model.tokenizer if session.model is not None else None)
    if is_classifier(session):
        return (_tr("Class probabilities"),
                _tr("The classifier's decision if the text ended at the current word: the "
                    "probability of each class for the prefix read so far, and how it changed "
                    "over the prefixes."))
    if session.backward:
        return (_tr("Previous-word prediction"),
                _tr("This model reads the text right to left: after reading from the end back "
                    "to the current word, how likely it finds each possible previous word. The "
                    "true previous word is highlighted, with its rank."))
    if unit == "character":
        return (_tr("Next-character prediction"),
                _tr("After reading the current character, how likely the model finds each "
                    "possible next character. The true next character is highlighted, with its "
                    "rank."))
    return (_tr("Next-word prediction"),
            _tr("After reading the current word, how likely the model finds each possible next "
                "word. The true next word is highlighted, with its rank."))


def _loss_name(session: ModelSession, t: int) -> str:
    """What the loss at step t is the loss of."""
    assert session.trace is not None
    unit = cm.unit_name(session.model.tokenizer if session.model is not None else None)
    if is_classifier(session):
        return _tr("loss of the predicted class")
    if session.trace.is_choice(t):
        return _tr("loss of the chosen word “{0}”").format(
            cm.visible(session.prediction(t, 1).target_word))
    if session.trace.target_is_prediction[t]:
        return _tr("loss of its own top guess")
    if session.backward:
        return _tr("previous-character loss") if unit == "character" \
            else _tr("previous-word loss")
    return _tr("next-character loss") if unit == "character" else _tr("next-word loss")


def status_text(workspace: Workspace) -> str:
    """'step t of T · token · loss · perplexity' for the status bar (no perplexity for a
    classifier: it predicts no words)."""
    s = workspace.lead
    if s is None or s.trace is None:
        return _tr("no sentence")
    t = s.cursor
    tok = s.trace.tokens[t]
    loss = float(s.trace.losses[t])
    if is_classifier(s):
        text = _tr("step {0} of {1}   ·   token “{2}”   ·   {3} {4}").format(
            t + 1, s.length, cm.visible(tok.text), _loss_name(s, t), f"{loss:.3f}")
    else:
        ppl = s.running_perplexity()
        ppl_text = "–" if ppl != ppl else f"{ppl:.1f}"
        text = _tr("step {0} of {1}   ·   token “{2}”   ·   {3} {4}   ·   perplexity so far "
                   "{5}").format(t + 1, s.length, cm.visible(tok.text), _loss_name(s, t),
                                 f"{loss:.3f}", ppl_text)
    if len(workspace.models) > 1 and not workspace.aligned:
        text += "   ·   " + _tr("the models tokenize the text differently: each steps by its "
                                 "own tokens")
    return text
