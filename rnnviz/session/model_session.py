"""One model's part of the workspace: its engine, its run of the shared text (a Trace), its cursor
(the shared cursor mapped onto its own tokens) and its gradient stores. Shared things (the text,
the cursor, the view options, the traced word) live in the :class:`Workspace`; the setters here
forward to it, so every model moves together. Views subscribe to these signals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from psygnal import Signal

from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.vocab import Token
from rnnviz.engine.bptt import GradientRows
from rnnviz.engine.factory import Engine, build_engine
from rnnviz.engine.network import State
from rnnviz.session import refusal
from rnnviz.session.gradients import GradientStore, Row
from rnnviz.session.trace import Trace, with_target

if TYPE_CHECKING:
    from rnnviz.session.workspace import Workspace


class SessionError(ValueError):
    """A user request that cannot be carried out (message shown as is)."""


@dataclass(frozen=True)
class Prediction:
    """The next-word distribution at step t.

    ids, probs: the top k, most probable first; target_id: the traced next token (the true next
    token, the user's chosen word, or the top-1 prediction at the last step, then
    ``target_is_prediction``); target_rank is 1-based.
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
    chosen: bool = False  # the target is the word the user chose to trace


@dataclass(frozen=True)
class Run:
    """A model's run of a text before it is installed: tokens, trace, where each token ends."""

    trace: Trace
    base: Trace
    ends: NDArray[np.int64]


def kind_name(model: LoadedModel | None) -> str:
    """'an RWKV model', 'a CBOW model', 'a bidirectional model', 'a classifier' (the refused
    kinds, rnnviz.session.refusal.KIND_NAMES), else 'a lstm model', ..."""
    if model is None:
        return "no model"
    p = model.params
    if model.task == "classify":
        return refusal.CLASSIFIER
    if getattr(p, "bidirectional", False):
        return refusal.BIDIRECTIONAL
    if p.cell == "cbow":
        return refusal.CBOW
    if p.cell.startswith("rwkv"):
        return refusal.RWKV
    return f"a {p.cell} model"


class ModelSession:
    """One model in the workspace: everything its views show, and every change to it."""

    model_changed = Signal()
    trace_changed = Signal()
    cursor_changed = Signal(int)
    options_changed = Signal(str)
    gradients_changed = Signal()

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.model: LoadedModel | None = None
        self.engine: Engine | None = None
        self.trace: Trace | None = None  # with the traced-word choice applied
        self.base: Trace | None = None  # the plain run (true next words)
        # (T,) text offset just after each token, in TEXT order (a backward model's step t is
        # its text token T-1-t: see text_position)
        self.ends: NDArray[np.int64] = np.zeros(0, np.int64)
        self.cursor = 0
        self.traced_note = ""  # why the traced word could not be applied to this model
        self.load_options: dict[str, Any] = {}  # how the file was opened (session files)
        self._stores: dict[int | None, GradientStore] = {}
        self._prime_state: State | None = None

    # ---- shared things, read from the workspace ------------------------------------------
    @property
    def text(self) -> str:
        return self.workspace.text

    @text.setter
    def text(self, value: str) -> None:
        self.workspace.text = value

    @property
    def prime(self) -> str:
        return self.workspace.prime

    @property
    def truncate(self) -> int | None:
        return self.workspace.truncate

    @property
    def top_k(self) -> int:
        return self.workspace.top_k

    @property
    def saliency(self) -> bool:
        return self.workspace.saliency

    @property
    def state_kind(self) -> str:
        """The workspace's choice where this model has it, else 'h'."""
        kind = self.workspace.state_kind
        return kind if kind in self.state_kinds() else "h"

    @property
    def index(self) -> int:
        """Position in the workspace (0 = the model that leads the cursor)."""
        return self.workspace.models.index(self)

    @property
    def backward(self) -> bool:
        """True for a language model that reads the text last to first."""
        return self.model is not None and self.model.direction == "backward" \
            and self.model.task == "lm"

    def text_position(self, t: int) -> int:
        """Step t's token index in text order (a backward model's step 0 is the last token)."""
        return self.length - 1 - t if self.backward else t

    @property
    def classifier(self) -> bool:
        """True for a many-to-one classifier: its outputs are classes, not words."""
        return self.model is not None and self.model.task == "classify"

    def kind_name(self) -> str:
        """'an RWKV model', 'a CBOW model', 'a bidirectional model', 'a classifier', ... (for
        one-line refusals)."""
        return kind_name(self.model)

    def output_names(self) -> Sequence[str]:
        """What each output of the softmax is: the class names of a classifier, else the
        vocabulary."""
        assert self.model is not None
        if self.classifier:
            return tuple(getattr(self.model.params, "classes", ()))
        return self.model.vocab.tokens

    def text_tokens(self) -> list[Token]:
        """The tokens in text order (the trace holds them in step order)."""
        if self.trace is None:
            return []
        return self.trace.tokens[::-1] if self.backward else list(self.trace.tokens)

    @property
    def name(self) -> str:
        return self.model.name if self.model is not None else "no model"

    # ---- model ------------------------------------------------------------------------------
    def set_model(self, model: LoadedModel, prepared: Prepared | None = None) -> None:
        """Switch this slot's model; the shared text is re-run on it, keeping the step where the
        new model has it. Raises (with nothing changed) if the text cannot run on it.
        ``prepared`` (from :func:`prepare`, e.g. on a worker thread) is used when it was made
        for this model and the workspace's current text and priming text."""
        ws = self.workspace
        if prepared is None or prepared.model is not model or prepared.text != ws.text \
                or prepared.prime != ws.prime:
            prepared = prepare(ws, model, ws.text, ws.prime)
        engine, prime, run = prepared.engine, prepared.prime_state, prepared.run
        self.model, self.engine, self._prime_state = model, engine, prime
        self.trace = self.base = None
        self._stores = {}
        self.model_changed.emit()
        if run is not None:
            self.install(run)
            self.workspace.sync_cursor(self)

    def take_over(self, other: ModelSession) -> None:
        """Become ``other`` (its model, run, stores and cursor): closing the first model."""
        self.model, self.engine, self._prime_state = other.model, other.engine, other._prime_state
        self.load_options = other.load_options
        self.trace, self.base, self.ends = other.trace, other.base, other.ends
        self._stores, self.cursor = dict(other._stores), other.cursor
        self.model_changed.emit()
        if self.trace is not None:
            self.trace_changed.emit()
            self.cursor_changed.emit(self.cursor)

    def start_state(self) -> State:
        """The state the text starts from: after the priming text, else zeros."""
        assert self.engine is not None
        return self._prime_state if self._prime_state is not None else self.engine.zero_state()

    def tokenize(self, text: str) -> list[Token]:
        if self.model is None:
            raise SessionError("no model is loaded")
        return self.model.tokenize(text)

    def set_text(self, text: str, keep_cursor: bool = False) -> None:
        """Run a new text on every model of the workspace."""
        self.workspace.set_text(text, keep_cursor)

    def set_prime(self, prime: str) -> None:
        self.workspace.set_prime(prime)

    def rerun_prime(self) -> None:
        """Recompute the start state after the workspace's priming text changed."""
        if self.model is not None and self.engine is not None:
            self._prime_state = _run_prime(self.model, self.engine, self.workspace.prime)
            self.trace = self.base = None
            self._stores = {}

    def plan(self, text: str) -> Run | None:
        """This model's run of text (nothing installed); None without a model."""
        if self.model is None or self.engine is None:
            return None
        return self.workspace.make_run(self.model, self.engine, self._prime_state, text,
                                       self.base)

    def install(self, run: Run) -> None:
        """Make a planned run current: stores keep the rows that are still valid."""
        old = self.trace
        self.base, self.ends = run.base, run.ends
        self.trace = self._traced(run.base)
        self._stores = {k: self._new_store(k, s, old) for k, s in self._stores.items()}
        self.cursor = min(self.cursor, self.trace.length - 1)
        self.trace_changed.emit()

    def apply_traced(self) -> None:
        """Re-apply the workspace's traced-word choice to the current run."""
        if self.base is None:
            return
        old = self.trace
        self.trace = self._traced(self.base)
        if self.trace is old:
            return
        self._stores = {k: self._new_store(k, s, old) for k, s in self._stores.items()}
        self.trace_changed.emit()
        self.cursor_changed.emit(self.cursor)

    def _traced(self, base: Trace) -> Trace:
        """base with the user's traced word at its step, when this model knows the word."""
        self.traced_note = ""
        choice = self.workspace.traced
        if choice is None or self.model is None:
            return base
        t = self.workspace.model_step(self, choice.step, base.length, self.ends)
        names = self.output_names() if self.classifier else None
        token_id = (names.index(choice.word) if choice.word in names else None) \
            if names is not None else self.model.vocab.get(choice.word)
        if token_id is None and names is not None:
            self.traced_note = f"“{choice.word}” is not one of {self.name}'s classes"
            return base
        if token_id is None:
            self.traced_note = f"“{choice.word}” is not in {self.name}'s vocabulary"
            return base
        return with_target(base, t, token_id)

    def _new_store(self, k: int | None, old: GradientStore,
                   old_trace: Trace | None) -> GradientStore:
        assert self.engine is not None and self.trace is not None
        store = GradientStore(self.engine, self.trace, k)
        if old_trace is not None:
            store.adopt_rows(old, reusable_rows(old_trace, self.trace))
        return store

    # ---- cursor -----------------------------------------------------------------------------
    @property
    def length(self) -> int:
        return 0 if self.trace is None else self.trace.length

    def set_cursor(self, t: int) -> None:
        """Move every model to this model's step t (0-based, clamped)."""
        self.workspace.set_cursor(self.workspace.lead_step(self, t))

    def move_to(self, t: int, force: bool = False) -> None:
        """Set this model's own cursor (the workspace calls this); ``force`` signals even when
        the step is unchanged (a new run)."""
        if self.trace is None:
            return
        t = max(0, min(int(t), self.trace.length - 1))
        if t != self.cursor or force:
            self.cursor = t
            self.cursor_changed.emit(t)

    def step(self, delta: int) -> None:
        self.workspace.step(delta)

    def home(self) -> None:
        self.workspace.home()

    def end(self) -> None:
        self.workspace.end()

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
        self.workspace.set_state_kind(kind)

    def set_top_k(self, k: int) -> None:
        self.workspace.set_top_k(k)

    def set_truncate(self, k: int | None) -> None:
        self.workspace.set_truncate(k)

    def set_saliency(self, on: bool) -> None:
        self.workspace.set_saliency(on)

    def drop_stores(self, keep: set[int | None]) -> None:
        """Forget the gradient stores of truncations nobody can ask for any more."""
        self._stores = {k: s for k, s in self._stores.items() if k in keep}

    # ---- data for the views -------------------------------------------------------------
    def token(self, t: int) -> Token:
        assert self.trace is not None
        return self.trace.tokens[t]

    def prediction(self, t: int | None = None, k: int | None = None) -> Prediction:
        """Top-k next-word probabilities at step t (default: the cursor)."""
        assert self.trace is not None and self.model is not None
        t = self.cursor if t is None else t
        probs = self.trace.records[t].probs
        k = min(self.top_k if k is None else k, len(probs))
        top = np.argpartition(-probs, k - 1)[:k]
        top = top[np.argsort(-probs[top], kind="stable")]
        target = int(self.trace.targets[t])
        p_target = probs[target]
        vocab = self.output_names()
        return Prediction(t, top.astype(np.int64), probs[top], [vocab[i] for i in top], target,
                          vocab[target], float(p_target), int((probs > p_target).sum()) + 1,
                          bool(self.trace.target_is_prediction[t]), float(self.trace.losses[t]),
                          self.trace.is_choice(t))

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


@dataclass(frozen=True)
class Prepared:
    """A model's engine, priming state and run of a text, made ahead of :meth:`set_model`."""

    model: LoadedModel
    text: str
    prime: str
    engine: Engine
    prime_state: State | None
    run: Run | None


def prepare(workspace: Workspace, model: LoadedModel, text: str, prime: str) -> Prepared:
    """Everything set_model computes, without changing anything (safe on a worker thread:
    reads the model and the texts only). Raises as set_model would."""
    engine = build_engine(model.params)
    state = _run_prime(model, engine, prime)
    run = workspace.make_run(model, engine, state, text) if text else None
    return Prepared(model, text, prime, engine, state, run)


def _run_prime(model: LoadedModel, engine: Engine, prime: str) -> State | None:
    """The state after a priming text (None: zeros)."""
    if not prime:
        return None
    tokens = model.tokenize(prime)
    if model.direction == "backward" and model.task == "lm":
        tokens = tokens[::-1]  # a backward model reads its priming text last to first too
    return engine.run([t.id for t in tokens])[-1].state if tokens else None


def reusable_rows(old: Trace, new: Trace) -> NDArray[np.bool_]:
    """(new T,) rows of ``old``'s gradient matrix still valid for ``new``: the records up to t
    are the same objects and the target of t is the same token."""
    n = min(old.length, new.length)
    same = 0
    while same < n and old.records[same] is new.records[same]:
        same += 1
    ok = np.zeros(new.length, bool)
    ok[:same] = old.targets[:same] == new.targets[:same]
    return ok
