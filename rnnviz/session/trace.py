"""A sentence run through a model: tokens, step records, stacked arrays for the views."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from rnnviz.checkpoints.vocab import Token
from rnnviz.engine.bptt import losses
from rnnviz.engine.cells import F32
from rnnviz.engine.factory import Engine, engine_targets, sees_future
from rnnviz.engine.network import State, StepRecord


@dataclass
class Trace:
    """Forward pass over a token sequence (T >= 1 steps).

    records[t]: step t's record; targets (T,): next token ids, at T-1 the top-1 prediction;
    losses (T,) float64; arrays: 'h', 'c', gate names -> (L, T, H) float32, built lazily.
    target_is_choice (T,) or None: steps whose target a user chose (see :func:`with_target`).
    """

    tokens: list[Token]
    records: list[StepRecord]
    targets: NDArray[np.int64]
    target_is_prediction: NDArray[np.bool_]
    losses: NDArray[np.float64]
    target_is_choice: NDArray[np.bool_] | None = None
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

    def is_choice(self, t: int) -> bool:
        """True when step t's target was chosen (not the true next token or the top guess)."""
        return self.target_is_choice is not None and bool(self.target_is_choice[t])

    def perplexity(self, upto: int) -> float:
        """exp(mean loss) over positions 0..upto whose target is the true next token."""
        known = ~self.target_is_prediction[: upto + 1]
        if self.target_is_choice is not None:
            known &= ~self.target_is_choice[: upto + 1]
        return float(np.exp(self.losses[: upto + 1][known].mean())) if known.any() else float("nan")


def run_trace(model: Engine, tokens: list[Token], state: State | None,
              reuse: Trace | None = None) -> Trace:
    """Forward over tokens from state; records of a reused trace with the same leading tokens
    are kept (nothing recomputed), only the new tail runs. A model that sees the future (a
    bidirectional net) reruns the whole text: its earlier steps change with later tokens.
    Targets: :func:`factory.engine_targets` (next tokens, or a classifier's top classes)."""
    keep = 0
    if reuse is not None and not sees_future(model):
        while (keep < min(len(tokens), reuse.length)
               and reuse.tokens[keep].id == tokens[keep].id):
            keep += 1
    records = list(reuse.records[:keep]) if reuse is not None else []
    start = records[-1].state if records else state
    records += model.run([t.id for t in tokens[keep:]], start)
    targets, is_pred = engine_targets(model, records)
    return Trace(list(tokens), records, targets, is_pred, losses(records, targets))




def with_target(trace: Trace, t: int, token_id: int | None) -> Trace:
    """The trace with step t's loss tracing ``token_id``: l_t = -log p(token_id | w_0..w_t).
    None restores the default (the true next token; at the last step the top-1 prediction).

    Records and tokens are shared (no forward pass); targets, flags and losses are copies. A
    gradient row of step t computed for the old trace does not hold for the new one.
    """
    if not 0 <= t < trace.length:
        raise IndexError(f"step {t} is outside the trace (0..{trace.length - 1})")
    rec = trace.records[t]
    if token_id is not None and not 0 <= token_id < rec.probs.shape[0]:
        raise ValueError(f"token id {token_id} is outside the vocabulary")
    targets, is_pred = trace.targets.copy(), trace.target_is_prediction.copy()
    chosen = (np.zeros(trace.length, bool) if trace.target_is_choice is None
              else trace.target_is_choice.copy())
    if token_id is None:
        last = t == trace.length - 1
        token_id = int(np.argmax(rec.probs)) if last else trace.records[t + 1].token_id
        is_pred[t], chosen[t] = last, False
    else:
        is_pred[t], chosen[t] = False, True
    targets[t] = token_id
    loss = trace.losses.copy()
    loss[t] = losses([rec], targets[t:t + 1])[0]
    return Trace(trace.tokens, trace.records, targets, is_pred, loss, chosen, trace._arrays)
