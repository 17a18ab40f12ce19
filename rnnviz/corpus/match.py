"""LSTMVis-style select and match.

Select: over a span [lo, hi) of a text's states, the units that stay at or above a threshold at
every step (the "on" set), optionally only those below it at step lo - 1.
Match: for every corpus position p, On(p) is the set of units on at every step of [p, p + n);
score(p) = |On(p) & S| - |On(p) - S| (matching on-units minus on-units outside the selection).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

SCORE_NAME = "matching on-units minus extra on-units"
F32 = NDArray[np.float32]
BOOL = NDArray[np.bool_]


def select_units(values: F32, lo: int, hi: int, threshold: float = 0.3,
                 below_before: bool = True) -> BOOL:
    """values: (T, H) one layer over a text. Units on over [lo, hi), (H,) bool."""
    if not 0 <= lo < hi <= len(values):
        raise ValueError(f"span [{lo}, {hi}) is outside 0..{len(values)}")
    on: BOOL = np.asarray((values[lo:hi] >= threshold).all(axis=0))
    if below_before and lo > 0:
        on &= values[lo - 1] < threshold
    return on


def at_or_above(layer: NDArray[np.floating], threshold: float) -> BOOL:
    """layer >= threshold, elementwise. float16 input is compared through its bit patterns as
    int16 (sign-magnitude order), about 50x faster than numpy's float16 comparison; the
    threshold is rounded to float16 first."""
    if layer.dtype != np.float16:
        return np.asarray(layer >= threshold)
    bits = np.asarray(layer).view(np.int16)
    t = np.float16(threshold)
    if t > 0:
        return np.asarray(bits >= t.view(np.int16))
    t_bits = (t if t < 0 else np.float16(-0.0)).view(np.int16)  # negatives: larger magnitude,
    return np.asarray((bits >= 0) | (bits <= t_bits))  # larger int16


def window_and(on: BOOL, n: int) -> BOOL:
    """(H, N) -> (H, N - n + 1): on at every step of [p, p + n), by doubling shifts."""
    out, span = on, 1
    while span * 2 <= n:
        out = out[:, :-span] & out[:, span:]
        span *= 2
    if span < n:
        rest = n - span
        out = out[:, : out.shape[1] - rest] & out[:, rest:]
    return out


def window_on(layer: NDArray[np.floating], n: int, threshold: float) -> BOOL:
    """layer: (H, N). (H, N - n + 1) bool: unit on at every step of [p, p + n)."""
    return window_and(at_or_above(layer, threshold), n)


def match_scores(layer: NDArray[np.floating], selected: BOOL, n: int, threshold: float) -> F32:
    """Score of every corpus position p in 0..N-n, (N - n + 1,) float32."""
    on = window_on(layer, n, threshold).view(np.uint8)
    hits = np.add.reduce(on[selected], axis=0, dtype=np.int32)
    total = np.add.reduce(on, axis=0, dtype=np.int32)
    return (2 * hits - total).astype(np.float32)


@dataclass(frozen=True)
class Matches:
    """Top matches: positions (M,), scores (M,), lengths (M,) and all scores (N - n + 1,)."""

    positions: NDArray[np.int64]
    scores: F32
    lengths: NDArray[np.int64]
    all_scores: F32

    def length_histogram(self) -> NDArray[np.int64]:
        """counts[L] = number of top matches of length L."""
        return np.bincount(self.lengths) if len(self.lengths) else np.zeros(0, np.int64)


def best_positions(scores: F32, top: int, n: int,
                   extent: Callable[[int], int] | None = None) -> NDArray[np.int64]:
    """The ``top`` highest-scoring positions (ties: earlier first). A chosen p blocks every
    window that would overlap [p, p + extent(p)) (extent: n by default), so one long stretch
    of the pattern is listed once."""
    order = np.lexsort((np.arange(len(scores)), -scores))
    chosen: list[int] = []
    taken = np.zeros(len(scores), bool)
    for p in order.tolist():
        if taken[p]:
            continue
        chosen.append(p)
        span = extent(p) if extent is not None else n
        taken[max(0, p - n + 1):p + span] = True
        if len(chosen) == top:
            break
    return np.asarray(chosen, np.int64)


def match(layer: NDArray[np.floating], selected: BOOL, n: int, threshold: float = 0.3,
          top: int = 50, max_length: int = 200) -> Matches:
    """Rank every corpus window of length n against the selection; return the best ``top``.

    A match's length: steps from p for which its matching on-units all stay on (>= n, at most
    max_length); a chosen match blocks the windows overlapping its whole length."""
    scores = match_scores(layer, selected, n, threshold)
    lengths: dict[int, int] = {}

    def extent(p: int) -> int:
        lengths[p] = _length(layer, selected, p, n, threshold, max_length)
        return lengths[p]

    pos = best_positions(scores, top, n, extent)
    return Matches(pos, scores[pos], np.array([lengths[int(p)] for p in pos], np.int64), scores)


def _length(layer: NDArray[np.floating], selected: BOOL, p: int, n: int, threshold: float,
            max_length: int) -> int:
    seg = at_or_above(layer[selected, p:p + max_length], threshold)  # (S, <=max)
    rows = seg[:, :n].all(axis=1)
    if not rows.any():
        return n
    ok = seg[rows].all(axis=0)
    return int(np.argmin(ok)) if not ok.all() else int(ok.size)
