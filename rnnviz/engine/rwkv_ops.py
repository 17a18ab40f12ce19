"""Shared pieces of the RWKV blocks: layer norm, token shift, squared-ReLU channel mixing.

Forward functions take a batch (B, C) and return a cache; backward functions take a gradient
batch (N, C) against a cache of batch 1 (or B = N) and return gradients w.r.t. the inputs.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnnviz.engine.cells import sigmoid
from rnnviz.engine.rwkv_params import F32

LN_EPS = 1e-5


class NormCache(NamedTuple):
    """xhat (B, C) normalised input; rstd (B, 1) = 1/sqrt(var + eps); w (C,) the scale."""

    xhat: F32
    rstd: F32
    w: F32


def layer_norm(x: F32, w: F32, b: F32, eps: float = LN_EPS) -> tuple[F32, NormCache]:
    """LayerNorm over the last axis. x (..., C) -> (..., C)."""
    mu = x.mean(axis=-1, keepdims=True)
    xc = x - mu
    rstd = (1.0 / np.sqrt((xc * xc).mean(axis=-1, keepdims=True) + np.float32(eps))).astype(
        np.float32)
    xhat = xc * rstd
    return xhat * w + b, NormCache(xhat, rstd, w)


def layer_norm_backward(dy: F32, cache: NormCache) -> F32:
    """d LayerNorm: dy (N, ..., C) -> dx, same shape."""
    g = dy * cache.w
    gm = g.mean(axis=-1, keepdims=True)
    gx = (g * cache.xhat).mean(axis=-1, keepdims=True)
    out: F32 = (g - gm - cache.xhat * gx) * cache.rstd
    return out


def shift_mix(x: F32, last: F32, mix: F32) -> F32:
    """Token shift as RWKV writes it: x * mix + last * (1 - mix) = x + (last - x) * (1 - mix)."""
    out: F32 = x * mix + last * (1.0 - mix)
    return out


def relu_sq(x: F32) -> tuple[F32, F32]:
    """relu(x)^2 and its derivative 2 relu(x)."""
    r = np.maximum(x, np.float32(0.0))
    return r * r, r + r


class FfnCache(NamedTuple):
    """Channel mixing of one step: k2 = relu(k)^2, dk2 = 2 relu(k), r = sigmoid gate or None,
    kv = Wv k2 (B, C)."""

    k2: F32
    dk2: F32
    r: F32 | None
    kv: F32


def ffn_forward(x: F32, last: F32, w: dict[str, F32], v7: bool) -> tuple[F32, FfnCache]:
    """RWKV-4: sigmoid(Wr xr) * Wv relu(Wk xk)^2. RWKV-7: Wv relu(Wk xk)^2 (no gate).
    x, last: (B, C); w: the layer's ffn tensors by short name."""
    xk = x + (last - x) * w["x_k"] if v7 else shift_mix(x, last, w["time_mix_k"])
    k2, dk2 = relu_sq(xk @ w["key.weight"].T)
    kv: F32 = k2 @ w["value.weight"].T
    if v7:
        return kv, FfnCache(k2, dk2, None, kv)
    r = sigmoid(shift_mix(x, last, w["time_mix_r"]) @ w["receptance.weight"].T)
    return r * kv, FfnCache(k2, dk2, r, kv)


def ffn_backward(dout: F32, c: FfnCache, w: dict[str, F32], v7: bool) -> tuple[F32, F32]:
    """dout (N, C) -> (dx, dlast), each (N, C)."""
    if c.r is None:
        dkv = dout
        dx = np.zeros_like(dout)
        dlast = np.zeros_like(dout)
    else:
        dkv = dout * c.r
        dzr = dout * c.kv * c.r * (1.0 - c.r)
        dxr = dzr @ w["receptance.weight"]
        mr = w["time_mix_r"]
        dx, dlast = dxr * mr, dxr * (1.0 - mr)
    dxk = ((dkv @ w["value.weight"]) * c.dk2) @ w["key.weight"]
    mk = w["x_k"] if v7 else 1.0 - w["time_mix_k"]  # the weight of `last`
    dx += dxk * (1.0 - mk)
    dlast += dxk * mk
    return dx, dlast
