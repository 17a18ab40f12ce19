"""BPTT gradient norms of an RWKV model, with the definitions and batching of :mod:`bptt`.

G[l, t, s] = ||d l_t / d x_s^(l)|| (block output of layer l at step s), C[l, t, s] =
||d l_t / d S_s^(l)|| (the WKV state layer l wrote at step s: a, b, p for RWKV-4, every head's
S for RWKV-7; Frobenius norm), E[t, s] = ||d l_t / d e_s|| (the embedding row, before LN0).
One backward sweep over s carries a batch of rows, one per target; truncation as in bptt.
One or two rows (a new token, the traced word) go block by block over all their steps instead,
so that each block's weights are read once per row rather than once per step.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from rnnviz.engine.bptt import Cancelled, GradientRows, Progress
from rnnviz.engine.network import StepRecord
from rnnviz.engine.rwkv import RwkvLM
from rnnviz.engine.rwkv_ops import NormCache, layer_norm_backward
from rnnviz.engine.rwkv_params import F32

CHAIN_ROWS = 2  # up to this many target rows, one block-by-block chain per row beats the sweep


def _norm(a: F32) -> F32:
    """L2 norm over every axis but the first, (N, ...) -> (N,)."""
    flat = a.reshape(a.shape[0], -1)
    return np.sqrt(np.einsum("ij,ij->i", flat, flat))


def output_gradients(model: RwkvLM, records: Sequence[StepRecord], targets: NDArray[np.int64],
                     t0: int, t1: int) -> F32:
    """d l_t / d x_t^(top) through the head and LN_out, for t in [t0, t1), (n, C)."""
    dlogits = np.stack([records[t].probs for t in range(t0, t1)])
    dlogits[np.arange(t1 - t0), targets[t0:t1]] -= 1.0
    dxn = dlogits @ model.head
    return np.concatenate([layer_norm_backward(dxn[i:i + 1], records[t0 + i].caches[-1][1])
                           for i in range(t1 - t0)])


def _row_chain(model: RwkvLM, records: Sequence[StepRecord], t: int, inj: F32,
               truncate: int | None, outs: tuple[F32, F32, F32]) -> None:
    """One target's row, block by block over all its steps (each block's weights are read
    once). outs: h (L, T), c (L, T), inputs (T,), written for s in t's reach."""
    out_h, out_c, out_in = outs
    s_lo = (t // truncate) * truncate if truncate else 0
    steps = range(s_lo, t + 1)
    d = np.zeros((len(steps), model.hidden_size), np.float32)
    d[-1] = inj
    dvf: F32 | None = None
    for k in range(model.num_layers - 1, -1, -1):
        out_h[k, s_lo:t + 1] = _norm(d)
        caches = [records[s].caches[k] for s in steps]
        d, norms, dvf = model.block_chain(k, d, dvf, caches)  # type: ignore[arg-type]
        out_c[k, s_lo:t + 1] = norms
    ln0 = _stack_ln([records[s].caches[-1][0] for s in steps])
    out_in[s_lo:t + 1] = _norm(layer_norm_backward(d, ln0))


def _stack_ln(items: list[NormCache]) -> NormCache:
    return NormCache(np.concatenate([n.xhat for n in items]),
                     np.concatenate([n.rstd for n in items]), items[0].w)


def _state_buffers(model: RwkvLM, rec: StepRecord, n: int) -> tuple[F32, F32]:
    """Zero gradient buffers for the shift (L, n, 2, C) and WKV state (L, n, ...)."""
    st = rec.state
    shift = np.zeros((model.num_layers, n, *st.shift.shape[2:]), np.float32)  # type: ignore
    wkv = np.zeros((model.num_layers, n, *st.wkv.shape[2:]), np.float32)  # type: ignore
    return shift, wkv


def rwkv_gradient_rows(
    model: RwkvLM,
    records: Sequence[StepRecord],
    targets: NDArray[np.int64],
    t0: int,
    t1: int,
    truncate: int | None = None,
    progress: Progress | None = None,
) -> GradientRows:
    """Norms of l_t for t in [t0, t1) w.r.t. every earlier block output, WKV state and input."""
    if truncate is not None and truncate < 1:
        raise ValueError("truncation K must be >= 1")
    n_steps, n, n_layers = len(records), t1 - t0, model.num_layers
    future = np.arange(n_steps)[None, :] > np.arange(t0, t1)[:, None]
    out_in = np.where(future, np.float32(np.nan), np.float32(0.0))
    out_h = np.repeat(out_in[None], n_layers, axis=0)
    out_c = out_h.copy()
    inj = output_gradients(model, records, targets, t0, t1)
    if n <= CHAIN_ROWS:
        for i in range(n):
            _row_chain(model, records, t0 + i, inj[i], truncate,
                       (out_h[:, i], out_c[:, i], out_in[i]))
            if progress is not None and not progress((i + 1) / n):
                raise Cancelled
        return GradientRows(t0, out_h, out_c, out_in)
    dshift, dwkv = _state_buffers(model, records[0], n)
    s_min = (t0 // truncate) * truncate if truncate else 0
    total = float(t1 - s_min)
    for s in range(t1 - 1, s_min - 1, -1):
        end = (s // truncate + 1) * truncate if truncate else 1 << 62
        lo, hi = max(t0, s) - t0, min(t1, end) - t0
        if lo < hi:
            _sweep_step(model, records[s], s, (lo, hi), inj if s >= t0 else None,
                        (dshift, dwkv), (out_h, out_c, out_in))
        if progress is not None and not progress((t1 - s) / total):
            raise Cancelled
    return GradientRows(t0, out_h, out_c, out_in)


def _sweep_step(model: RwkvLM, rec: StepRecord, s: int, rows: tuple[int, int],
                inj: F32 | None, bufs: tuple[F32, F32], outs: tuple[F32, F32, F32]) -> None:
    """Backward through step s for active rows [lo, hi), top block to bottom, in place."""
    lo, hi = rows
    dshift, dwkv = bufs
    out_h, out_c, out_in = outs
    d = np.zeros((hi - lo, model.hidden_size), np.float32)
    if inj is not None:  # target t = s enters at the top (row lo)
        d[0] = inj[lo]
    dvf: F32 | None = None
    for k in range(model.num_layers - 1, -1, -1):
        out_h[k, lo:hi, s] = _norm(d)
        g = model.block_backward(k, d, dshift[k, lo:hi], dwkv[k, lo:hi], dvf, rec.caches[k])  # type: ignore[arg-type]
        out_c[k, lo:hi, s] = _norm(g.dstate)
        dshift[k, lo:hi] = g.dshift
        dwkv[k, lo:hi] = g.dwkv
        dvf = g.dv_first
        d = g.dx
    out_in[lo:hi, s] = _norm(layer_norm_backward(d, rec.caches[-1][0]))
