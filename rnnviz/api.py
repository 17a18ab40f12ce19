"""The Python API for notebooks::

    import rnnviz
    m = rnnviz.load("ptb-lstm")            # a bundled model's name, or a path
    r = m.analyze("the market fell sharply .", truncate=None)
    r.hidden[0]          # (T, H) hidden states of layer 0
    r.probs              # (T, V) next-token softmax
    r.grad_norms         # (L, T, T) ||d l_t / d h_s||, NaN where s > t
    r.direction, r.reading_order   # a backward model's arrays run T-1..0 (tokens stay in order)
    r.probs              # a classifier's: (T, C) class probabilities after each prefix
    r.to_json()          # what ``rnnviz analyze --json -`` prints
    m.intervene("the market fell", units=[(0, 5)])   # the same, unit 5 of layer 0 ablated
    m.memory(text, tokens=1000, max_distance=100)    # memory curves (rnnviz.engine.memory)
    compare([m, rnnviz.load("ptb-gru")], "the market fell")   # one Analysis per model

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
from rnnviz.engine.bptt import default_targets, losses
from rnnviz.engine.factory import AnyParams, Engine, build_engine
from rnnviz.engine.intervention import Intervention, Op, StateName
from rnnviz.engine.memory import MemoryCurves
from rnnviz.engine.network import RNNLM, State
from rnnviz.session.analysis import Analysis, TraceFn, analyze
from rnnviz.session.trace import Trace

__all__ = ["Analysis", "Model", "compare", "load"]


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

    @property
    def kind(self) -> str:
        """'rnn', 'bidirectional', 'classifier', 'cbow' or 'rwkv'."""
        return self.loaded.kind

    @property
    def direction(self) -> str:
        """'forward', or 'backward' for a model that reads right to left."""
        return self.loaded.direction

    @property
    def classes(self) -> tuple[str, ...]:
        """A classifier's class names; () for a language model."""
        return self.loaded.classes

    def engine(self) -> Engine:
        """The numpy network (RNN/LSTM/GRU, bidirectional, CBOW or RWKV): step records,
        gradient rows."""
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

    def intervene(self, text: str | Sequence[int], units: Sequence[tuple[int, int]],
                  op: Op = "ablate", value: float = 0.0, state: StateName = "h", step: int = 0,
                  only: bool = False, truncate: int | None = None,
                  top_k: int = 10) -> Analysis:
        """:meth:`analyze` with an edit of ``units`` ((layer, unit), 0-based): ablate, clamp
        to ``value`` or scale by ``value``, of h, c or both, from ``step`` on (or at it only).
        RNN/LSTM/GRU models only."""
        from rnnviz.session.whatif import make_intervention

        if not isinstance(self.engine(), RNNLM):
            raise ValueError("interventions are for RNN, LSTM and GRU models")
        iv = make_intervention(units, op, value, state, step, only)
        tokens = self._tokens(text)
        if not tokens:
            raise VocabError("the text has no tokens")
        return analyze(self.loaded, tokens, top_k, truncate or None, None,
                       trace_fn=_intervened(iv))

    def memory(self, text: str, tokens: int = 1000, max_distance: int = 100) -> MemoryCurves:
        """Memory curves over the first ``tokens`` tokens of ``text`` (a corpus, read as
        ``rnnviz eval`` reads it): how far back gradients reach, per layer."""
        from rnnviz.session.memory import models_memory

        return models_memory([self.loaded], text, tokens, max_distance)[0]

    def _tokens(self, text: str | Sequence[int]) -> list[Token]:
        if isinstance(text, str):
            return self.loaded.tokenize(text)
        from rnnviz.checkpoints.vocab import ids_to_tokens

        return ids_to_tokens([int(i) for i in text], self.loaded.vocab)


def load(name_or_path: str | Path, *, vocab: str | None = None,
         vocab_corpus: Sequence[str] = (), cell: str | None = None,
         tokenizer: str | None = None, classes: Sequence[str] = (), labels: str | None = None,
         pool: str | None = None) -> Model:
    """A bundled model by name (``ptb-lstm``, ``ptb-gru``, ``ptb-rnn``, ``demo-lstm``,
    ``shakespeare-char-lstm``) or any supported file, with the CLI's vocabulary options, and
    for a PyTorch classifier its class names (``classes`` or a ``labels`` file) and pooling.
    Raises rnnviz.checkpoints.errors.CheckpointError (a one-line message) on a bad file."""
    opts = VocabOptions(vocab_file=vocab, vocab_corpus=tuple(vocab_corpus), cell=cell,
                        tokenizer=tokenizer, classes=tuple(classes), labels_file=labels,
                        pool=pool)
    return Model(load_model(name_or_path, opts))


def _intervened(iv: Intervention) -> TraceFn:
    def run(engine: Engine, tokens: list[Token], state: State | None) -> Trace:
        assert isinstance(engine, RNNLM)
        records = engine.run([t.id for t in tokens], state, iv)
        targets, is_pred = default_targets(records)
        return Trace(list(tokens), records, targets, is_pred, losses(records, targets))

    return run


def compare(models: Sequence[Model], text: str, truncate: int | None = None,
            top_k: int = 10) -> list[Analysis]:
    """The same text through several models, each with its own tokenizer."""
    return [m.analyze(text, truncate=truncate, top_k=top_k) for m in models]
