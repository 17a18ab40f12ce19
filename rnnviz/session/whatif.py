"""The "what if" layer of the workspace (Qt-free): an edited copy of the text and an intervention,
run beside the original on each model, with the differences the views draw.

Only the suffix that can differ is rerun: the steps before the first edited token and before
the first step an intervention touches are the original run's records, reused as they are.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from psygnal import Signal

from rnnviz.engine.bptt import GradientRows, default_targets, gradient_rows, losses
from rnnviz.engine.compare import Difference, align, difference
from rnnviz.engine.intervention import Intervention, LayerReset, Op, StateName, UnitEdit
from rnnviz.engine.network import State
from rnnviz.session.model_session import ModelSession, SessionError
from rnnviz.session.trace import Trace
from rnnviz.session.workspace import Workspace

EQUATIONS = {
    "lstm": "applied after the cell update: (h~_s, c~_s) = LSTM(x_s, h_{s-1}, c_{s-1}); then "
            "h_s = m*h~_s + a and c_s = m*c~_s + a feed the layer above and step s+1",
    "gru": "applied after the cell update: h~_s = GRU(x_s, h_{s-1}); then h_s = m*h~_s + a "
           "feeds the layer above and step s+1",
    "rnn": "applied after the cell update: h~_s = tanh(W x_s + U h_{s-1} + b); then "
           "h_s = m*h~_s + a feeds the layer above and step s+1",
}
GRADIENT_NOTE = ("Gradients differentiate the intervened run: they are taken w.r.t. each cell's "
                 "output h~_s before the edit, so an ablated or clamped unit passes no gradient "
                 "back through the steps it is edited at, and a scaled one scales it.")


def equations(cell: str) -> str:
    """Where an intervention applies in this cell's equations (one line for the UI)."""
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

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.edited_text: str | None = None
        self.intervention = Intervention()
        self._runs: dict[int, tuple[tuple, WhatIfRun]] = {}  # model slot -> (key, run)
        self._grad: tuple[tuple, GradientRows] | None = None
        workspace.text_changed.connect(self._invalidate)
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
        words = [tok.text for tok in lead.tokenize(source)]
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
        tokens = (s.tokenize(self.edited_text) if self.edited_text is not None
                  else list(base.tokens))
        if not tokens:
            raise SessionError("the edited text has no tokens")
        ids = [t.id for t in tokens]
        p = _same_prefix([t.id for t in base.tokens], ids, self.intervention)
        records = list(base.records[:p])
        records += s.engine.run(ids[p:], self._state_before(s, base, p), self.intervention, p)
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
            rows = gradient_rows(s.engine, run.edited.records, run.edited.targets, t, t + 1,
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
