"""A sentence run through a model: tokens, step records, stacked arrays for the views."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from rnnviz.checkpoints.vocab import Token
from rnnviz.engine.bptt import default_targets, losses
from rnnviz.engine.cells import F32
from rnnviz.engine.network import RNNLM, State, StepRecord


@dataclass
class Trace:
    """Forward pass over a token sequence (T >= 1 steps).

    records[t]: step t's record; targets (T,): next token ids, at T-1 the top-1 prediction;
    losses (T,) float64; chosen: the step whose target is the user's word (-1: none);
    arrays: 'h', 'c', gate names -> (L, T, H) float32, built lazily.
    """

    tokens: list[Token]
    records: list[StepRecord]
    targets: NDArray[np.int64]
    target_is_prediction: NDArray[np.bool_]
    losses: NDArray[np.float64]
    chosen: int = -1  # the step whose target the user chose (-1: none)
    _arrays: dict[str, F32] = field(default_factory=dict, repr=False)

    @property
    def length(self) -> int:
        return len(self.records)

    def states(self, kind: str) -> F32:
        """kind 'h', 'c' or a gate name -> (L, T, H) float32, C-contiguous."""
        if kind not in self._arrays:
            if kind == "h":
                arr = np.stack([r.h for r in self.records], axis=1)
            elif kind == "c":
                arr = np.stack([r.c for r in self.records if r.c is not None], axis=1)
            else:
                arr = np.stack([r.gates[kind] for r in self.records], axis=1)
            self._arrays[kind] = np.ascontiguousarray(arr, dtype=np.float32)
        return self._arrays[kind]

    def perplexity(self, upto: int) -> float:
        """exp(mean loss) over positions 0..upto whose target is the true next token."""
        known = ~self.target_is_prediction[: upto + 1]
        if 0 <= self.chosen <= upto:
            known[self.chosen] = False
        return float(np.exp(self.losses[: upto + 1][known].mean())) if known.any() else float("nan")


def run_trace(model: RNNLM, tokens: list[Token], state: State | None,
              reuse: Trace | None = None) -> Trace:
    """Forward over tokens from state; records of a reused trace with the same leading tokens
    are kept (nothing recomputed), only the new tail runs."""
    keep = 0
    if reuse is not None:
        while (keep < min(len(tokens), reuse.length)
               and reuse.tokens[keep].id == tokens[keep].id):
            keep += 1
    records = list(reuse.records[:keep]) if reuse is not None else []
    start = records[-1].state if records else state
    records += model.run([t.id for t in tokens[keep:]], start)
    targets, is_pred = default_targets(records)
    return Trace(list(tokens), records, targets, is_pred, losses(records, targets))



def with_target(trace: Trace, t: int, token_id: int) -> Trace:
    """The same run with step t's target (the word whose loss l_t is traced) set to token_id;
    records are shared, only targets and losses change."""
    targets = trace.targets.copy()
    targets[t] = token_id
    is_pred = trace.target_is_prediction.copy()
    is_pred[t] = False
    return Trace(trace.tokens, trace.records, targets, is_pred, losses(trace.records, targets), t)
