"""One-line refusals of a feature for a kind of model, kept as an English template and its
arguments so that the UI can show them in its language (rnnviz.ui.refusal_text)."""

from __future__ import annotations

from dataclasses import dataclass

NOT_RNN = ("what-if edits, interventions, attribution and generation work on RNN, LSTM and GRU "
           "models; {0} is {1}")
NO_MEMORY = "memory curves work on RNN, LSTM, GRU and RWKV language models; {0} is {1}"
TEMPLATES = (NOT_RNN, NO_MEMORY)

# what kind_name() calls the models a feature refuses (the arguments {1} above)
CLASSIFIER, BIDIRECTIONAL, CBOW, RWKV = ("a classifier", "a bidirectional model", "a CBOW model",
                                         "an RWKV model")
KIND_NAMES = (CLASSIFIER, BIDIRECTIONAL, CBOW, RWKV)


@dataclass(frozen=True)
class Refusal:
    """``template`` (one of TEMPLATES) filled with ``args`` (model name, kind name, ...)."""

    template: str
    args: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.template.format(*self.args)
