"""Exact gradient norms of a bidirectional network, through both directions.

Loss at position t: l_t = -log p(target_t | the whole text). G[j, t, s] = ||d l_t / d h_s^(j)||
for every displayed layer j (layer k's forward direction is j = 2k, its reverse j = 2k + 1),
C likewise for the LSTM cell state, E[t, s] = ||d l_t / d e_s||. The reverse direction reads
later tokens, so entries with s > t are real numbers (the gradient reaches the future), never
NaN as in :mod:`bptt`; the top forward layer is 0 at s > t and the top reverse layer 0 at s < t.

Truncated BPTT with K: the text is cut into blocks of K steps (0..K-1, K..2K-1, ...) as in
:mod:`bptt`, and the backward pass drops every recurrent connection that crosses a block edge,
in both directions (forward h_{s-1} -> h_s and reverse h_{s+1} -> h_s). The gradient of l_t
then stays inside t's block: entries outside it are exactly 0. The forward values still cross
blocks (nothing is recomputed).

Many rows: one backward sweep per direction and layer carries a batch of rows, one per target.
One or two rows go direction by direction over whole blocks (:meth:`Cell.chain`), reading each
cell's weights once per row instead of once per step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from rnnviz.engine.bidir import BiRNNLM
from rnnviz.engine.bptt import Cancelled, GradientRows, Progress
from rnnviz.engine.cells import F32
from rnnviz.engine.network import StepRecord

CHAIN_ROWS = 2  # up to this many target rows, one chain per row beats the batched sweep
SWEEP_BYTES = 64 << 20  # gradient buffers of one batched sweep (rows are split to fit)
RowsAt = Callable[[int, int], slice]  # (displayed layer j, step s) -> rows taking part


class RowNorms(NamedTuple):
    """One target's norms over S steps: h (2L, S), c (2L, S) or None, inputs (S,)."""

    h: F32
    c: F32 | None
    inputs: F32


def _norm(a: F32) -> F32:
    """L2 norm over the last axis."""
    return np.sqrt(np.einsum("...i,...i->...", a, a))


def blocks(n_steps: int, truncate: int | None) -> list[tuple[int, int]]:
    """The truncation blocks [a, b) covering 0..n_steps-1 (one block without truncation)."""
    k = truncate or max(n_steps, 1)
    return [(a, min(a + k, n_steps)) for a in range(0, n_steps, k)]


def output_gradients(model: BiRNNLM, records: Sequence[StepRecord], targets: NDArray[np.int64],
                     t0: int, t1: int) -> F32:
    """d l_t / d [forward_t; reverse_t] of the top layer = W_dec^T (p_t - onehot), (n, 2H)."""
    dlogits = np.stack([records[t].probs for t in range(t0, t1)])  # copies
    dlogits[np.arange(t1 - t0), targets[t0:t1]] -= 1.0
    out: F32 = dlogits @ model.params.decoder_w
    return out


def row_backward(model: BiRNNLM, caches: Sequence[tuple], d_top: F32,
                 truncate: int | None) -> RowNorms:
    """One target's norms from d_top (S, 2H), the gradient reaching the top layer's
    [forward; reverse] at each step; caches[s]: step s's caches of every displayed layer."""
    n_steps, hid, n_disp = len(caches), model.hidden_size, model.num_layers
    out_h = np.zeros((n_disp, n_steps), np.float32)
    out_c = np.zeros_like(out_h) if model.is_lstm else None
    d = d_top
    for k in range(len(model.fwd_cells) - 1, -1, -1):
        dx = np.zeros((n_steps, model.fwd_cells[k].p.input_size), np.float32)
        for a, b in blocks(n_steps, truncate):
            if not d[a:b].any():
                continue  # nothing enters this block (truncation keeps it at exactly 0)
            for j, rev in ((2 * k, False), (2 * k + 1, True)):
                steps = range(b - 1, a - 1, -1) if rev else range(a, b)
                d_in = d[list(steps), hid:] if rev else d[a:b, :hid]
                res = model.cells[j].chain(np.ascontiguousarray(d_in),
                                           [caches[s][j] for s in steps])
                flip = slice(None, None, -1) if rev else slice(None)
                out_h[j, a:b] = np.sqrt(res.h_sq[flip])
                if out_c is not None and res.c_sq is not None:
                    out_c[j, a:b] = np.sqrt(res.c_sq[flip])
                dx[a:b] += res.dx[flip]
        d = dx
    return RowNorms(out_h, out_c, _norm(d))


def _cut(s: int, truncate: int | None, reverse: bool) -> bool:
    """True when the recurrent gradient reaching step s crosses a block edge (it came from
    s + 1 in the forward direction, from s - 1 in the reverse direction)."""
    if not truncate:
        return False
    return s % truncate == 0 if reverse else (s + 1) % truncate == 0


def sweep_rows(model: BiRNNLM, caches: Sequence[tuple], d_top: F32, truncate: int | None,
               progress: Progress | None = None, active: RowsAt | None = None
               ) -> tuple[F32, F32 | None, F32]:
    """Norms of n targets at once from d_top (n, T, 2H): one backward sweep per direction and
    layer carrying all n rows. active(j, s): the rows whose gradient can be non-zero at
    displayed layer j, step s (the others are skipped and stay 0; each row's steps must be
    contiguous); caches[s][j] has batch 1 or one row per active row. Returns h (2L, n, T),
    c (2L, n, T) or None, inputs (n, T)."""
    n, n_steps, _ = d_top.shape
    out_h = np.zeros((model.num_layers, n, n_steps), np.float32)
    out_c = np.zeros_like(out_h) if model.is_lstm else None
    d, done, total = d_top, 0, float(model.num_layers * n_steps)
    for k in range(len(model.fwd_cells) - 1, -1, -1):
        dx = np.zeros((n, n_steps, model.fwd_cells[k].p.input_size), np.float32)
        for j in (2 * k, 2 * k + 1):
            _sweep_direction(model, j, caches, d, truncate, dx, (out_h, out_c), active)
            done += n_steps
            if progress is not None and not progress(done / total):
                raise Cancelled
        d = dx
    return out_h, out_c, _norm(d)


def _sweep_direction(model: BiRNNLM, j: int, caches: Sequence[tuple], d: F32,
                     truncate: int | None, dx: F32, outs: tuple[F32, F32 | None],
                     active: RowsAt | None) -> None:
    """Backward of displayed layer j (n rows) over every step; adds into dx (n, T, In)."""
    out_h, out_c = outs
    n, n_steps, _ = d.shape
    hid, rev, cell = model.hidden_size, j % 2 == 1, model.cells[j]
    half = slice(hid, None) if rev else slice(None, hid)
    rec_h = np.zeros((n, hid), np.float32)
    rec_c = np.zeros_like(rec_h) if model.is_lstm else None
    for s in (range(n_steps) if rev else range(n_steps - 1, -1, -1)):
        if _cut(s, truncate, rev):
            rec_h[:] = 0.0
            if rec_c is not None:
                rec_c[:] = 0.0
        a = active(j, s) if active is not None else slice(0, n)
        if a.start >= a.stop:
            continue
        dh = d[a, s, half] + rec_h[a]
        out_h[j, a, s] = _norm(dh)
        bw = cell.backward(dh, None if rec_c is None else rec_c[a], caches[s][j])
        if out_c is not None and rec_c is not None and bw.dc is not None:
            out_c[j, a, s] = _norm(bw.dc)
            rec_c[a] = bw.dc_prev
        rec_h[a] = bw.dh_prev
        dx[a, s] += bw.dx


def lm_rows_at(model: BiRNNLM, t0: int, n: int, truncate: int | None) -> RowsAt:
    """Rows (targets t0..t0+n-1) that a language model's gradient reaches at (j, s): the
    top forward layer only for t >= s, the top reverse layer only for t <= s, and with
    truncation only the targets in s's block."""
    top = model.num_layers - 2

    def rows(j: int, s: int) -> slice:
        lo, hi = 0, n
        if truncate:
            a = (s // truncate) * truncate
            lo, hi = max(lo, a - t0), min(hi, a + truncate - t0)
        if j == top:
            lo = max(lo, s - t0)
        elif j == top + 1:
            hi = min(hi, s - t0 + 1)
        return slice(lo, max(lo, hi))
    return rows


def bidir_gradient_rows(
    model: BiRNNLM,
    records: Sequence[StepRecord],
    targets: NDArray[np.int64],
    t0: int,
    t1: int,
    truncate: int | None = None,
    progress: Progress | None = None,
) -> GradientRows:
    """Norms of l_t for t in [t0, t1) w.r.t. every step's h, c and input (all s, both sides)."""
    if truncate is not None and truncate < 1:
        raise ValueError("truncation K must be >= 1")
    n_steps, n, hid = len(records), t1 - t0, model.hidden_size
    caches = [r.caches for r in records]
    inj = output_gradients(model, records, targets, t0, t1)  # (n, 2H)
    out_h = np.zeros((model.num_layers, n, n_steps), np.float32)
    out_c = np.zeros_like(out_h) if model.is_lstm else None
    out_in = np.zeros((n, n_steps), np.float32)
    if n > CHAIN_ROWS:
        # the sweep holds gradients (rows, T, 2H) into and out of a layer: bound its memory
        size = max(CHAIN_ROWS + 1, SWEEP_BYTES // (n_steps * 4 * hid * 4))
        for a in range(0, n, size):
            b = min(a + size, n)
            d_top = np.zeros((b - a, n_steps, 2 * hid), np.float32)
            d_top[np.arange(b - a), np.arange(t0 + a, t0 + b)] = inj[a:b]
            h, c, e = sweep_rows(model, caches, d_top, truncate, _part(progress, a, b, n),
                                 lm_rows_at(model, t0 + a, b - a, truncate))
            out_h[:, a:b], out_in[a:b] = h, e
            if out_c is not None and c is not None:
                out_c[:, a:b] = c
        return GradientRows(t0, out_h, out_c, out_in)
    for i in range(n):
        d_top = np.zeros((n_steps, 2 * hid), np.float32)
        d_top[t0 + i] = inj[i]
        row = row_backward(model, caches, d_top, truncate)
        out_h[:, i], out_in[i] = row.h, row.inputs
        if out_c is not None and row.c is not None:
            out_c[:, i] = row.c
        if progress is not None and not progress((i + 1) / n):
            raise Cancelled
    return GradientRows(t0, out_h, out_c, out_in)


def _part(progress: Progress | None, a: int, b: int, n: int) -> Progress | None:
    """The progress of rows [a, b) of n as a fraction of the whole."""
    if progress is None:
        return None
    return lambda f: progress((a + f * (b - a)) / n)
