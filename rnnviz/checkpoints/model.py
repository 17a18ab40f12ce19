"""A loaded model: engine parameters plus vocabulary, tokenizer and descriptive metadata."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rnnviz.checkpoints.vocab import EOS, Token, Vocab, VocabError, stream_tokens, tokenize
from rnnviz.engine.bidir_params import BiParams
from rnnviz.engine.cbow_params import CbowParams
from rnnviz.engine.classifier_params import ClassifierParams
from rnnviz.engine.factory import AnyParams
from rnnviz.engine.rwkv_params import RwkvParams

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
    def kind(self) -> str:
        """'rnn' (RNN/LSTM/GRU language model), 'bidirectional' (a bidirectional language
        model), 'classifier', 'cbow' or 'rwkv'."""
        p = self.params
        if isinstance(p, ClassifierParams):
            return "classifier"
        if isinstance(p, CbowParams):
            return "cbow"
        if isinstance(p, BiParams):
            return "bidirectional"
        return "rwkv" if isinstance(p, RwkvParams) else "rnn"

    @property
    def classes(self) -> tuple[str, ...]:
        """A classifier's class names in fc's output order; () for a language model."""
        return self.params.classes if isinstance(self.params, ClassifierParams) else ()

    @property
    def name(self) -> str:
        return str(self.meta.get("name") or self.path.rsplit("/", 1)[-1] or "model")

    def tokenize(self, text: str) -> list[Token]:
        if self.encoder is not None:  # a subword tokenizer (RWKV World, tokenizer.json)
            return self.encoder(text)
        return tokenize(text, self.vocab, self.tokenizer)

    def corpus_tokens(self, text: str) -> list[Token]:
        """A corpus as ``rnnviz eval`` reads it, in the model's reading order. Word models
        (ptb, words): each line's whitespace words as the corpus spells them, then <eos> (a
        backward model: each line's words reversed, then <eos>, as ``rnnviz train --reverse``
        trains); a word not in the vocabulary is <unk> (VocabError when there is none).
        Character and subword models: the model's own tokenizer over the whole text."""
        if self.tokenizer == "char" or self.encoder is not None:
            if self.direction == "backward":
                raise VocabError("a backward model reads words: its tokenizer must not be char "
                                 "or subword")
            return self.tokenize(text)
        if self.direction == "backward":
            text = "\n".join(" ".join(line.split()[::-1]) for line in text.splitlines())
        return stream_tokens(text, self.vocab)

    def sentence_tokens(self, sentence: str) -> list[Token]:
        """One sentence of a classifier's ``label<TAB>sentence`` file as ``rnnviz train --task
        classify`` reads it: its whitespace words, then <eos> when the vocabulary has one;
        <unk> for a word not in the vocabulary. Character models read its characters."""
        if self.tokenizer == "char" or self.encoder is not None:
            return self.tokenize(sentence)
        words = sentence.split()
        if not words:
            return []
        toks = stream_tokens(" ".join(words), self.vocab) if EOS in self.vocab.index else \
            stream_tokens(" ".join(words), Vocab((*self.vocab.tokens, EOS)))[:-1]
        return toks

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
            **self.kind_summary(),
        }

    def kind_summary(self) -> dict[str, Any]:
        """What kind of system this is: kind, direction, and a classifier's classes, pooling and
        directions, a bidirectional net's directions, a CBOW model's window."""
        p = self.params
        out: dict[str, Any] = {"kind": self.kind, "direction": self.direction,
                               "task": self.task}
        if isinstance(p, ClassifierParams):
            out |= {"classes": list(p.classes), "pool": p.pool,
                    "bidirectional": p.bidirectional, "one_hot": p.one_hot}
        elif isinstance(p, BiParams):
            out["bidirectional"] = True
        elif isinstance(p, CbowParams):
            out["window"] = p.window
        return out
