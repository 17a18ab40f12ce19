"""Interventions on the recurrent state: ablate, clamp or scale units; reset a layer.

An :class:`Intervention` is an argument of a forward run (``RNNLM.run(..., intervention=)``),
never a global. Where it applies: at step s, layer l, *after the cell update*. The cell
computes (h~_s, c~_s) = cell(x_s, h_{s-1}, c_{s-1}) as usual; then the edited values

    h_s = m_h * h~_s + a_h,      c_s = m_c * c~_s + a_c      (elementwise, per unit)

replace them: h_s is what layer l+1 reads at step s (the decoder, for the top layer) and what
layer l reads at step s+1; c_s is what layer l reads at step s+1. h_s is not recomputed from
an edited c_s. ablate: m = 0, a = 0; clamp to v: m = 0, a = v; scale by f: m = f, a = 0;
a layer reset zeroes every unit of h and c. Gradients differentiate this computation:
d l / d h~_s = m_h * d l / d h_s, so an ablated or clamped unit passes no gradient back
through that step and a scaled one multiplies it.

Layers, units and steps are 0-based here (the engine's indices); the one-line descriptions
number layers and steps from 1, as the UI shows them (units from 0, as the heatmap does).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

F32 = NDArray[np.float32]
Op = Literal["ablate", "clamp", "scale"]
StateName = Literal["h", "c", "both"]
OPS: tuple[str, ...] = ("ablate", "clamp", "scale")
STATES: tuple[str, ...] = ("h", "c", "both")
WHERE = ("after the cell update: h_s = m*h~_s + a (and c_s likewise) replaces the cell's output "
         "before the layer above and the next step read it")


@dataclass(frozen=True)
class UnitEdit:
    """One unit's edit. layer, unit: 0-based; value: clamp value or scale factor (unused by
    ablate); state: which state it edits; step: first step s (0-based); only: True applies it
    at step s alone, False at every step from s on."""

    layer: int
    unit: int
    op: Op = "ablate"
    value: float = 0.0
    state: StateName = "h"
    step: int = 0
    only: bool = False

    def __post_init__(self) -> None:
        if self.op not in OPS:
            raise ValueError(f"unknown operation {self.op!r} (ablate, clamp or scale)")
        if self.state not in STATES:
            raise ValueError(f"unknown state {self.state!r} (h, c or both)")
        if self.layer < 0 or self.unit < 0 or self.step < 0:
            raise ValueError("layer, unit and step must be >= 0")

    def active(self, s: int) -> bool:
        return s == self.step if self.only else s >= self.step

    def affine(self) -> tuple[float, float]:
        """(m, a) of x -> m*x + a."""
        if self.op == "scale":
            return float(self.value), 0.0
        return 0.0, float(self.value) if self.op == "clamp" else 0.0

    def describe(self) -> str:
        what = {"ablate": "ablate", "clamp": f"clamp to {self.value:g}",
                "scale": f"scale by {self.value:g}"}[self.op]
        when = f"at step {self.step + 1}" if self.only else f"from step {self.step + 1} on"
        state = "h and c" if self.state == "both" else self.state
        return f"{what} {state} of unit {self.layer + 1}:{self.unit} {when}"


@dataclass(frozen=True)
class LayerReset:
    """Set layer ``layer``'s whole h (and c) to zero at step ``step`` (after its update)."""

    layer: int
    step: int

    def describe(self) -> str:
        return f"reset layer {self.layer + 1} to zero at step {self.step + 1}"


@dataclass(frozen=True)
class LayerEdit:
    """The combined affine edit of one layer at one step: x -> m*x + a, each (H,) or None
    for an untouched state."""

    m_h: F32 | None
    a_h: F32 | None
    m_c: F32 | None
    a_c: F32 | None

    def apply(self, h: F32, c: F32 | None) -> tuple[F32, F32 | None]:
        """Edited (h, c); h, c: (B, H). Returns new arrays, never modifies the inputs."""
        if self.m_h is not None and self.a_h is not None:
            h = h * self.m_h + self.a_h
        if c is not None and self.m_c is not None and self.a_c is not None:
            c = c * self.m_c + self.a_c
        return h, c


StepEdit = tuple[LayerEdit | None, ...]  # one entry per layer


@dataclass(frozen=True)
class Intervention:
    """Unit edits and layer resets of one forward run. Edits of one unit compose in order;
    resets apply after the unit edits of the same step."""

    edits: tuple[UnitEdit, ...] = ()
    resets: tuple[LayerReset, ...] = ()
    _memo: dict[tuple, StepEdit] = field(default_factory=dict, init=False, repr=False,
                                         compare=False, hash=False)

    def __bool__(self) -> bool:
        return bool(self.edits or self.resets)

    def check(self, num_layers: int, hidden: int, is_lstm: bool) -> None:
        """Raise ValueError naming the first edit that does not fit the model."""
        for e in self.edits:
            if e.layer >= num_layers or e.unit >= hidden:
                raise ValueError(f"unit {e.layer + 1}:{e.unit} does not exist "
                                 f"({num_layers} layers of {hidden} units)")
            if e.state == "c" and not is_lstm:
                raise ValueError("only an LSTM has a cell state c")
        for r in self.resets:
            if r.layer >= num_layers:
                raise ValueError(f"layer {r.layer + 1} does not exist ({num_layers} layers)")

    def at(self, s: int, num_layers: int, hidden: int) -> StepEdit | None:
        """The per-layer edits at step s, or None when nothing applies there (steps with the
        same active edits share one result: its arrays are read, never written)."""
        active = tuple(i for i, e in enumerate(self.edits) if e.active(s))
        resets = frozenset(r.layer for r in self.resets if r.step == s)
        if not active and not resets:
            return None
        key = (active, resets, num_layers, hidden)
        hit = self._memo.get(key)
        if hit is None:
            hit = self._memo[key] = self._build([self.edits[i] for i in active], resets,
                                                num_layers, hidden)
        return hit

    @staticmethod
    def _build(units: list[UnitEdit], resets: frozenset[int], num_layers: int,
               hidden: int) -> StepEdit:
        out: list[LayerEdit | None] = []
        for k in range(num_layers):
            mine = [e for e in units if e.layer == k]
            if not mine and k not in resets:
                out.append(None)
                continue
            m_h, a_h = _affine(mine, ("h", "both"), hidden, k in resets)
            m_c, a_c = _affine(mine, ("c", "both"), hidden, k in resets)
            out.append(LayerEdit(m_h, a_h, m_c, a_c))
        return tuple(out)

    def describe(self) -> str:
        """One line for the UI and the JSON, e.g. 'ablate h of unit 1:17 from step 1 on'
        (layers and steps from 1)."""
        if not self:
            return "no intervention"
        return "; ".join([e.describe() for e in self.edits] + [r.describe() for r in self.resets])

    def to_json(self) -> dict[str, object]:
        """The JSON record (layers 1-based, as the UI numbers them)."""
        return {
            "edits": [{"layer": e.layer + 1, "unit": e.unit, "op": e.op, "value": e.value,
                       "state": e.state, "step": e.step, "only_at_step": e.only}
                      for e in self.edits],
            "resets": [{"layer": r.layer + 1, "step": r.step} for r in self.resets],
            "applied": WHERE,
            "description": self.describe(),
            "numbering": "layer from 1, unit from 0, step from 0 (the description counts "
                         "steps from 1, as the UI does)",
        }


def _affine(edits: list[UnitEdit], states: tuple[str, ...], hidden: int,
            reset: bool) -> tuple[F32 | None, F32 | None]:
    """Compose the edits that touch ``states`` into (m, a), each (H,); None when none do."""
    mine = [e for e in edits if e.state in states]
    if not mine and not reset:
        return None, None
    m = np.ones(hidden, np.float32)
    a = np.zeros(hidden, np.float32)
    for e in mine:
        em, ea = e.affine()
        m[e.unit] *= em
        a[e.unit] = a[e.unit] * em + ea
    if reset:
        m[:] = 0.0
        a[:] = 0.0
    return m, a
