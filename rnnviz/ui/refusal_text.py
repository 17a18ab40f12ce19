"""A session's refusal (rnnviz.session.refusal) in the UI's language: the same English templates
and kind names as there, marked here for pyside6-lupdate (a test keeps the two lists equal)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from rnnviz.session.refusal import Refusal
from rnnviz.ui.i18n import QT_TRANSLATE_NOOP

CONTEXT = "Refusal"
TEMPLATES = (
    QT_TRANSLATE_NOOP("Refusal", "what-if edits, interventions, attribution and generation work "
                                 "on RNN, LSTM and GRU models; {0} is {1}"),
    QT_TRANSLATE_NOOP("Refusal", "memory curves work on RNN, LSTM, GRU and RWKV language models; "
                                 "{0} is {1}"),
)
KIND_NAMES = (
    QT_TRANSLATE_NOOP("Refusal", "a classifier"),
    QT_TRANSLATE_NOOP("Refusal", "a bidirectional model"),
    QT_TRANSLATE_NOOP("Refusal", "a CBOW model"),
    QT_TRANSLATE_NOOP("Refusal", "an RWKV model"),
)


def refusal_text(refused: Refusal) -> str:
    """The refusal's line in the current language (model names stay as they are)."""
    args = [QCoreApplication.translate(CONTEXT, a) if a in KIND_NAMES else a
            for a in refused.args]
    return QCoreApplication.translate(CONTEXT, refused.template).format(*args)
