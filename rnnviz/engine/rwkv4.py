"""RWKV-4 time mixing with the numerically stable WKV (running maximum p), forward and backward.

State per layer: the WKV numerator a, denominator b and exponent p, each (B, C): the true
sums are a * e^p and b * e^p. With w = -exp(time_decay), u = time_first:

    wkv_t = (e^p a + e^(u + k) v) / (e^p b + e^(u + k))
    a' e^p' = e^(p + w) a + e^k v,   b' e^p' = e^(p + w) b + e^k,   p' = max(p + w, k)
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnnviz.engine.cells import sigmoid
from rnnviz.engine.rwkv_ops import shift_mix
from rnnviz.engine.rwkv_params import F32

P_INIT = -1e30  # p of the empty state (e^p = 0)


class AttCache(NamedTuple):
    """One step's time-mixing factors (B, C each)."""

    x: F32
    last: F32
    k: F32
    v: F32
    r: F32
    wkv: F32
    e1: F32  # e^(p - q), q = max(p, u + k)
    e2: F32  # e^(u + k - q)
    den: F32
    a: F32  # the state before the step
    b: F32
    f1: F32  # e^(p + w - q2), q2 = max(p + w, k)
    f2: F32  # e^(k - q2)
    a_new: F32
    b_new: F32
    sel: F32  # 1 where p + w >= k (q2 = p + w), else 0


def att_forward(x: F32, last: F32, state: F32, w: dict[str, F32]) -> tuple[F32, F32, AttCache]:
    """x, last: (B, C); state (B, 3, C) = a, b, p; w: the layer's att tensors by short name.
    Returns (output (B, C), new state (B, 3, C), cache)."""
    a, b, p = state[:, 0], state[:, 1], state[:, 2]
    k = shift_mix(x, last, w["time_mix_k"]) @ w["key.weight"].T
    v = shift_mix(x, last, w["time_mix_v"]) @ w["value.weight"].T
    r = sigmoid(shift_mix(x, last, w["time_mix_r"]) @ w["receptance.weight"].T)
    uk = w["time_first"] + k
    q = np.maximum(p, uk)
    e1, e2 = np.exp(p - q), np.exp(uk - q)
    den = e1 * b + e2
    wkv = (e1 * a + e2 * v) / den
    pw = p + w["decay"]
    q2 = np.maximum(pw, k)
    f1, f2 = np.exp(pw - q2), np.exp(k - q2)
    a_new, b_new = f1 * a + f2 * v, f1 * b + f2
    out: F32 = (r * wkv) @ w["output.weight"].T
    sel = (pw >= k).astype(np.float32)
    cache = AttCache(x, last, k, v, r, wkv, e1, e2, den, a, b, f1, f2, a_new, b_new, sel)
    return out, np.stack([a_new, b_new, q2], axis=1), cache


def att_backward(dout: F32, dstate: F32, c: AttCache, w: dict[str, F32]
                 ) -> tuple[F32, F32, F32]:
    """dout (N, C), dstate (N, 3, C) w.r.t. the new (a, b, p) -> (dx, dlast, dstate_prev)."""
    g, dzr = _out_side(dout, c, w)
    dk, dv, dprev = _wkv_step(g, dstate, c)
    dx, dlast = _in_side(dk, dv, dzr, w)
    return dx, dlast, dprev


def att_chain(dout: F32, c: AttCache, w: dict[str, F32]) -> tuple[F32, F32, F32]:
    """One target's gradient through the layer's time mixing over S steps at once.
    dout (S, C) for steps s_lo..t; c: the steps' caches stacked (S, C).
    Returns (dx (S, C), dlast (S, C), ||d l / d state_s|| (S,)); the weights are read once."""
    g, dzr = _out_side(dout, c, w)
    dk, dv = np.empty_like(g), np.empty_like(g)
    norms = np.empty(len(g), np.float32)
    dstate = np.zeros((1, 3, g.shape[1]), np.float32)
    for j in range(len(g) - 1, -1, -1):
        norms[j] = np.sqrt(np.vdot(dstate, dstate))
        cj = AttCache(*(f[j:j + 1] for f in c))
        dk[j:j + 1], dv[j:j + 1], dstate = _wkv_step(g[j:j + 1], dstate, cj)
    dx, dlast = _in_side(dk, dv, dzr, w)
    return dx, dlast, norms


def _out_side(dout: F32, c: AttCache, w: dict[str, F32]) -> tuple[F32, F32]:
    """Through the output projection and the receptance: (d wkv / den, d pre-sigmoid r)."""
    drwkv = dout @ w["output.weight"]
    dzr = drwkv * c.wkv * c.r * (1.0 - c.r)
    return drwkv * c.r / c.den, dzr


def _wkv_step(g: F32, dstate: F32, c: AttCache) -> tuple[F32, F32, F32]:
    """Elementwise backward of one WKV step. g = dwkv / den (N, C); dstate (N, 3, C) w.r.t. the
    new (a, b, p). Returns (dk, dv, dstate_prev)."""
    da_n, db_n, dp_n = dstate[:, 0], dstate[:, 1], dstate[:, 2]
    # wkv = (e1 a + e2 v) / den: exact derivatives of the smooth ratio
    da = g * c.e1 + da_n * c.f1
    db = -g * c.wkv * c.e1 + db_n * c.f1
    dv = g * c.e2 + da_n * c.f2
    dk = g * c.e2 * (c.v - c.wkv)  # via u + k
    dp = g * c.e1 * (c.a - c.wkv * c.b)
    # new state through q2 = max(p + w, k): d/d(p+w) and d/dk of a', b', p'
    dpw = da_n * (c.f1 * c.a - c.a_new * c.sel) + db_n * (c.f1 * c.b - c.b_new * c.sel) \
        + dp_n * c.sel
    nsel = 1.0 - c.sel
    dk += da_n * (c.f2 * c.v - c.a_new * nsel) + db_n * (c.f2 - c.b_new * nsel) + dp_n * nsel
    dp += dpw
    return dk, dv, np.stack([da, db, dp], axis=1)


def _in_side(dk: F32, dv: F32, dzr: F32, w: dict[str, F32]) -> tuple[F32, F32]:
    """Through the key, value and receptance projections and the token shift: (dx, dlast)."""
    dxk = dk @ w["key.weight"]
    dxv = dv @ w["value.weight"]
    dxr = dzr @ w["receptance.weight"]
    mk, mv, mr = w["time_mix_k"], w["time_mix_v"], w["time_mix_r"]
    dx = dxk * mk + dxv * mv + dxr * mr
    dlast = dxk * (1.0 - mk) + dxv * (1.0 - mv) + dxr * (1.0 - mr)
    return dx, dlast


def empty_state(batch: int, width: int) -> F32:
    """(B, 3, C): a = b = 0, p = -1e30."""
    s = np.zeros((batch, 3, width), np.float32)
    s[:, 2] = P_INIT
    return s
