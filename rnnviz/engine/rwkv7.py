"""RWKV-7 ("Goose") time mixing, forward and backward, per head of size N (C = H * N).

    w = exp(-e^-0.5 sigmoid(w0 + tanh(x_w W1) W2))          decay, per channel
    a = sigmoid(a0 + x_a A1 A2)                               in-context learning rate
    kk = normalize_head(k * k_k),  k' = k (1 + (a - 1) k_a)
    v' = v + (v_first - v) sigmoid(v0 + x_v V1 V2)            (layers > 0)
    S' = S diag(w) - (S kk)(kk * a)^T + v' k'^T,  y = GroupNorm(S' r) + (r . k' . r_k) v'
    out = Wo (y * (sigmoid(x_g G1) G2))
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnnviz.engine.cells import sigmoid
from rnnviz.engine.rwkv_ops import NormCache, layer_norm, layer_norm_backward
from rnnviz.engine.rwkv_params import F32

GN_EPS = 64e-5
DECAY_SCALE = np.float32(np.exp(-0.5))
MIX_NAMES = ("x_r", "x_w", "x_k", "x_v", "x_a", "x_g")


class AttCache(NamedTuple):
    """One step's factors; vectors (B, C) or per head (B, H, N); states (B, H, N, N)."""

    r: F32
    k: F32
    k2: F32
    v: F32  # v' (after the value residual)
    v_raw: F32
    v_first: F32
    nu: F32 | None  # residual mix, None in layer 0
    w: F32
    sw: F32
    zw: F32
    a: F32
    zg: F32
    g: F32
    y2: F32
    kk: F32
    nrm: F32
    s_old: F32
    s_new: F32
    skk: F32
    gn: NormCache
    bonus: F32  # (B, H, 1)


def _heads(x: F32, h: int) -> F32:
    return x.reshape(x.shape[0], h, -1)


def att_forward(x: F32, last: F32, state: F32, v_first: F32 | None, w: dict[str, F32]
                ) -> tuple[F32, F32, F32, AttCache]:
    """x, last: (B, C); state (B, H, N, N); v_first (B, C) or None in layer 0.
    Returns (output (B, C), new state, v_first, cache)."""
    h = w["r_k"].shape[0]
    d = last - x
    xr, xw, xk, xv, xa, xg = (x + d * w[m] for m in MIX_NAMES)
    r = xr @ w["receptance.weight"].T
    zw = np.tanh(xw @ w["w1"])
    sw = sigmoid(zw @ w["w2"] + w["w0"])
    decay = np.exp(-DECAY_SCALE * sw)
    k = xk @ w["key.weight"].T
    v_raw = xv @ w["value.weight"].T
    a = sigmoid(w["a0"] + (xa @ w["a1"]) @ w["a2"])
    zg = sigmoid(xg @ w["g1"])
    g = zg @ w["g2"]
    q = _heads(k * w["k_k"], h)
    nrm = np.maximum(np.sqrt((q * q).sum(-1, keepdims=True)), np.float32(1e-12))
    kk = q / nrm
    k2 = k * (1.0 + (a - 1.0) * w["k_a"])
    nu = None
    if v_first is None:
        v, v_first = v_raw, v_raw
    else:
        nu = sigmoid(w["v0"] + (xv @ w["v1"]) @ w["v2"])
        v = v_raw + (v_first - v_raw) * nu
    rh, k2h, vh, ah = _heads(r, h), _heads(k2, h), _heads(v, h), _heads(a, h)
    skk = np.einsum("bhij,bhj->bhi", state, kk)
    s_new = (state * _heads(decay, h)[:, :, None, :] - skk[..., None] * (kk * ah)[:, :, None, :]
             + vh[..., None] * k2h[:, :, None, :])
    y = np.einsum("bhij,bhj->bhi", s_new, rh)
    yn, gn = layer_norm(y, w["ln_x.weight"].reshape(h, -1), w["ln_x.bias"].reshape(h, -1),
                        GN_EPS)
    bonus = (rh * k2h * w["r_k"]).sum(-1, keepdims=True)
    y2 = (yn + bonus * vh).reshape(x.shape)
    out: F32 = (y2 * g) @ w["output.weight"].T
    cache = AttCache(r, k, k2, v, v_raw, v_first, nu, decay, sw, zw, a, zg, g, y2, kk, nrm,
                     state, s_new, skk, gn, bonus)
    return out, s_new.astype(np.float32), v_first, cache


def att_backward(dout: F32, ds_new: F32, dv_first: F32 | None, c: AttCache, w: dict[str, F32]
                 ) -> tuple[F32, F32, F32, F32, F32]:
    """dout (N, C); ds_new (N, H, N, N) w.r.t. the new state; dv_first (N, C): the gradient
    w.r.t. v_first from the layers above (layer 0 only, else None).
    Returns (dx, dlast, ds_prev, dv_first, ds) where dv_first is this layer's contribution to
    the gradient of v_first (layers > 0) or zeros (layer 0), and ds the total gradient w.r.t.
    the new state (the step's own output y = S' r reads it too)."""
    dg, dvh, drh, dk2h, dy = _out_side(dout, c, w)
    st = _state_step(ds_new, dy, _step_factors(c, w, slice(None)))
    dx, dlast, dvf = _in_side(dout.shape, (dg, dvh + st.dvh, drh + st.drh, dk2h + st.dk2h,
                                           st.dah, st.dkk, st.dw), dv_first, c, w)
    return dx, dlast, st.ds_prev, dvf, st.ds


def att_chain(dout: F32, dv_first: F32 | None, c: AttCache, w: dict[str, F32]
              ) -> tuple[F32, F32, F32, F32]:
    """One target's gradient through the layer's time mixing over S steps at once.
    dout (S, C); dv_first (S, C) from the layers above (layer 0) or None; c: the steps' caches
    stacked. Returns (dx, dlast, ||d l / d S_s|| (S,), dv_first contribution (S, C))."""
    dg, dvh, drh, dk2h, dy = _out_side(dout, c, w)
    h, n = w["r_k"].shape
    dah, dkk = np.empty_like(dvh), np.empty_like(dvh)
    dw = np.empty_like(dout)
    norms = np.empty(len(dout), np.float32)
    ds = np.zeros((1, h, n, n), np.float32)
    for j in range(len(dout) - 1, -1, -1):
        st = _state_step(ds, dy[j:j + 1], _step_factors(c, w, slice(j, j + 1)))
        norms[j] = np.sqrt(np.vdot(st.ds, st.ds))
        dvh[j] += st.dvh[0]
        drh[j] += st.drh[0]
        dk2h[j] += st.dk2h[0]
        dah[j], dkk[j], dw[j] = st.dah[0], st.dkk[0], st.dw[0]
        ds = st.ds_prev
    dx, dlast, dvf = _in_side(dout.shape, (dg, dvh, drh, dk2h, dah, dkk, dw), dv_first, c, w)
    return dx, dlast, norms, dvf


def _out_side(dout: F32, c: AttCache, w: dict[str, F32]
              ) -> tuple[F32, F32, F32, F32, F32]:
    """Through Wo, the gate, the bonus term and the GroupNorm (independent per step).
    Returns (dg (N, C), and per head (N, H, N): dv, dr, dk', dy with y = S' r)."""
    h = w["r_k"].shape[0]
    dyg = dout @ w["output.weight"]
    dg = dyg * c.y2
    dy2 = _heads(dyg * c.g, h)
    vh, rh, k2h = _heads(c.v, h), _heads(c.r, h), _heads(c.k2, h)
    dbon = (dy2 * vh).sum(-1, keepdims=True)
    return (dg, dy2 * c.bonus, dbon * k2h * w["r_k"], dbon * rh * w["r_k"],
            layer_norm_backward(dy2, c.gn))


class _Factors(NamedTuple):
    """One step's per-head factors (1, H, N) or (1, H, N, N) for the state backward."""

    r: F32
    k2: F32
    v: F32
    a: F32
    w: F32
    kk: F32
    s_old: F32
    s_new: F32
    skk: F32


def _step_factors(c: AttCache, w: dict[str, F32], sl: slice) -> _Factors:
    h = w["r_k"].shape[0]
    return _Factors(_heads(c.r[sl], h), _heads(c.k2[sl], h), _heads(c.v[sl], h),
                    _heads(c.a[sl], h), _heads(c.w[sl], h), c.kk[sl], c.s_old[sl],
                    c.s_new[sl], c.skk[sl])


class _StateGrads(NamedTuple):
    ds_prev: F32
    ds: F32
    drh: F32
    dw: F32
    dah: F32
    dkk: F32
    dvh: F32
    dk2h: F32


def _state_step(ds_new: F32, dy: F32, f: _Factors) -> _StateGrads:
    """Backward of S' = S diag(w) - (S kk) b^T + v k'^T (b = kk a) and y = S' r, for N rows
    against one step's factors. ds_new (N, H, N, N) from the future, dy (N, H, N)."""
    n = ds_new.shape[0]
    ds = ds_new + dy[..., None] * f.r[:, :, None, :]
    drh = np.einsum("bhij,nhi->nhj", f.s_new, dy)
    b = f.kk * f.a
    dsb = np.einsum("nhij,bhj->nhi", ds, b)
    ds_prev = ds * f.w[:, :, None, :] - dsb[..., None] * f.kk[:, :, None, :]
    dw = np.einsum("nhij,bhij->nhj", ds, f.s_old).reshape(n, -1)
    db = -np.einsum("nhij,bhi->nhj", ds, f.skk)
    dkk = -np.einsum("bhij,nhi->nhj", f.s_old, dsb) + db * f.a
    dvh = np.einsum("nhij,bhj->nhi", ds, f.k2)
    dk2h = np.einsum("nhij,bhi->nhj", ds, f.v)
    return _StateGrads(ds_prev.astype(np.float32), ds, drh, dw, db * f.kk, dkk, dvh, dk2h)


def _in_side(shape: tuple[int, ...], grads: tuple[F32, ...], dv_first: F32 | None,
             c: AttCache, w: dict[str, F32]) -> tuple[F32, F32, F32]:
    """From the per-step gradients of g, v', r, k', a, kk, w to the layer's input and shift:
    (dx, dlast, this layer's share of d v_first)."""
    dg, dvh, drh, dk2h, dah, dkk, dw = grads
    n = shape[0]
    dk2, dv, da = dk2h.reshape(n, -1), dvh.reshape(n, -1), dah.reshape(n, -1)
    dk = dk2 * (1.0 + (c.a - 1.0) * w["k_a"])
    da = da + dk2 * c.k * w["k_a"]
    dq = (dkk - c.kk * (c.kk * dkk).sum(-1, keepdims=True)) / c.nrm
    dk = dk + dq.reshape(n, -1) * w["k_k"]
    dxs = _mix_grads(shape, dg, da, dw, dk, drh.reshape(n, -1), c, w)
    if c.nu is None:  # layer 0: v is v_first, which the layers above also read
        dv_raw = dv if dv_first is None else dv + dv_first
        dvf = np.zeros_like(dv)
    else:
        dv_raw, dvf = dv * (1.0 - c.nu), dv * c.nu
        dzv = (dv * (c.v_first - c.v_raw) * c.nu * (1.0 - c.nu)) @ w["v2"].T
        dxs["x_v"] += dzv @ w["v1"].T
    dxs["x_v"] += dv_raw @ w["value.weight"]
    dx = np.zeros(shape, np.float32)
    dlast = np.zeros(shape, np.float32)
    for m in MIX_NAMES:
        dx += dxs[m] * (1.0 - w[m])
        dlast += dxs[m] * w[m]
    return dx, dlast, dvf


def _mix_grads(shape: tuple[int, ...], dg: F32, da: F32, dw: F32, dk: F32, dr: F32,
               c: AttCache, w: dict[str, F32]) -> dict[str, F32]:
    """Gradients w.r.t. the six shifted inputs x_r..x_g (x_v without the value path)."""
    dsw = dw * c.w * (-DECAY_SCALE) * c.sw * (1.0 - c.sw)
    dxw = ((dsw @ w["w2"].T) * (1.0 - c.zw * c.zw)) @ w["w1"].T
    dxa = ((da * c.a * (1.0 - c.a)) @ w["a2"].T) @ w["a1"].T
    dxg = ((dg @ w["g2"].T) * c.zg * (1.0 - c.zg)) @ w["g1"].T
    return {"x_r": dr @ w["receptance.weight"], "x_w": dxw, "x_k": dk @ w["key.weight"],
            "x_v": np.zeros(shape, np.float32), "x_a": dxa, "x_g": dxg}


def empty_state(batch: int, heads: int, size: int) -> F32:
    """(B, H, N, N) zeros."""
    return np.zeros((batch, heads, size, size), np.float32)
