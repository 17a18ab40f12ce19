"""A loaded model: engine parameters plus vocabulary, tokenizer and descriptive metadata."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rnnviz.checkpoints.options import VocabOptions
from rnnviz.checkpoints.vocab import Token, Vocab, tokenize
from rnnviz.engine.params import ModelParams


@dataclass(frozen=True)
class LoadedModel:
    """What every loader returns.

    format: 'rnnviz' (native safetensors), 'pytorch-state-dict', 'pytorch-module' or 'dlfs2'.
    meta: free-form JSON-able facts (name, provenance, training figures).
    notices: things the user should be told (defaults taken, tensors mapped).
    options: the vocabulary options it was opened with (a session file reopens it with them).
    """

    params: ModelParams
    vocab: Vocab
    tokenizer: str
    format: str
    path: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    notices: tuple[str, ...] = ()
    options: VocabOptions = field(default_factory=VocabOptions, compare=False)

    @property
    def name(self) -> str:
        return str(self.meta.get("name") or self.path.rsplit("/", 1)[-1] or "model")

    def tokenize(self, text: str) -> list[Token]:
        return tokenize(text, self.vocab, self.tokenizer)

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
