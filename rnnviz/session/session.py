"""The app's state without Qt: model, sentence, cursor, view options, cached trace and
gradients. Views subscribe to the signals and write back only through the setters."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from psygnal import Signal

from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.vocab import Token
from rnnviz.engine.bptt import GradientRows
from rnnviz.engine.network import RNNLM, State
from rnnviz.session.gradients import GradientStore, Row
from rnnviz.session.trace import Trace, run_trace


class SessionError(ValueError):
    """A user request that cannot be carried out (message shown as is)."""


@dataclass(frozen=True)
class Prediction:
    """The next-word distribution at step t.

    ids, probs: the top k, most probable first; target_id: the true next token (or the top-1
    prediction at the last step, then ``target_is_prediction``); target_rank is 1-based.
    """

    t: int
    ids: NDArray[np.int64]
    probs: NDArray[np.float32]
    words: list[str]
    target_id: int
    target_word: str
    target_prob: float
    target_rank: int
    target_is_prediction: bool
    loss: float


class Session:
    """Everything the window shows, and every change to it."""

    model_changed = Signal()
    trace_changed = Signal()
    cursor_changed = Signal(int)
    options_changed = Signal(str)
    gradients_changed = Signal()

    def __init__(self) -> None:
        self.model: LoadedModel | None = None
        self.engine: RNNLM | None = None
        self.text = ""
        self.prime = ""
        self.trace: Trace | None = None
        self.cursor = 0
        self.truncate: int | None = None
        self.top_k = 10
        self.state_kind = "h"
        self.saliency = False
        self._stores: dict[int | None, GradientStore] = {}
        self._prime_state: State | None = None

    # ---- model and sentence -------------------------------------------------------------
    def set_model(self, model: LoadedModel) -> None:
        """Switch model; the current sentence is re-run on it from step 1."""
        self.model, self.engine = model, RNNLM(model.params)
        self.trace, self._stores = None, {}
        if self.state_kind not in self.state_kinds():
            self.state_kind = "h"
        self._prime_state = self._run_prime(self.prime)
        self.model_changed.emit()
        if self.text:
            self.set_text(self.text)

    def tokenize(self, text: str) -> list[Token]:
        if self.model is None:
            raise SessionError("no model is loaded")
        return self.model.tokenize(text)

    def set_text(self, text: str, keep_cursor: bool = False) -> None:
        """Tokenize and run the sentence; records of an unchanged prefix are reused."""
        if self.engine is None:
            self.text = text
            return
        tokens = self.tokenize(text)
        if not tokens:
            raise SessionError("type at least one word")
        old = self.trace
        trace = run_trace(self.engine, tokens, self._prime_state, old)
        self.text, self.trace = text, trace
        self._stores = {k: self._new_store(k, s, old) for k, s in self._stores.items()}
        self.cursor = min(self.cursor, trace.length - 1) if keep_cursor else 0
        self.trace_changed.emit()
        self.cursor_changed.emit(self.cursor)

    def set_prime(self, prime: str) -> None:
        """Priming text: the state the sentence starts from (zeros when empty)."""
        self.prime = prime
        self._prime_state = self._run_prime(prime)
        self.trace, self._stores = None, {}
        if self.text:
            self.set_text(self.text)

    def _run_prime(self, prime: str) -> State | None:
        if not prime or self.engine is None:
            return None
        tokens = self.tokenize(prime)
        return self.engine.run([t.id for t in tokens])[-1].state if tokens else None

    def _new_store(self, k: int | None, old: GradientStore,
                   old_trace: Trace | None) -> GradientStore:
        assert self.engine is not None and self.trace is not None
        store = GradientStore(self.engine, self.trace, k)
        if old_trace is not None:
            store.adopt(old, _reusable_rows(old_trace, self.trace))
        return store

    # ---- cursor -----------------------------------------------------------------------------
    @property
    def length(self) -> int:
        return 0 if self.trace is None else self.trace.length

    def set_cursor(self, t: int) -> None:
        """Move to step t (0-based, clamped); stepping back reuses cached records."""
        if self.trace is None:
            return
        t = max(0, min(int(t), self.trace.length - 1))
        if t != self.cursor:
            self.cursor = t
            self.cursor_changed.emit(t)

    def step(self, delta: int) -> None:
        self.set_cursor(self.cursor + delta)

    def home(self) -> None:
        self.set_cursor(0)

    def end(self) -> None:
        self.set_cursor(self.length - 1)

    # ---- options ----------------------------------------------------------------------------
    def state_kinds(self) -> tuple[str, ...]:
        """What the hidden-state view can show: h, c (LSTM) and the gates."""
        if self.engine is None:
            return ("h",)
        extra = ("c",) if self.engine.is_lstm else ()
        return ("h", *extra, *self.engine.gate_names)

    def set_state_kind(self, kind: str) -> None:
        if kind not in self.state_kinds():
            raise SessionError(f"this model has no {kind!r} state")
        self.state_kind = kind
        self.options_changed.emit("state_kind")

    def set_top_k(self, k: int) -> None:
        self.top_k = max(1, int(k))
        self.options_changed.emit("top_k")

    def set_truncate(self, k: int | None) -> None:
        """Truncation K for BPTT (None or 0: exact)."""
        self.truncate = int(k) if k else None
        self.options_changed.emit("truncate")

    def set_saliency(self, on: bool) -> None:
        self.saliency = bool(on)
        self.options_changed.emit("saliency")

    # ---- data for the views -------------------------------------------------------------
    def token(self, t: int) -> Token:
        assert self.trace is not None
        return self.trace.tokens[t]

    def prediction(self, t: int | None = None, k: int | None = None) -> Prediction:
        """Top-k next-word probabilities at step t (default: the cursor)."""
        assert self.trace is not None and self.model is not None
        t = self.cursor if t is None else t
        k = min(self.top_k if k is None else k, self.model.params.vocab_size)
        probs = self.trace.records[t].probs
        top = np.argpartition(-probs, k - 1)[:k]
        top = top[np.argsort(-probs[top], kind="stable")]
        target = int(self.trace.targets[t])
        p_target = probs[target]
        vocab = self.model.vocab.tokens
        return Prediction(t, top.astype(np.int64), probs[top], [vocab[i] for i in top], target,
                          vocab[target], float(p_target), int((probs > p_target).sum()) + 1,
                          bool(self.trace.target_is_prediction[t]), float(self.trace.losses[t]))

    def store(self, truncate: int | None = None) -> GradientStore:
        """The gradient store for a truncation setting (created empty on first use)."""
        assert self.engine is not None and self.trace is not None
        if truncate not in self._stores:
            self._stores[truncate] = GradientStore(self.engine, self.trace, truncate)
        return self._stores[truncate]

    def gradient_row(self, t: int | None = None, truncate: int | None = None) -> Row:
        """Norms of d l_t / d h_s, c_s, e_s for s <= t (computed now if needed)."""
        return self.store(truncate).row(self.cursor if t is None else t)

    def accept_rows(self, trace: Trace, truncate: int | None, rows: GradientRows) -> bool:
        """Store rows a worker computed; ignored (False) when the trace has changed since."""
        if trace is not self.trace:
            return False
        self.store(truncate).put(rows)
        self.gradients_changed.emit()
        return True

    def running_perplexity(self) -> float:
        assert self.trace is not None
        return self.trace.perplexity(self.cursor)


def _reusable_rows(old: Trace, new: Trace) -> int:
    """Rows whose records and target are unchanged: t with t+1 < shared prefix length."""
    n = 0
    while n < min(old.length, new.length) and old.records[n] is new.records[n]:
        n += 1
    return max(0, n - 1)
