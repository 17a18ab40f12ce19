"""The workspace: one text and one cursor shared by 1 to 4 model sessions, the shared view
options, the traced-word choice and the unit selection. Qt-free; views subscribe to the signals
of the workspace and of each :class:`ModelSession` and write back only through setters.

Every model tokenizes the text with its own tokenizer. The cursor is a position in the text:
the index of one of the first model's (the lead's) tokens in text order. A forward model's step
is the last of its tokens that ends at or before the end of the lead's current token, so a
character model beside a word model stands on the last character of the current word. A
backward model reads the tokens last to first (its step j is its text token T-1-j) and stands on
the first of its tokens after the end of the lead's previous token: at position i it has read
T-1..i (ELMo's backward LM). Models whose token sequences (in text order) differ from the
lead's are ``aligned == False``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from psygnal import Signal

from rnnviz.checkpoints.model import LoadedModel
from rnnviz.engine.bptt import losses
from rnnviz.engine.factory import Engine, engine_targets, engine_task, sees_future
from rnnviz.engine.network import State
from rnnviz.session.model_session import ModelSession, Run, SessionError
from rnnviz.session.trace import Trace, run_trace
from rnnviz.session.unit_order import ORDERS as UNIT_ORDERS

MAX_MODELS = 4
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class TracedWord:
    """The user's choice of the word whose loss the gradients trace at lead step ``step``."""

    step: int
    word: str


@dataclass(frozen=True)
class UnitRef:
    """A unit of one model: model index, state kind ('h', 'c' or a gate), 0-based layer, unit."""

    model: int
    kind: str
    layer: int
    unit: int

    def label(self) -> str:
        return f"layer {self.layer + 1}, {self.kind} unit {self.unit}"


def is_backward(model: LoadedModel | None) -> bool:
    """A language model that reads the text last to first (it predicts the previous word)."""
    return model is not None and model.direction == "backward" and model.task == "lm"


def token_ends(model: LoadedModel, text: str, n_tokens: int) -> NDArray[np.int64]:
    """(n_tokens,) offset in text just after each token's source. Word tokenizers split only
    inside whitespace words, so each word is tokenized alone to count its pieces; if the counts
    do not add up, offsets are spread evenly over the text."""
    if model.tokenizer == "char":
        ends = np.arange(1, len(text) + 1, dtype=np.int64)
    else:
        out: list[int] = []
        for m in _WORD.finditer(text):
            out += [m.end()] * len(model.tokenize(m.group()))
        ends = np.asarray(out, np.int64)
    if len(ends) != n_tokens:
        ends = np.linspace(len(text) / max(n_tokens, 1), len(text), n_tokens).astype(np.int64)
    return ends


def decision_trace(engine: Engine, trace: Trace) -> Trace:
    """A classifier's trace: step t's target is the class it predicts for the prefix 0..t
    (factory.engine_targets: the argmax, marked as a prediction: there is no true next word),
    l_t = -log p(that class | prefix t)."""
    targets, is_pred = engine_targets(engine, trace.records)
    return Trace(trace.tokens, trace.records, targets, is_pred,
                 losses(trace.records, targets), None, trace._arrays)


def swapped_text(workspace: Workspace, i: int, j: int) -> str:
    """The workspace's text with the lead's tokens i and j (text positions) swapped, the words
    as typed, joined as the What if edits join them."""
    lead = workspace.lead
    if lead is None or lead.model is None:
        raise SessionError("no model is loaded")
    words = [tok.source or tok.text for tok in lead.tokenize(workspace.text)]
    if not (0 <= i < len(words) and 0 <= j < len(words)):
        raise SessionError(f"there is no token {max(i, j)}")
    words[i], words[j] = words[j], words[i]
    return ("" if lead.model.tokenizer == "char" else " ").join(words)


def nearest_first(i: int, n: int) -> list[int]:
    """The positions 0..n-1 other than i, nearest first (left before right on a tie)."""
    return sorted((j for j in range(n) if j != i), key=lambda j: (abs(j - i), j))


class Workspace:
    """One text, one cursor, shared options; ``models`` is the list every view iterates."""

    models_changed = Signal()
    text_changed = Signal()
    cursor_changed = Signal(int)
    options_changed = Signal(str)
    traced_changed = Signal()
    selection_changed = Signal()

    def __init__(self) -> None:
        self.models: list[ModelSession] = []
        self.text = ""
        self.prime = ""
        self.cursor = 0
        self.truncate: int | None = None
        self.top_k = 10
        self.state_kind = "h"
        self.saliency = False
        self.shared_scale = True
        self.unit_sort = "index"  # heatmap row order: index, value, variance, correlation
        self.traced: TracedWord | None = None
        self.selected_unit: UnitRef | None = None
        self.pinned_units: list[UnitRef] = []

    # ---- models -----------------------------------------------------------------------------
    @property
    def lead(self) -> ModelSession | None:
        return self.models[0] if self.models else None

    def attach(self, session: ModelSession) -> None:
        """Adopt a model session created for this workspace (no model yet)."""
        if len(self.models) >= MAX_MODELS:
            raise SessionError(f"at most {MAX_MODELS} models can be compared")
        self.models.append(session)
        self.models_changed.emit()

    def add_model(self, model: LoadedModel) -> ModelSession:
        """A new model beside the others, run on the shared text. Raises, with nothing
        changed, when there are 4 models already or the text cannot run on it."""
        if len(self.models) >= MAX_MODELS:
            raise SessionError(f"at most {MAX_MODELS} models can be compared")
        session = ModelSession(self)
        self.models.append(session)
        try:
            session.set_model(model)
        except Exception:
            self.models.remove(session)
            raise
        self.models_changed.emit()
        return session

    def remove_model(self, index: int) -> None:
        """Close one model (the last one stays open)."""
        if len(self.models) <= 1:
            raise SessionError("the last model cannot be removed")
        if index == 0:  # the lead's session object stays (the window's bars are bound to it)
            self.models[0].take_over(self.models[1])
            index = 1
        del self.models[index]
        if self.selected_unit is not None and self.selected_unit.model >= len(self.models):
            self.set_selected_unit(None)
        self.models_changed.emit()
        for s in self.models:
            s.move_to(self.model_step(s, self.cursor))

    @property
    def aligned(self) -> bool:
        """Whether every model reads the text as the same token sequence."""
        lead = self.lead
        if lead is None or lead.trace is None:
            return True
        texts = [t.text for t in lead.text_tokens()]
        return all(s.trace is None or [t.text for t in s.text_tokens()] == texts
                   for s in self.models[1:])

    # ---- text -------------------------------------------------------------------------------
    def make_run(self, model: LoadedModel, engine: Engine, prime: State | None,
                 text: str | None = None, reuse: object = None) -> Run:
        """Tokenize and run text (default: the workspace's) on one model; a backward model
        runs over the tokens last to first. A model that sees the future (bidirectional)
        never reuses the records of an earlier text."""
        text = self.text if text is None else text
        tokens = model.tokenize(text)
        if not tokens:
            raise SessionError("type at least one word")
        steps = tokens[::-1] if is_backward(model) else tokens
        if not isinstance(reuse, Trace) or sees_future(engine):
            reuse = None
        trace = run_trace(engine, steps, prime, reuse)
        if engine_task(engine) == "classify":
            trace = decision_trace(engine, trace)
        for kind in {"h", self.state_kind}:  # stacked here, so a worker thread does it
            if kind == "h" or kind in trace.records[0].gates or \
                    (kind == "c" and getattr(engine, "is_lstm", False)):
                trace.states(kind)
        return Run(trace, trace, token_ends(model, text, trace.length))

    def set_text(self, text: str, keep_cursor: bool = False) -> None:
        """Run text on every model; if any model cannot run it, nothing changes."""
        self.install_runs(text, self.plan_text(text), keep_cursor)

    def plan_text(self, text: str) -> list[Run | None]:
        """Every model's run of text, nothing installed (safe on a worker thread: reads only
        the models and their current runs). Raises SessionError/VocabError as set_text."""
        return [s.plan(text) for s in self.models]

    def install_runs(self, text: str, runs: list[Run | None], keep_cursor: bool = False
                     ) -> None:
        """Make planned runs current (the second half of :meth:`set_text`)."""
        if len(runs) != len(self.models):
            raise SessionError("the models changed while the text ran")
        self.text = text
        if all(r is None for r in runs):
            return
        self.traced = None
        for s, run in zip(self.models, runs, strict=True):
            if run is not None:
                s.install(run)
        self.text_changed.emit()
        lead_len = self.length
        self.cursor = min(self.cursor, lead_len - 1) if keep_cursor else 0
        self._move_all(force=True)

    def set_prime(self, prime: str) -> None:
        """Priming text: the state every model starts the text from (zeros when empty)."""
        self.prime = prime
        for s in self.models:
            s.rerun_prime()
        if self.text:
            self.set_text(self.text)

    # ---- cursor -----------------------------------------------------------------------------
    @property
    def length(self) -> int:
        lead = self.lead
        return 0 if lead is None else lead.length

    def model_step(self, session: ModelSession, pos: int, length: int | None = None,
                   ends: NDArray[np.int64] | None = None) -> int:
        """The step of ``session`` at text position ``pos`` (a lead token, text order)."""
        n = session.length if length is None else length
        if n == 0:
            return 0
        own = self._own_position(session, pos, n, session.ends if ends is None else ends)
        return n - 1 - own if session.backward else own

    def _own_position(self, session: ModelSession, pos: int, n: int,
                      ends: NDArray[np.int64]) -> int:
        """``session``'s own token (text order, 0..n-1) at the lead's position ``pos``."""
        lead = self.lead
        if lead is None or session is lead or lead.trace is None or len(lead.ends) == 0 \
                or (len(ends) == len(lead.ends) and np.array_equal(ends, lead.ends)):
            return max(0, min(pos, n - 1))
        pos = max(0, min(pos, len(lead.ends) - 1))
        if session.backward:  # the first own token after the end of the lead's previous one
            before = lead.ends[pos - 1] if pos > 0 else -1
            own = np.searchsorted(ends, before, side="right")
        else:
            own = np.searchsorted(ends, lead.ends[pos], side="right") - 1
        return int(max(0, min(own, n - 1)))

    def lead_step(self, session: ModelSession, t: int) -> int:
        """The text position (lead token) of step t of ``session`` (inverse of
        :meth:`model_step`)."""
        lead = self.lead
        own = session.text_position(t)
        if lead is None or session is lead or len(session.ends) == 0 or len(lead.ends) == 0:
            return own
        if np.array_equal(session.ends, lead.ends):
            return own
        offset = session.ends[max(0, min(own, len(session.ends) - 1))]
        return int(min(np.searchsorted(lead.ends, offset, side="left"), len(lead.ends) - 1))

    def set_cursor(self, t: int) -> None:
        """Move every model to text position t (a lead token, 0-based, clamped)."""
        if self.length == 0:
            return
        t = max(0, min(int(t), self.length - 1))
        if t != self.cursor:
            self.cursor = t
            self._move_all()

    def _move_all(self, force: bool = False) -> None:
        for s in self.models:
            s.move_to(self.model_step(s, self.cursor), force)
        self.cursor_changed.emit(self.cursor)

    def sync_cursor(self, session: ModelSession) -> None:
        """Put one model at the shared cursor (after its model changed)."""
        session.move_to(self.model_step(session, self.cursor), force=True)

    def step(self, delta: int) -> None:
        self.set_cursor(self.cursor + delta)

    def home(self) -> None:
        self.set_cursor(0)

    def end(self) -> None:
        self.set_cursor(self.length - 1)

    # ---- options ----------------------------------------------------------------------------
    def _option(self, name: str) -> None:
        for s in self.models:
            s.options_changed.emit(name)
        self.options_changed.emit(name)

    def set_state_kind(self, kind: str) -> None:
        if not any(kind in s.state_kinds() for s in self.models):
            raise SessionError(f"no open model has a {kind!r} state")
        self.state_kind = kind
        self._option("state_kind")

    def set_top_k(self, k: int) -> None:
        self.top_k = max(1, int(k))
        self._option("top_k")

    def set_truncate(self, k: int | None) -> None:
        """Truncation K for BPTT (None or 0: exact). Stores of other K values are dropped."""
        self.truncate = int(k) if k else None
        for s in self.models:
            s.drop_stores({None, self.truncate})
        self._option("truncate")

    def set_saliency(self, on: bool) -> None:
        self.saliency = bool(on)
        self._option("saliency")

    def set_shared_scale(self, on: bool) -> None:
        """One fixed log range for every model's gradient curves, matrices and saliency."""
        self.shared_scale = bool(on)
        self._option("shared_scale")

    def set_unit_sort(self, mode: str) -> None:
        """How the heatmaps order their units (display only; see session/unit_order.py)."""
        if mode not in UNIT_ORDERS:
            raise SessionError(f"unknown unit order {mode!r}")
        self.unit_sort = mode
        self._option("unit_sort")

    # ---- the traced word --------------------------------------------------------------------
    def set_traced_word(self, word: str | None, step: int | None = None) -> None:
        """Trace the loss of ``word`` as the next word after the lead's step (default: the
        cursor); None goes back to the true next word (at the last step, the top guess)."""
        self.traced = None if not word else TracedWord(self.cursor if step is None else step,
                                                       word)
        for s in self.models:
            s.apply_traced()
        self.traced_changed.emit()

    # ---- unit selection ---------------------------------------------------------------------
    def set_selected_unit(self, unit: UnitRef | None) -> None:
        if unit != self.selected_unit:
            self.selected_unit = unit
            self.selection_changed.emit()

    def pin_unit(self, unit: UnitRef) -> None:
        if unit not in self.pinned_units:
            self.pinned_units.append(unit)
            self.selection_changed.emit()

    def unpin_unit(self, unit: UnitRef) -> None:
        if unit in self.pinned_units:
            self.pinned_units.remove(unit)
            self.selection_changed.emit()
