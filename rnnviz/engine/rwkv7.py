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
    h = w["r_k"].shape[0]
    n = dout.shape[0]
    dyg = dout @ w["output.weight"]
    dg = dyg * c.y2
    dy2 = _heads(dyg * c.g, h)
    vh, rh, k2h = _heads(c.v, h), _heads(c.r, h), _heads(c.k2, h)
    dvh = dy2 * c.bonus
    dbon = (dy2 * vh).sum(-1, keepdims=True)
    drh = dbon * k2h * w["r_k"]
    dk2h = dbon * rh * w["r_k"]
    dy = layer_norm_backward(dy2, c.gn)
    ds = ds_new + dy[..., None] * rh[:, :, None, :]
    drh = drh + np.einsum("bhij,nhi->nhj", c.s_new, dy)
    # S' = S diag(w) - (S kk) b^T + v k'^T, b = kk * a
    ah = _heads(c.a, h)
    b = c.kk * ah
    dsb = np.einsum("nhij,bhj->nhi", ds, b)
    ds_prev = ds * _heads(c.w, h)[:, :, None, :] - dsb[..., None] * c.kk[:, :, None, :]
    dw = np.einsum("nhij,bhij->nhj", ds, c.s_old).reshape(n, -1)
    db = -np.einsum("nhij,bhi->nhj", ds, c.skk)
    dkk = -np.einsum("bhij,nhi->nhj", c.s_old, dsb) + db * ah
    dah = db * c.kk
    dvh = dvh + np.einsum("nhij,bhj->nhi", ds, k2h)
    dk2h = dk2h + np.einsum("nhij,bhi->nhj", ds, vh)
    dk2, dv, da = dk2h.reshape(n, -1), dvh.reshape(n, -1), dah.reshape(n, -1)
    dk = dk2 * (1.0 + (c.a - 1.0) * w["k_a"])
    da = da + dk2 * c.k * w["k_a"]
    dq = (dkk - c.kk * (c.kk * dkk).sum(-1, keepdims=True)) / c.nrm
    dk = dk + dq.reshape(n, -1) * w["k_k"]
    dxs = _mix_grads(dout.shape, dg, da, dw, dk, drh.reshape(n, -1), c, w)
    if c.nu is None:  # layer 0: v is v_first, which the layers above also read
        dv_raw = dv if dv_first is None else dv + dv_first
        dvf = np.zeros_like(dv)
    else:
        dv_raw, dvf = dv * (1.0 - c.nu), dv * c.nu
        dzv = (dv * (c.v_first - c.v_raw) * c.nu * (1.0 - c.nu)) @ w["v2"].T
        dxs["x_v"] += dzv @ w["v1"].T
    dxs["x_v"] += dv_raw @ w["value.weight"]
    dx = np.zeros_like(dout)
    dlast = np.zeros_like(dout)
    for m in MIX_NAMES:
        dx += dxs[m] * (1.0 - w[m])
        dlast += dxs[m] * w[m]
    return dx, dlast, ds_prev.astype(np.float32), dvf, ds


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
