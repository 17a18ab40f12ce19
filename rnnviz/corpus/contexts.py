"""Top activating contexts of one unit over a corpus index, and its histogram."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rnnviz.corpus.index import CorpusIndex


@dataclass(frozen=True)
class Context:
    """A corpus position and the window [start, stop) around it (position +- width).

    value: the unit at ``position``; near_boundary: the window crosses the start of a parallel
    stream's chunk, so states on one side came from a stream with only its warm-up as history.
    """

    position: int
    value: float
    start: int
    stop: int
    near_boundary: bool


def top_positions(values: NDArray[np.float32], k: int, gap: int) -> NDArray[np.int64]:
    """Positions of the k largest values, best first, no two closer than ``gap`` + 1 apart."""
    n = len(values)
    m = min(n, k * (2 * gap + 2))
    cand = np.argpartition(-values, m - 1)[:m] if m < n else np.arange(n)
    cand = cand[np.lexsort((cand, -values[cand]))]
    chosen: list[int] = []
    for p in cand.tolist():
        if all(abs(p - q) > gap for q in chosen):
            chosen.append(p)
            if len(chosen) == k:
                break
    return np.asarray(chosen, np.int64)


def top_contexts(index: CorpusIndex, kind: str, layer: int, unit: int, k: int = 20,
                 width: int = 10) -> tuple[list[Context], list[Context]]:
    """(highest, lowest): k contexts each, best first, windows of +-``width`` tokens that do not
    share their centre's neighbourhood."""
    values = index.series(kind, layer, unit)
    out = []
    for sign in (1.0, -1.0):
        pos = top_positions(sign * values, k, width)
        out.append([_context(index, int(p), float(values[p]), width) for p in pos])
    return out[0], out[1]


def _context(index: CorpusIndex, pos: int, value: float, width: int) -> Context:
    lo, hi = max(0, pos - width), min(index.n_tokens, pos + width + 1)
    return Context(pos, value, lo, hi, index.near_boundary(lo, hi))


def histogram(index: CorpusIndex, kind: str, layer: int, unit: int,
              bins: int = 50) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """(counts (bins,), edges (bins + 1,)) of one unit's values over the corpus."""
    counts, edges = np.histogram(index.series(kind, layer, unit), bins=bins)
    return counts.astype(np.int64), edges
