"""The "what if" layer of the workspace (Qt-free): an edited copy of the text and an intervention,
run beside the original on each model, with the differences the views draw.

Only the suffix that can differ is rerun: the steps before the first edited token and before
the first step an intervention touches are the original run's records, reused as they are.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from psygnal import Signal

from rnnviz.engine.attribution import F64, Attribution, ablation_effect, logit_attribution
from rnnviz.engine.bptt import GradientRows, Progress, default_targets, gradient_rows, losses
from rnnviz.engine.compare import Difference, align, difference
from rnnviz.engine.generate import BeamNode, BeamTree, Sampling, beam_search, sample
from rnnviz.engine.intervention import Intervention, LayerReset, Op, StateName, UnitEdit
from rnnviz.engine.network import RNNLM, State
from rnnviz.session.model_session import ModelSession, SessionError
from rnnviz.session.refusal import NOT_RNN, Refusal
from rnnviz.session.trace import Trace
from rnnviz.session.workspace import Workspace

EQUATIONS = {
    "lstm": "Applied after the cell update (h~_s, c~_s) = LSTM(x_s, h_s-1, c_s-1): "
            "h_s = m·h~_s + a (c_s alike) feeds the layer above and step s+1.",
    "gru": "Applied after the cell update h~_s = GRU(x_s, h_s-1): h_s = m·h~_s + a feeds the "
           "layer above and step s+1.",
    "rnn": "Applied after the cell update h~_s = tanh(W x_s + U h_s-1 + b): h_s = m·h~_s + a "
           "feeds the layer above and step s+1.",
}
GRADIENT_NOTE = ("Gradients differentiate the intervened run (w.r.t. h~_s): an ablated or "
                 "clamped unit passes none back.")


def equations(cell: str) -> str:
    """Where an intervention applies in this cell's equations (one line for the UI)."""
    if cell.startswith("rwkv"):
        return "Edits, interventions and generation here work on RNN, LSTM and GRU models."
    return EQUATIONS.get(cell, EQUATIONS["rnn"])


def parse_units(text: str, num_layers: int, hidden: int) -> list[tuple[int, int]]:
    """'1:17, 1:42' (layer from 1, unit from 0) -> [(0, 17), (0, 42)]; SessionError if bad."""
    out = []
    for item in text.replace(" ", "").split(","):
        if not item:
            continue
        layer_s, sep, unit_s = item.partition(":")
        if not sep or not layer_s.isdigit() or not unit_s.isdigit():
            raise SessionError(f"{item!r}: write units as LAYER:UNIT, e.g. 1:17")
        layer, unit = int(layer_s), int(unit_s)
        if not 1 <= layer <= num_layers or unit >= hidden:
            raise SessionError(f"{item!r}: layers are 1..{num_layers}, units 0..{hidden - 1}")
        out.append((layer - 1, unit))
    return out


def make_intervention(units: Sequence[tuple[int, int]], op: Op, value: float,
                      state: StateName, step: int, only: bool,
                      reset_layers: Sequence[int] = ()) -> Intervention:
    """The same edit on each unit, from step ``step`` on (or only there); plus resets of the
    given 0-based layers at ``step``."""
    edits = tuple(UnitEdit(k, j, op, value, state, step, only) for k, j in units)
    return Intervention(edits, tuple(LayerReset(k, step) for k in reset_layers))


@dataclass(frozen=True)
class WhatIfRun:
    """original: the model's plain run; edited: the edited text under the intervention;
    diff: edited minus original (rnnviz.engine.compare); start: the first step rerun."""

    original: Trace
    edited: Trace
    diff: Difference
    start: int


class WhatIf:
    """The edited text (None: the text itself) and the intervention, shared by every model."""

    changed = Signal()

    @property
    def workspace(self) -> Workspace:
        ws = self._workspace()
        if ws is None:
            raise RuntimeError("the workspace of this what-if state is gone")
        return ws

    def __init__(self, workspace: Workspace) -> None:
        # weak: this object is the value of a WeakKeyDictionary keyed by the workspace, and a
        # strong reference back would keep every closed window's workspace alive
        self._workspace = weakref.ref(workspace)
        self.edited_text: str | None = None
        self.intervention = Intervention()
        self.history: list[str] = []  # texts left by taking a generated branch (newest last)
        self._runs: dict[int, tuple[tuple, WhatIfRun]] = {}  # model slot -> (key, run)
        self._grad: tuple[tuple, GradientRows] | None = None
        workspace.text_changed.connect(self._on_text)
        workspace.models_changed.connect(self._invalidate)

    @property
    def active(self) -> bool:
        return self.edited_text is not None or bool(self.intervention)

    def describe(self) -> str:
        parts = []
        if self.edited_text is not None:
            parts.append(f"edited text: {self.edited_text!r}")
        if self.intervention:
            parts.append(self.intervention.describe())
        return "; ".join(parts) or "no edit and no intervention"

    # ---- setters ----------------------------------------------------------------------------
    def set_edited_text(self, text: str | None) -> None:
        """The text to run beside the original (None or the original text itself: none)."""
        if text is not None and not text.strip():
            raise SessionError("the edited text is empty")
        self.edited_text = None if text == self.workspace.text else text
        self._invalidate()

    def set_intervention(self, iv: Intervention) -> None:
        for s in self.workspace.models:
            if s.engine is not None and iv:
                try:
                    iv.check(s.engine.num_layers, s.engine.hidden_size, s.engine.is_lstm)
                except ValueError as e:
                    raise SessionError(f"{s.name}: {e}") from None
        self.intervention = iv
        self._invalidate()

    def clear(self) -> None:
        self.edited_text = None
        self.intervention = Intervention()
        self._invalidate()

    def edit_token(self, t: int, word: str | None, insert: bool = False) -> None:
        """Replace the lead's token t by ``word`` (None deletes it; insert puts it before t) in
        the edited text (started from the current edited text, else the text)."""
        lead = self.workspace.lead
        if lead is None or lead.model is None:
            raise SessionError("no model is loaded")
        source = self.edited_text if self.edited_text is not None else self.workspace.text
        words = [tok.source or tok.text for tok in lead.tokenize(source)]  # as typed
        if not 0 <= t <= len(words) - (0 if insert else 1):
            raise SessionError(f"there is no token {t}")
        if word is None:
            del words[t]
        elif insert:
            words.insert(t, word)
        else:
            words[t] = word
        sep = "" if lead.model.tokenizer == "char" else " "
        self.set_edited_text(sep.join(words))

    def take_branch(self, text: str) -> None:
        """Make ``text`` the workspace's text; the text it replaces can be returned to."""
        if text != self.workspace.text:
            self.history = [*self.history, self.workspace.text][-HISTORY:]
            self.workspace.set_text(text, keep_cursor=True)

    def back(self) -> bool:
        """Return to the text before the last branch taken (False when there is none)."""
        if not self.history:
            return False
        text = self.history.pop()
        self.workspace.set_text(text, keep_cursor=True)
        return True

    def _on_text(self) -> None:
        """A new text: an edit of the old one no longer applies (the intervention stays)."""
        self.edited_text = None
        self._invalidate()

    def _invalidate(self) -> None:
        self._runs.clear()
        self._grad = None
        self.changed.emit()

    # ---- results ----------------------------------------------------------------------------
    def run(self, index: int = 0) -> WhatIfRun | None:
        """Model ``index``'s what-if run (computed on first request, then cached)."""
        if not self.active or index >= len(self.workspace.models):
            return None
        s = self.workspace.models[index]
        if s.base is None or s.engine is None:
            return None
        key = (id(s.base), self.edited_text, self.intervention)
        hit = self._runs.get(index)
        if hit is not None and hit[0] == key:
            return hit[1]
        result = self._compute(s, s.base)
        self._runs[index] = (key, result)
        return result

    def _compute(self, s: ModelSession, base: Trace) -> WhatIfRun:
        assert s.engine is not None
        engine = _rnn(s)
        tokens = (s.tokenize(self.edited_text) if self.edited_text is not None
                  else list(base.tokens))
        if self.edited_text is not None and s.backward:
            tokens = tokens[::-1]  # a backward model reads the edited text last to first too
        if not tokens:
            raise SessionError("the edited text has no tokens")
        ids = [t.id for t in tokens]
        p = _same_prefix([t.id for t in base.tokens], ids, self.intervention)
        records = list(base.records[:p])
        records += engine.run(ids[p:], self._state_before(s, base, p), self.intervention, p)
        targets, is_pred = default_targets(records)
        loss = np.empty(len(records))
        keep = max(0, min(p - 1, base.length - 1))  # step p-1's next word may have changed
        loss[:keep] = base.losses[:keep]
        loss[keep:] = losses(records[keep:], targets[keep:])
        edited = Trace(tokens, records, targets, is_pred, loss)
        mapping = align([t.id for t in base.tokens], ids)
        return WhatIfRun(base, edited, difference(base.records, records, mapping), p)

    def _state_before(self, s: ModelSession, base: Trace, p: int) -> State | None:
        if p > 0:
            return base.records[p - 1].state
        if not self.workspace.prime or s.engine is None:
            return None
        prime = [t.id for t in s.tokenize(self.workspace.prime)]
        if s.backward:
            prime = prime[::-1]  # as the session reads it (model_session._run_prime)
        return s.engine.run(prime)[-1].state if prime else None

    def gradient_row(self, index: int, t: int) -> GradientRows | None:
        """The gradient row of target t in model ``index``'s what-if run (one row cached)."""
        run = self.run(index)
        if run is None or not 0 <= t < run.edited.length:
            return None
        s = self.workspace.models[index]
        assert s.engine is not None
        key = (index, id(run), t, self.workspace.truncate)
        if self._grad is None or self._grad[0] != key:
            rows = gradient_rows(_rnn(s), run.edited.records, run.edited.targets, t, t + 1,
                                 self.workspace.truncate)
            self._grad = (key, rows)
        return self._grad[1]


def _same_prefix(a: list[int], b: list[int], iv: Intervention) -> int:
    """Steps whose records the edited run can reuse: before the first differing token and the
    first step an intervention touches."""
    p = 0
    while p < min(len(a), len(b)) and a[p] == b[p]:
        p += 1
    firsts = [e.step for e in iv.edits] + [r.step for r in iv.resets]
    return min([p, *firsts])


_STATES: weakref.WeakKeyDictionary[Workspace, WhatIf] = weakref.WeakKeyDictionary()


def whatif_of(workspace: Workspace) -> WhatIf:
    """The workspace's what-if layer (one per workspace, shared by every view)."""
    state = _STATES.get(workspace)
    if state is None:
        state = _STATES[workspace] = WhatIf(workspace)
    return state


# ---- generation ---------------------------------------------------------------------------
HISTORY = 20  # texts kept to return to after taking a branch


@dataclass(frozen=True)
class Continuation:
    """Generated after ``text`` on the lead model. tree: the beam tree (beam search) or a chain
    of nodes (greedy or sampling: node i + 1 is token i, parent i); every node's logp is the
    cumulative log-probability from the end of the text."""

    text: str
    method: str
    tree: BeamTree
    tokenizer: str
    words: tuple[str, ...]
    backward: bool = False  # written by a backward model: the path goes before the text

    def branch(self, index: int) -> str:
        """The text with the path to node ``index`` appended (a backward model's path, which
        it wrote from the text's first word leftwards, put before the text in reading order)."""
        toks = [self.words[i] for i in self.tree.path(index)]
        sep = "" if self.tokenizer == "char" else " "
        if self.backward:
            joined = sep.join(toks[::-1])
            return (joined + sep if toks and sep else joined) + self.text
        joined = sep.join(toks)
        return self.text + (sep + joined if toks and sep else joined)

    def best(self) -> int:
        return self.tree.final[0] if self.tree.final else 0


def continue_text(workspace: Workspace, n: int, sampling: Sampling | None = None,
                  beam: int = 0, seed: int = 0) -> Continuation:
    """Generate n tokens after the workspace's text on the lead model (beam search when beam
    > 0, else greedy or seeded sampling), under the what-if layer's intervention. A backward
    lead writes before the text: it goes on from its state after reading back to word 0."""
    return continuation_job(workspace, n, sampling, beam, seed)(None)


def continuation_job(workspace: Workspace, n: int, sampling: Sampling | None = None,
                     beam: int = 0, seed: int = 0
                     ) -> Callable[[Progress | None], Continuation]:
    """:func:`continue_text` as a job for a worker thread: everything it reads is taken now
    (the run, the engine, the intervention); ``progress(fraction)`` returning False cancels
    (rnnviz.engine.bptt.Cancelled)."""
    lead = workspace.lead
    if lead is None or lead.base is None or lead.engine is None or lead.model is None:
        raise SessionError("type a text first")
    if n < 1:
        raise SessionError("generate at least one token")
    note = continue_refusal(lead)
    if note:
        raise SessionError(str(note))
    engine, base, model, text = _rnn(lead), lead.base, lead.model, workspace.text
    layer = whatif_of(workspace)
    iv = layer.intervention or None
    first = layer._state_before(lead, base, 0) if iv is not None else None

    def job(progress: Progress | None = None) -> Continuation:
        last = base.records[-1]
        if iv is not None:  # the text's own run under the intervention
            last = engine.run([t.id for t in base.tokens], first, iv)[-1]
        if beam > 0:
            tree = beam_search(engine, last.state, last.logits, n, beam, iv, base.length,
                               progress)
            method = f"beam search, width {beam}"
        else:
            s = sampling or Sampling(0.0)
            out = sample(engine, last.state, last.logits, n, s, np.random.default_rng(seed),
                         iv, base.length, progress)
            tree = _chain_tree(out.ids, out.logps)
            method = "greedy" if s.temperature == 0 else f"sampling, seed {seed}"
        return Continuation(text, method, tree, model.tokenizer, model.vocab.tokens,
                            lead.backward)

    return job


def _chain_tree(ids: list[int], logps: list[float]) -> BeamTree:
    """One path as a tree: node i + 1 is token i, its parent node i."""
    tree = BeamTree([BeamNode(0, -1, 0.0, -1, 0)])
    for i, (tok, lp) in enumerate(zip(ids, logps, strict=True)):
        tree.nodes.append(BeamNode(i + 1, tok, tree.nodes[i].logp + lp, i, i + 1))
    tree.final = [len(tree.nodes) - 1]
    return tree


# ---- attribution --------------------------------------------------------------------------
@dataclass(frozen=True)
class UnitAttribution:
    """At step t of one model: the logit split over the top layer's units (z_word, or z_word -
    z_contrast) and, for ``layer``, the change in log p(word) (or in log p(word) - log
    p(contrast)) when each unit is ablated at t alone; effect: (H,) or None."""

    t: int
    word: str
    contrast: str | None
    attribution: Attribution
    layer: int
    effect: F64 | None


def attribute(session: ModelSession, t: int, word: str, contrast: str | None = None,
              layer: int | None = None, effect: bool = True) -> UnitAttribution:
    """Attribution of the next-word logit at step t of the session's plain run."""
    if session.base is None or session.engine is None or session.model is None:
        raise SessionError("type a text first")
    vocab = session.model.vocab
    ids = [vocab.get(w) if w is not None else None for w in (word, contrast)]
    for w, i in zip((word, contrast), ids, strict=True):
        if w is not None and i is None:
            raise SessionError(f"{w!r} is not in {session.name}'s vocabulary")
    y, b = ids
    assert y is not None
    recs = session.base.records
    engine = _rnn(session)
    k = engine.num_layers - 1 if layer is None else layer
    att = logit_attribution(engine, recs[t].h[-1], y, b)
    eff = None
    if effect:
        first = whatif_of(session.workspace)._state_before(session, session.base, 0)
        eff = ablation_effect(engine, recs, t, k, y, b, first if t == 0 else None)
    return UnitAttribution(t, word, contrast, att, k, eff)


def refusal(session: ModelSession) -> Refusal | None:
    """The one line saying why what-if work cannot run on this model (None: it can)."""
    if session.engine is None or isinstance(session.engine, RNNLM):
        return None
    return Refusal(NOT_RNN, (session.name, session.kind_name()))


def continue_refusal(session: ModelSession) -> Refusal | None:
    """Why this model cannot continue the text (None: it can; a backward model writes before
    the text)."""
    return refusal(session)


def _rnn(session: ModelSession) -> RNNLM:
    """The session's engine when it is an RNN/LSTM/GRU; SessionError for the other kinds."""
    assert session.engine is not None
    if not isinstance(session.engine, RNNLM):
        raise SessionError(str(refusal(session)))
    return session.engine
