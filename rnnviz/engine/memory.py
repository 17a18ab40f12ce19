"""Memory curves: how strongly a loss still depends on states d steps back, over a stream.

A token stream w_0..w_{N-1} runs from the zero state. For targets t = D..N-2 the loss is
l_t = -log p(w_{t+1} | w_0..w_t). The band holds, for every target t and distance d = 0..D,
||d l_t / d h^(l)_{t-d}|| for each layer l, ||d l_t / d c^(l)_{t-d}|| (LSTM) and
||d l_t / d e_{t-d}|| (the embedding row fed at t-d): total derivatives, exact BPTT.

Cost: one backward sweep s = N-2..0 carries a batch of gradient rows, one per target t with
s <= t <= s + D (at most D+1 rows), through each step's cached Jacobian (the cells' own
``backward``). Work is (N-D-1)(D+1) row-steps; nothing of size T x T is ever formed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rnnviz.engine.bptt import Cancelled, Progress
from rnnviz.engine.cells import F32
from rnnviz.engine.network import RNNLM, State

F64 = NDArray[np.float64]
SPAN_FRACTION = 0.01  # the span is the largest d whose median is >= 1% of the median at d = 0
_CHUNK = 256  # forward steps per decoder batch (bounds the logits kept in memory)


@dataclass(frozen=True)
class MemoryBand:
    """Gradient norms by target and distance; row i is target t = first_target + i.

    h: (L, n, D+1); c: (L, n, D+1) or None; inputs: (n, D+1). Column d is the state at t - d.
    """

    first_target: int
    h: F32
    c: F32 | None
    inputs: F32

    @property
    def max_distance(self) -> int:
        return int(self.inputs.shape[1]) - 1


@dataclass(frozen=True)
class Quantiles:
    """Statistics over targets per distance, each (..., D+1) float64: numpy's median and its
    default (linear) 25% and 75% quantiles."""

    median: F64
    q25: F64
    q75: F64

    @property
    def span(self) -> NDArray[np.int64]:
        """Memory span (...,): see :func:`memory_span`."""
        return memory_span(self.median)


@dataclass(frozen=True)
class MemoryCurves:
    """Quantiles per path. h: arrays (L, D+1); c: (L, D+1) or None (non-LSTM); inputs: (D+1,)."""

    h: Quantiles
    c: Quantiles | None
    inputs: Quantiles
    tokens: int

    @property
    def max_distance(self) -> int:
        return int(self.inputs.median.shape[-1]) - 1


def memory_span(median: F64) -> NDArray[np.int64]:
    """Largest d with median[..., d] >= 1% of median[..., 0], (...,) int."""
    keep = median >= SPAN_FRACTION * median[..., :1]
    d = np.arange(median.shape[-1])
    out: NDArray[np.int64] = np.where(keep, d, -1).max(axis=-1).astype(np.int64)
    return out


def quantiles(band: F32) -> Quantiles:
    """Median, 25% and 75% over axis -2 (targets) of (..., n, D+1), computed in float64."""
    x = band.astype(np.float64)
    q25, q75 = np.quantile(x, [0.25, 0.75], axis=-2)
    return Quantiles(np.median(x, axis=-2), q25, q75)


def check_stream(n_tokens: int, max_distance: int) -> None:
    """Raise ValueError unless D >= 0 and the stream has at least one target (N >= D + 2)."""
    if max_distance < 0:
        raise ValueError("the maximum distance must be >= 0")
    if n_tokens < max_distance + 2:
        raise ValueError(f"{n_tokens} tokens are too few for distance {max_distance} "
                         f"(need at least {max_distance + 2})")


def memory_band(model: RNNLM, ids: Sequence[int] | NDArray[np.integer], max_distance: int,
                progress: Progress | None = None) -> MemoryBand:
    """The band of gradient norms for targets t = D..N-2 of the stream ``ids`` (N,).

    progress(fraction) is called as the work advances; returning False raises Cancelled.
    """
    stream = np.asarray(ids, np.int64)
    check_stream(len(stream), max_distance)
    caches, inj = _forward(model, stream, max_distance, progress)
    return _sweep(model, caches, inj, max_distance, progress)


def memory_curves(model: RNNLM, ids: Sequence[int] | NDArray[np.integer], max_distance: int,
                  progress: Progress | None = None) -> MemoryCurves:
    """Median and quartiles over targets of every path's band (see :func:`memory_band`)."""
    band = memory_band(model, ids, max_distance, progress)
    return MemoryCurves(quantiles(band.h), None if band.c is None else quantiles(band.c),
                        quantiles(band.inputs), len(ids))


def _report(progress: Progress | None, fraction: float) -> None:
    if progress is not None and not progress(min(1.0, fraction)):
        raise Cancelled


def _forward(model: RNNLM, ids: NDArray[np.int64], first: int,
             progress: Progress | None) -> tuple[list[tuple[tuple, ...]], F32]:
    """Run steps 0..N-2, keeping each step's caches; return them and the output gradients
    d l_t / d h_t^(top) = W_dec^T (p_t - onehot(w_{t+1})) for t = first..N-2, (n, H)."""
    n_steps = len(ids) - 1
    caches: list[tuple[tuple, ...]] = []
    inj = np.empty((n_steps - first, model.hidden_size), np.float32)
    state: State | None = None
    for c0 in range(0, n_steps, _CHUNK):
        recs = model.run(ids[c0:min(c0 + _CHUNK, n_steps)].tolist(), state)
        state = recs[-1].state
        caches += [r.caches for r in recs]
        lo = max(c0, first)
        if lo < c0 + len(recs):
            dlogits = np.stack([r.probs for r in recs[lo - c0:]])
            dlogits[np.arange(len(dlogits)), ids[lo + 1:c0 + len(recs) + 1]] -= 1.0
            inj[lo - first:lo - first + len(dlogits)] = dlogits @ model.params.decoder_w
        _report(progress, 0.1 * len(caches) / n_steps)
    return caches, inj


def _sweep(model: RNNLM, caches: list[tuple[tuple, ...]], inj: F32, dist: int,
           progress: Progress | None) -> MemoryBand:
    """Backward over s = N-2..0 with the rows of targets t in [max(s, D), min(N-2, s+D)]."""
    n_layers, hid = model.num_layers, model.hidden_size
    t0, t1 = dist, len(caches)  # targets [t0, t1)
    n = t1 - t0
    out_h = np.zeros((n_layers, n, dist + 1), np.float32)
    out_c = np.zeros_like(out_h) if model.is_lstm else None
    out_in = np.zeros((n, dist + 1), np.float32)
    dh_rec = np.zeros((n_layers, n, hid), np.float32)
    dc_rec = np.zeros_like(dh_rec) if model.is_lstm else None
    for s in range(t1 - 1, -1, -1):
        lo, hi = max(s, t0) - t0, min(t1, s + dist + 1) - t0
        rows = np.arange(lo, hi)
        cols = rows + (t0 - s)  # distance t - s of each active row
        d_above: F32 | None = None
        for k in range(n_layers - 1, -1, -1):
            dh = dh_rec[k, lo:hi].copy()
            if d_above is not None:
                dh += d_above
            elif s >= t0:  # the top layer: target t = s enters here, row lo
                dh[0] += inj[lo]
            out_h[k, rows, cols] = _norm(dh)
            dc = None if dc_rec is None else dc_rec[k, lo:hi]
            bw = model.cells[k].backward(dh, dc, caches[s][k])
            if out_c is not None and dc_rec is not None and bw.dc is not None:
                out_c[k, rows, cols] = _norm(bw.dc)
                assert bw.dc_prev is not None
                dc_rec[k, lo:hi] = bw.dc_prev
            dh_rec[k, lo:hi] = bw.dh_prev
            d_above = bw.dx
        caches[s] = ()  # no longer needed: memory stays bounded by the steps not yet swept
        assert d_above is not None
        out_in[rows, cols] = _norm(d_above)
        _report(progress, 0.1 + 0.9 * (t1 - s) / t1)
    return MemoryBand(t0, out_h, out_c, out_in)


def _norm(a: F32) -> F32:
    """Row-wise L2 norm of (N, H) -> (N,)."""
    return np.sqrt(np.einsum("ij,ij->i", a, a))
