"""Differences between two runs: an edited text (or an intervened run) against the original.

Alignment by position after the edit: the common prefix lines up step by step; every later
step lines up with the original step the same distance from the end, so that after a
replacement, insertion or deletion each later token is compared with the same token of the
original (and a replaced token with the token it replaced). Inserted steps have no partner.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rnnviz.engine.cells import F32
from rnnviz.engine.network import StepRecord

F64 = NDArray[np.float64]


def align(original: Sequence[int], edited: Sequence[int]) -> list[int | None]:
    """For each step of ``edited``, the step of ``original`` it lines up with, or None."""
    n_o, n_e = len(original), len(edited)
    pre = 0
    while pre < min(n_o, n_e) and original[pre] == edited[pre]:
        pre += 1
    shift = n_o - n_e
    return [t if t < pre else (t + shift if t + shift >= pre else None) for t in range(n_e)]


@dataclass(frozen=True)
class Difference:
    """edited minus original, per step of the edited run (T = its length).

    mapping: (T,) aligned original step or None; delta_logp: (T,) change in log p of the true
    next word where both runs have the same one (NaN elsewhere, and at the last step);
    delta_loss: (T,) change of the loss wherever both steps have a true next word, even when the
    words differ (the step before an edited token); delta_hidden: (L, T, H), NaN rows unaligned.
    """

    mapping: list[int | None]
    delta_logp: F64
    delta_loss: F64
    delta_hidden: F32


def _logp(rec: StepRecord, y: int) -> float:
    """log p(y) from the step's probabilities; from the logits when it underflows there."""
    p = float(rec.probs[y])
    if p > 1e-30:
        return float(np.log(p))
    z = rec.logits.astype(np.float64)
    m = z.max()
    return float(z[y] - m - np.log(np.exp(z - m).sum()))


def difference(original: Sequence[StepRecord], edited: Sequence[StepRecord],
               mapping: list[int | None] | None = None) -> Difference:
    """Compare two runs; the next true word of step t is the input of step t + 1."""
    if mapping is None:
        mapping = align([r.token_id for r in original], [r.token_id for r in edited])
    n, n_o = len(edited), len(original)
    d_logp = np.full(n, np.nan)
    d_loss = np.full(n, np.nan)
    layers, hid = edited[0].h.shape if edited else (0, 0)
    d_h = np.full((layers, n, hid), np.nan, np.float32)
    for t, to in enumerate(mapping):
        if to is None:
            continue
        d_h[:, t] = edited[t].h - original[to].h
        if t + 1 < n and to + 1 < n_o:
            y_e, y_o = edited[t + 1].token_id, original[to + 1].token_id
            lp_e, lp_o = _logp(edited[t], y_e), _logp(original[to], y_o)
            d_loss[t] = lp_o - lp_e
            if y_e == y_o:
                d_logp[t] = lp_e - lp_o
    return Difference(mapping, d_logp, d_loss, d_h)
