"""A loaded model: engine parameters plus vocabulary, tokenizer and descriptive metadata."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rnnviz.checkpoints.vocab import Token, Vocab, stream_tokens, tokenize
from rnnviz.engine.classifier_params import ClassifierParams
from rnnviz.engine.factory import AnyParams

DIRECTIONS = ("forward", "backward")


@dataclass(frozen=True)
class LoadedModel:
    """What every loader returns.

    format: 'rnnviz' (native safetensors), 'pytorch-state-dict', 'pytorch-module', 'dlfs2',
    'rwkv-pth' or 'rwkv-hf'. encoder: text -> tokens for subword vocabularies (else word/char).
    meta: free-form JSON-able facts (name, provenance, training figures).
    notices: things the user should be told (defaults taken, tensors mapped).
    """

    params: AnyParams
    vocab: Vocab
    tokenizer: str
    format: str
    path: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    notices: tuple[str, ...] = ()
    encoder: Callable[[str], list[Token]] | None = field(default=None, compare=False)

    @property
    def direction(self) -> str:
        """'backward' for a language model trained on each line reversed (it predicts the
        previous word; meta ``direction``), else 'forward'."""
        return "backward" if self.meta.get("direction") == "backward" else "forward"

    @property
    def task(self) -> str:
        """'classify' for a many-to-one classifier, else 'lm'."""
        return "classify" if isinstance(self.params, ClassifierParams) else "lm"

    @property
    def name(self) -> str:
        return str(self.meta.get("name") or self.path.rsplit("/", 1)[-1] or "model")

    def tokenize(self, text: str) -> list[Token]:
        if self.encoder is not None:  # a subword tokenizer (RWKV World, tokenizer.json)
            return self.encoder(text)
        return tokenize(text, self.vocab, self.tokenizer)

    def corpus_tokens(self, text: str) -> list[Token]:
        """A corpus as ``rnnviz eval`` reads it. Word models (ptb, words): each line's
        whitespace words as the corpus spells them, then <eos>; a word not in the vocabulary
        is <unk> (VocabError when there is none). Character and subword models: the model's
        own tokenizer over the whole text."""
        if self.tokenizer == "char" or self.encoder is not None:
            return self.tokenize(text)
        return stream_tokens(text, self.vocab)

    def summary(self) -> dict[str, Any]:
        """The ``model`` block of analyze's JSON."""
        p = self.params
        return {
            "cell": p.cell,
            "layers": p.num_layers,
            "hidden_size": p.hidden_size,
            "embedding_size": p.embedding_size,
            "vocab_size": p.vocab_size,
            "tied": p.tied,
            "format": self.format,
        }
