"""A float64 torch RWKV-4/RWKV-7 in the recurrent form, written from the published equations,
as the tests' reference: autograd gives every gradient the engine computes by hand."""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import Tensor
from torch.nn import functional as F


def tensors(arrays: dict[str, np.ndarray]) -> dict[str, Tensor]:
    return {k: torch.tensor(np.asarray(v), dtype=torch.float64) for k, v in arrays.items()}


def ln(x: Tensor, z: dict[str, Tensor], name: str, eps: float = 1e-5) -> Tensor:
    return F.layer_norm(x, (x.shape[-1],), z[name + ".weight"], z[name + ".bias"], eps)


def att4(x: Tensor, last: Tensor, st: Tensor, z: dict[str, Tensor], b: str
         ) -> tuple[Tensor, Tensor]:
    """st (3, C) = a, b, p."""
    def mix(n: str) -> Tensor:
        m = z[b + "time_mix_" + n]
        return x * m + last * (1 - m)
    k = z[b + "key.weight"] @ mix("k")
    v = z[b + "value.weight"] @ mix("v")
    r = torch.sigmoid(z[b + "receptance.weight"] @ mix("r"))
    a, bb, p = st[0], st[1], st[2]
    uk = z[b + "time_first"] + k
    q = torch.maximum(p, uk)
    e1, e2 = torch.exp(p - q), torch.exp(uk - q)
    wkv = (e1 * a + e2 * v) / (e1 * bb + e2)
    pw = p - torch.exp(z[b + "time_decay"])
    q2 = torch.maximum(pw, k)
    f1, f2 = torch.exp(pw - q2), torch.exp(k - q2)
    new = torch.stack([f1 * a + f2 * v, f1 * bb + f2, q2])
    return z[b + "output.weight"] @ (r * wkv), new


def att7(x: Tensor, last: Tensor, s: Tensor, v_first: Tensor | None, z: dict[str, Tensor],
         b: str) -> tuple[Tensor, Tensor, Tensor]:
    """s (H, N, N)."""
    h, n = z[b + "r_k"].shape
    xx = last - x
    xr, xw, xk, xv, xa, xg = (x + xx * z[b + m] for m in ("x_r", "x_w", "x_k", "x_v", "x_a",
                                                          "x_g"))
    r = z[b + "receptance.weight"] @ xr
    w = torch.exp(-math.exp(-0.5) * torch.sigmoid(z[b + "w0"] + torch.tanh(xw @ z[b + "w1"])
                                                  @ z[b + "w2"]))
    k = z[b + "key.weight"] @ xk
    v = z[b + "value.weight"] @ xv
    a = torch.sigmoid(z[b + "a0"] + (xa @ z[b + "a1"]) @ z[b + "a2"])
    g = torch.sigmoid(xg @ z[b + "g1"]) @ z[b + "g2"]
    kk = F.normalize((k * z[b + "k_k"]).view(h, n), dim=-1, p=2.0, eps=1e-12)
    k = k * (1 + (a - 1) * z[b + "k_a"])
    if v_first is None:
        v_first = v
    else:
        v = v + (v_first - v) * torch.sigmoid(z[b + "v0"] + (xv @ z[b + "v1"]) @ z[b + "v2"])
    vh, kh, rh, ah = v.view(h, n, 1), k.view(h, 1, n), r.view(h, n, 1), a.view(h, 1, n)
    s = s * w.view(h, 1, n) - (s @ kk.view(h, n, 1)) @ (kk.view(h, 1, n) * ah) + vh @ kh
    y = (s @ rh).view(1, h * n)
    y = F.group_norm(y, h, z[b + "ln_x.weight"], z[b + "ln_x.bias"], eps=64e-5).view(-1)
    y = y + ((r * k * z[b + "r_k"].reshape(-1)).view(h, n).sum(-1, keepdim=True)
             * v.view(h, n)).view(-1)
    return z[b + "output.weight"] @ (y * g), s, v_first


def ffn(x: Tensor, last: Tensor, z: dict[str, Tensor], b: str, v7: bool) -> Tensor:
    if v7:
        k = torch.relu(z[b + "key.weight"] @ (x + (last - x) * z[b + "x_k"])) ** 2
        return z[b + "value.weight"] @ k
    mk, mr = z[b + "time_mix_k"], z[b + "time_mix_r"]
    k = torch.relu(z[b + "key.weight"] @ (x * mk + last * (1 - mk))) ** 2
    r = torch.sigmoid(z[b + "receptance.weight"] @ (x * mr + last * (1 - mr)))
    return r * (z[b + "value.weight"] @ k)


class Trace:
    """Leaves per step: embeddings e[s] (C,), and the graph's block outputs xs[s][l] and states
    ss[s][l] (retained), logits[s] (V,)."""

    def __init__(self) -> None:
        self.e: list[Tensor] = []
        self.xs: list[list[Tensor]] = []
        self.ss: list[list[Tensor]] = []
        self.logits: list[Tensor] = []


def run(arrays: dict[str, np.ndarray], cell: str, ids: list[int],
        truncate: int | None = None) -> Trace:
    """Recurrent forward; with truncate K the whole state is detached every K steps."""
    z = tensors(arrays)
    v7 = cell == "rwkv7"
    n_layer = sum(1 for k in z if k.endswith(".ln1.weight"))
    c = z["emb.weight"].shape[1]
    shift = [[torch.zeros(c, dtype=torch.float64)] * 2 for _ in range(n_layer)]
    if v7:
        h, n = z["blocks.0.att.r_k"].shape
        wkv = [torch.zeros(h, n, n, dtype=torch.float64) for _ in range(n_layer)]
    else:
        init = torch.zeros(3, c, dtype=torch.float64)
        init[2] = -1e30
        wkv = [init.clone() for _ in range(n_layer)]
    tr = Trace()
    for s, t in enumerate(ids):
        if truncate and s % truncate == 0:
            shift = [[a.detach() for a in pair] for pair in shift]
            wkv = [w.detach() for w in wkv]
        e = z["emb.weight"][t].clone().requires_grad_(True)
        tr.e.append(e)
        x = ln(e, z, "blocks.0.ln0")
        v_first = None
        xs_s, ss_s = [], []
        for i in range(n_layer):
            b = f"blocks.{i}."
            xa = ln(x, z, b + "ln1")
            if v7:
                out, wkv[i], v_first = att7(xa, shift[i][0], wkv[i], v_first, z, b + "att.")
            else:
                out, wkv[i] = att4(xa, shift[i][0], wkv[i], z, b + "att.")
            x = x + out
            xf = ln(x, z, b + "ln2")
            x = x + ffn(xf, shift[i][1], z, b + "ffn.", v7)
            shift[i] = [xa, xf]
            x.retain_grad()
            wkv[i].retain_grad()
            xs_s.append(x)
            ss_s.append(wkv[i])
        tr.xs.append(xs_s)
        tr.ss.append(ss_s)
        tr.logits.append(z["head.weight"] @ ln(x, z, "ln_out"))
    return tr


def grad_norms(tr: Trace, t: int, target: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """||d l_t / d x_s^(l)||, ||d l_t / d S_s^(l)||, ||d l_t / d e_s|| for s <= t:
    (L, t+1), (L, t+1), (t+1,)."""
    loss = -torch.log_softmax(tr.logits[t], -1)[target]
    n_layer = len(tr.xs[0])
    xs = [tr.xs[s][k] for s in range(t + 1) for k in range(n_layer)]
    ss = [tr.ss[s][k] for s in range(t + 1) for k in range(n_layer)]
    grads = torch.autograd.grad(loss, xs + ss + tr.e[: t + 1], retain_graph=True,
                                allow_unused=True)

    def nrm(g: Tensor | None) -> float:
        return 0.0 if g is None else float(g.norm())

    m = len(xs)
    gh = np.array([nrm(g) for g in grads[:m]]).reshape(t + 1, n_layer).T
    gc = np.array([nrm(g) for g in grads[m:2 * m]]).reshape(t + 1, n_layer).T
    ge = np.array([nrm(g) for g in grads[2 * m:]])
    return gh, gc, ge
