"""Backpropagation through time, batched over targets: gradient norms for every (t, s).

Loss at position t: l_t = -log p(target_t | w_1..w_t). G[l, t, s] = ||d l_t / d h_s^(l)||_2
(total derivative through every path), C[l, t, s] = ||d l_t / d c_s^(l)|| (LSTM) and
E[t, s] = ||d l_t / d e_s|| (the embedding row fed at step s). Entries with s > t are NaN.

One backward sweep over s = T-1..0 carries a batch of gradients, one row per target t,
through the cached Jacobian of each step: never one backward pass per target.
Truncated BPTT with K: blocks of K steps (0..K-1, K..2K-1, ...); the gradient of l_t reaches
only steps in t's block, entries outside are 0; the forward state still crosses blocks.

Interventions (records whose ``edit`` is set, see rnnviz.engine.intervention): the sweep
differentiates the intervened computation h_s = m*h~_s + a, and G, C are then the norms of
d l_t / d h~_s and d l_t / d c~_s, the cell's outputs before the edit (= m * d l_t / d h_s):
an ablated or clamped unit is 0 there and passes nothing back; unedited steps are unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rnnviz.engine.cells import F32
from rnnviz.engine.intervention import LayerEdit
from rnnviz.engine.network import RNNLM, StepRecord

Progress = Callable[[float], bool]
_CHAIN_ROWS = 2  # up to this many target rows, one chain per row beats the batched sweep


class Cancelled(Exception):
    """A progress callback asked to stop."""


@dataclass(frozen=True)
class GradientRows:
    """Norms for targets t0..t1-1 against every step s < T.

    h: (L, n, T); c: (L, n, T) or None; inputs: (n, T); row i is target t0 + i.
    """

    t0: int
    h: F32
    c: F32 | None
    inputs: F32


def default_targets(records: Sequence[StepRecord]) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Targets for each position: the next input token, and at the last position the model's own
    top-1 prediction. Returns (targets (T,), target_is_prediction (T,))."""
    n = len(records)
    targets = np.empty(n, np.int64)
    for t in range(n - 1):
        targets[t] = records[t + 1].token_id
    is_pred = np.zeros(n, bool)
    if n:
        targets[-1] = int(np.argmax(records[-1].logits))
        is_pred[-1] = True
    return targets, is_pred


def losses(records: Sequence[StepRecord], targets: NDArray[np.int64]) -> NDArray[np.float64]:
    """l_t = -log softmax(logits_t)[target_t], from the logits in float64, (T,)."""
    out = np.empty(len(records))
    for t, r in enumerate(records):
        z = r.logits.astype(np.float64)
        m = z.max()
        out[t] = m + np.log(np.exp(z - m).sum()) - z[targets[t]]
    return out


def _norm(a: F32) -> F32:
    """Row-wise L2 norm of (N, H) -> (N,)."""
    return np.sqrt(np.einsum("ij,ij->i", a, a))


def _block_end(s: int, truncate: int | None) -> int:
    return (s // truncate + 1) * truncate if truncate else 1 << 62


def gradient_rows(
    model: RNNLM,
    records: Sequence[StepRecord],
    targets: NDArray[np.int64],
    t0: int,
    t1: int,
    truncate: int | None = None,
    progress: Progress | None = None,
) -> GradientRows:
    """Gradient norms of l_t for t in [t0, t1) w.r.t. every earlier h, c and embedding input.

    records: the forward trace (T steps); targets: (T,) target ids. Cost: one sweep from
    s = t1-1 down to the first step any row reaches, with a batch of the rows still active.
    """
    if truncate is not None and truncate < 1:
        raise ValueError("truncation K must be >= 1")
    n_steps, n, n_layers = len(records), t1 - t0, model.num_layers
    hid = model.hidden_size
    # s <= t: 0 unless reached (truncation cuts to exactly 0); s > t: NaN (undefined)
    future = np.arange(n_steps)[None, :] > np.arange(t0, t1)[:, None]  # (n, T)
    out_in = np.where(future, np.float32(np.nan), np.float32(0.0))
    out_h = np.repeat(out_in[None], n_layers, axis=0)
    out_c = out_h.copy() if model.is_lstm else None
    inj = _output_gradients(model, records, targets, t0, t1)  # (n, H)
    s_min = (t0 // truncate) * truncate if truncate else 0
    if n <= _CHAIN_ROWS and not any(records[s].edit for s in range(s_min, t1)):
        for i in range(n):
            _row_chain(
                model,
                records,
                t0 + i,
                inj[i],
                truncate,
                (out_h[:, i], None if out_c is None else out_c[:, i], out_in[i]),
            )
        return GradientRows(t0, out_h, out_c, out_in)
    dh_rec = np.zeros((n_layers, n, hid), np.float32)
    dc_rec = np.zeros_like(dh_rec) if model.is_lstm else None
    total = float(t1 - s_min)
    for s in range(t1 - 1, s_min - 1, -1):
        lo, hi = max(t0, s) - t0, min(t1, _block_end(s, truncate)) - t0
        if lo < hi:
            _sweep_step(
                model, records[s], s, lo, hi, s >= t0, inj, dh_rec, dc_rec, (out_h, out_c, out_in)
            )
        if progress is not None and not progress((t1 - s) / total):
            raise Cancelled
    return GradientRows(t0, out_h, out_c, out_in)


def _row_chain(
    model: RNNLM,
    records: Sequence[StepRecord],
    t: int,
    inj: F32,
    truncate: int | None,
    outs: tuple[F32, F32 | None, F32],
) -> None:
    """One target's row, layer by layer (each layer's weights stay in cache; the gradients
    into the layer below are one matmul per layer). outs: h (L, T), c (L, T) or None, in (T,)."""
    out_h, out_c, out_in = outs
    s_lo = (t // truncate) * truncate if truncate else 0
    d_in = np.zeros((t + 1 - s_lo, model.hidden_size), np.float32)
    d_in[-1] = inj
    for k in range(model.num_layers - 1, -1, -1):
        res = model.cells[k].chain(d_in, [records[s].caches[k] for s in range(s_lo, t + 1)])
        out_h[k, s_lo : t + 1] = np.sqrt(res.h_sq)
        if out_c is not None and res.c_sq is not None:
            out_c[k, s_lo : t + 1] = np.sqrt(res.c_sq)
        d_in = res.dx
    out_in[s_lo : t + 1] = _norm(d_in)


def _output_gradients(
    model: RNNLM, records: Sequence[StepRecord], targets: NDArray[np.int64], t0: int, t1: int
) -> F32:
    """d l_t / d h_t^(top) = W_dec^T (p_t - onehot(target_t)) for t in [t0, t1), (n, H)."""
    dlogits = np.stack([records[t].probs for t in range(t0, t1)])  # copies: probs stay intact
    dlogits[np.arange(t1 - t0), targets[t0:t1]] -= 1.0
    if t1 - t0 == 1:  # one row: a matrix-vector product is several times faster than a matmul
        return (dlogits[0] @ model.params.decoder_w)[None]
    out: F32 = dlogits @ model.params.decoder_w
    return out


def _sweep_step(
    model: RNNLM,
    rec: StepRecord,
    s: int,
    lo: int,
    hi: int,
    injects: bool,
    inj: F32,
    dh_rec: F32,
    dc_rec: F32 | None,
    outs: tuple[F32, F32 | None, F32],
) -> None:
    """Backward through step s for active rows [lo, hi), top layer to bottom, in place."""
    out_h, out_c, out_in = outs
    d_above: F32 | None = None
    for k in range(model.num_layers - 1, -1, -1):
        dh = dh_rec[k, lo:hi].copy()
        if d_above is not None:
            dh += d_above
        elif injects:  # top layer: target t = s enters here (row lo)
            dh[0] += inj[lo]
        dc = None if dc_rec is None else dc_rec[k, lo:hi]
        edit = rec.edit[k] if rec.edit is not None else None
        if edit is not None:  # through h_s = m*h~_s + a: d h~_s = m * d h_s
            dh, dc = _through_edit(edit, dh, dc)
        out_h[k, lo:hi, s] = _norm(dh)
        bw = model.cells[k].backward(dh, dc, rec.caches[k])
        if (
            out_c is not None
            and bw.dc is not None
            and dc_rec is not None
            and bw.dc_prev is not None
        ):
            out_c[k, lo:hi, s] = _norm(bw.dc)
            dc_rec[k, lo:hi] = bw.dc_prev
        dh_rec[k, lo:hi] = bw.dh_prev
        d_above = bw.dx
    assert d_above is not None
    out_in[lo:hi, s] = _norm(d_above)


def _through_edit(edit: LayerEdit, dh: F32, dc: F32 | None) -> tuple[F32, F32 | None]:
    """Gradients w.r.t. the edited h_s, c_s (N, H) -> w.r.t. the cell's outputs before it."""
    if edit.m_h is not None:
        dh = dh * edit.m_h
    if dc is not None and edit.m_c is not None:
        dc = dc * edit.m_c
    return dh, dc


def gradient_norms(
    model: RNNLM,
    records: Sequence[StepRecord],
    targets: NDArray[np.int64],
    truncate: int | None = None,
    progress: Progress | None = None,
) -> GradientRows:
    """The full T x T matrices (all targets)."""
    return gradient_rows(model, records, targets, 0, len(records), truncate, progress)
