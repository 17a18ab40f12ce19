"""The Python API for notebooks::

    import rnnviz
    m = rnnviz.load("ptb-lstm")            # a bundled model's name, or a path
    r = m.analyze("the market fell sharply .", truncate=None)
    r.hidden[0]          # (T, H) hidden states of layer 0
    r.probs              # (T, V) next-token softmax
    r.grad_norms         # (L, T, T) ||d l_t / d h_s||, NaN where s > t
    r.to_json()          # what ``rnnviz analyze --json -`` prints

No Qt; torch only when a PyTorch file is opened. ``import rnnviz`` stays light: this module is
imported by :func:`rnnviz.load` on first use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rnnviz.checkpoints.loader import VocabOptions, load_model
from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.vocab import Token, VocabError
from rnnviz.engine.factory import AnyParams, Engine, build_engine
from rnnviz.session.analysis import Analysis, analyze

__all__ = ["Analysis", "Model", "load"]


@dataclass(frozen=True)
class Model:
    """A loaded model with its vocabulary and tokenizer."""

    loaded: LoadedModel

    @property
    def params(self) -> AnyParams:
        return self.loaded.params

    @property
    def vocab(self) -> tuple[str, ...]:
        return self.loaded.vocab.tokens

    @property
    def tokenizer(self) -> str:
        return self.loaded.tokenizer

    @property
    def notices(self) -> tuple[str, ...]:
        return self.loaded.notices

    def engine(self) -> Engine:
        """The numpy network (RNN/LSTM/GRU or RWKV): step records, gradient rows."""
        return build_engine(self.loaded.params)

    def tokenize(self, text: str) -> list[Token]:
        """The model's tokenizer over ``text``."""
        return self.loaded.tokenize(text)

    def analyze(self, text: str | Sequence[int], truncate: int | None = None, top_k: int = 10,
                prime: str = "") -> Analysis:
        """States, predictions and BPTT gradient norms of ``text`` (or of token ids).

        truncate: None for exact BPTT, K for truncated blocks of K steps; prime: text run
        first to set the initial state (default: zeros)."""
        tokens = self._tokens(text)
        if not tokens:
            raise VocabError("the text has no tokens")
        primed = self.loaded.tokenize(prime) if prime else None
        return analyze(self.loaded, tokens, top_k, truncate or None, primed)

    def _tokens(self, text: str | Sequence[int]) -> list[Token]:
        if isinstance(text, str):
            return self.loaded.tokenize(text)
        from rnnviz.checkpoints.vocab import ids_to_tokens

        return ids_to_tokens([int(i) for i in text], self.loaded.vocab)


def load(name_or_path: str | Path, *, vocab: str | None = None,
         vocab_corpus: Sequence[str] = (), cell: str | None = None,
         tokenizer: str | None = None) -> Model:
    """A bundled model by name (``ptb-lstm``, ``ptb-gru``, ``ptb-rnn``, ``demo-lstm``,
    ``shakespeare-char-lstm``) or any supported file, with the CLI's vocabulary options.
    Raises rnnviz.checkpoints.errors.CheckpointError (a one-line message) on a bad file."""
    opts = VocabOptions(vocab_file=vocab, vocab_corpus=tuple(vocab_corpus), cell=cell,
                        tokenizer=tokenizer)
    return Model(load_model(name_or_path, opts))
