"""RWKV-4 and RWKV-7 in torch for training, with BlinkDL's tensor names.

RWKV-4 runs time-parallel: within a window of T tokens the WKV of every position is one
weighted sum over a (T+1) x (T+1) matrix of log-weights (the carried state is column 0), as
RWKV trains "like a Transformer". RWKV-7 runs as a plain scan over the window. The engine steps
the same model one token at a time; tests/train/test_rwkv_train.py checks both agree.

The hidden state crossing windows is one tensor (L, B, D): RWKV-4 D = 5C (att shift, a, b, p,
ffn shift); RWKV-7 D = 2C + C N (att shift, ffn shift, every head's S flattened).
"""

from __future__ import annotations

import math
from typing import cast

import numpy as np
import torch
from torch import Tensor, nn
from torch.nn import functional as F

from rnnviz.engine.rwkv_params import RwkvParams, squeeze_arrays

P_INIT = -1e30


def _ramp(c: int) -> Tensor:
    return torch.arange(c, dtype=torch.float32) / c


class Att4(nn.Module):
    """RWKV-4 time mixing, time-parallel over a window."""

    def __init__(self, c: int, layer: int, n_layer: int) -> None:
        super().__init__()
        r0 = layer / max(n_layer - 1, 1)
        r1 = 1.0 - layer / n_layer
        ddd = _ramp(c)
        h = torch.arange(c, dtype=torch.float32) / max(c - 1, 1)
        self.time_decay = nn.Parameter(-5 + 8 * h ** (0.7 + 1.3 * r0))
        zigzag = torch.tensor([(i + 1) % 3 - 1 for i in range(c)], dtype=torch.float32) * 0.5
        self.time_first = nn.Parameter(torch.full((c,), math.log(0.3)) + zigzag)
        self.time_mix_k = nn.Parameter((ddd ** r1).view(1, 1, c))
        self.time_mix_v = nn.Parameter((ddd ** r1 + 0.3 * r0).view(1, 1, c))
        self.time_mix_r = nn.Parameter((ddd ** (0.5 * r1)).view(1, 1, c))
        self.key = nn.Linear(c, c, bias=False)
        self.value = nn.Linear(c, c, bias=False)
        self.receptance = nn.Linear(c, c, bias=False)
        self.output = nn.Linear(c, c, bias=False)
        nn.init.zeros_(self.output.weight)

    def forward(self, x: Tensor, last: Tensor, st: Tensor) -> tuple[Tensor, Tensor]:
        """x (B, T, C); last (B, C); st (B, 3, C) = a, b, p. -> (out (B, T, C), new state)."""
        xs = torch.cat([last[:, None], x[:, :-1]], dim=1)
        k = self.key(xs + (x - xs) * self.time_mix_k)
        v = self.value(xs + (x - xs) * self.time_mix_v)
        r = torch.sigmoid(self.receptance(xs + (x - xs) * self.time_mix_r))
        wkv, new = wkv4_parallel(k, v, -torch.exp(self.time_decay), self.time_first, st)
        return self.output(r * wkv), new


def wkv4_parallel(k: Tensor, v: Tensor, w: Tensor, u: Tensor, st: Tensor) -> tuple[Tensor, Tensor]:
    """WKV of a window. k, v (B, T, C); w, u (C,); st (B, 3, C).
    Row t < T of the log-weight matrix gives wkv_t; row T gives the state after the window."""
    t_len = k.shape[1]
    rows = torch.arange(t_len + 1, device=k.device)
    cols = torch.arange(t_len, device=k.device)
    dist = (rows[:, None] - 1 - cols[None, :]).to(k.dtype)  # (T+1, T): t - 1 - i
    lk = dist[None, :, :, None] * w + k[:, None, :, :]  # (B, T+1, T, C)
    diag = rows[:, None] == cols[None, :]
    lk = torch.where(diag[None, :, :, None], (u + k)[:, None, :, :].expand_as(lk), lk)
    lk = lk.masked_fill((dist < 0)[None, :, :, None] & ~diag[None, :, :, None], P_INIT)
    ls = rows.to(k.dtype)[None, :, None] * w + st[:, 2][:, None, :]  # (B, T+1, C)
    m = torch.maximum(lk.max(dim=2).values, ls).detach()  # (B, T+1, C)
    ek = torch.exp(lk - m[:, :, None])
    es = torch.exp(ls - m)
    num = es * st[:, 0][:, None] + (ek * v[:, None]).sum(2)
    den = es * st[:, 1][:, None] + ek.sum(2)
    wkv = num[:, :t_len] / den[:, :t_len]
    return wkv, torch.stack([num[:, t_len], den[:, t_len], m[:, t_len]], dim=1)


class Ffn(nn.Module):
    """Channel mixing; RWKV-4 has the receptance gate, RWKV-7 not."""

    def __init__(self, c: int, layer: int, n_layer: int, v7: bool, mult: int = 4) -> None:
        super().__init__()
        r1 = 1.0 - layer / n_layer
        ddd = _ramp(c).view(1, 1, c)
        self.v7 = v7
        if v7:
            self.x_k = nn.Parameter(1.0 - ddd ** (r1 ** 4))
        else:
            self.time_mix_k = nn.Parameter(ddd ** r1)
            self.time_mix_r = nn.Parameter(ddd ** r1)
            self.receptance = nn.Linear(c, c, bias=False)
        self.key = nn.Linear(c, c * mult, bias=False)
        self.value = nn.Linear(c * mult, c, bias=False)
        nn.init.zeros_(self.value.weight)

    def forward(self, x: Tensor, last: Tensor) -> Tensor:
        """x (B, T, C), last (B, C) -> (B, T, C)."""
        xs = torch.cat([last[:, None], x[:, :-1]], dim=1)
        if self.v7:
            return self.value(torch.relu(self.key(x + (xs - x) * self.x_k)) ** 2)
        k = torch.relu(self.key(xs + (x - xs) * self.time_mix_k)) ** 2
        return torch.sigmoid(self.receptance(xs + (x - xs) * self.time_mix_r)) * self.value(k)


class Att7(nn.Module):
    """RWKV-7 time mixing as a scan over the window."""

    def __init__(self, c: int, layer: int, n_layer: int, head: int, lora: int = 16) -> None:
        super().__init__()
        self.h, self.n, self.layer = c // head, head, layer
        r0, r1 = layer / max(n_layer - 1, 1), 1.0 - layer / n_layer
        ddd = _ramp(c).view(1, 1, c)
        for name, pw in (("x_r", 0.2), ("x_w", 0.9), ("x_k", 0.7), ("x_v", 0.7), ("x_a", 0.9),
                         ("x_g", 0.2)):
            setattr(self, name, nn.Parameter(1.0 - ddd ** (pw * r1)))
        n = torch.arange(c, dtype=torch.float32) / max(c - 1, 1)
        speed = -6 + 6 * n ** (1 + r0 ** 0.3)
        self.w0 = nn.Parameter((speed + 0.5).view(1, 1, c))
        self.a0 = nn.Parameter(torch.zeros(1, 1, c))
        if layer > 0:  # the value residual mixes in layer 0's v
            self.v0 = nn.Parameter(torch.ones(1, 1, c))
        for p in ("w", "a", "g") + (("v",) if layer > 0 else ()):
            setattr(self, p + "1", nn.Parameter(torch.zeros(c, lora)))
            setattr(self, p + "2", nn.Parameter(torch.randn(lora, c) * 0.1))
        self.k_k = nn.Parameter(torch.full((1, 1, c), 0.85))
        self.k_a = nn.Parameter(torch.ones(1, 1, c))
        self.r_k = nn.Parameter(torch.full((self.h, head), -0.04))
        self.key = nn.Linear(c, c, bias=False)
        self.value = nn.Linear(c, c, bias=False)
        self.receptance = nn.Linear(c, c, bias=False)
        self.output = nn.Linear(c, c, bias=False)
        self.ln_x = nn.GroupNorm(self.h, c, eps=64e-5)
        nn.init.zeros_(self.output.weight)

    def param(self, name: str) -> Tensor:
        out = getattr(self, name)
        assert isinstance(out, Tensor)
        return out

    def forward(self, x: Tensor, last: Tensor, s: Tensor, v_first: Tensor | None
                ) -> tuple[Tensor, Tensor, Tensor]:
        """x (B, T, C); last (B, C); s (B, H, N, N); v_first (B, T, C) or None in layer 0."""
        b, t_len, c = x.shape
        h, n, p = self.h, self.n, self.param
        xs = torch.cat([last[:, None], x[:, :-1]], dim=1)
        d = xs - x
        r = self.receptance(x + d * p("x_r"))
        w = torch.exp(-math.exp(-0.5) * torch.sigmoid(
            p("w0") + torch.tanh((x + d * p("x_w")) @ p("w1")) @ p("w2")))
        k = self.key(x + d * p("x_k"))
        xv = x + d * p("x_v")
        v = self.value(xv)
        a = torch.sigmoid(p("a0") + ((x + d * p("x_a")) @ p("a1")) @ p("a2"))
        g = torch.sigmoid((x + d * p("x_g")) @ p("g1")) @ p("g2")
        kk = F.normalize((k * p("k_k")).view(b, t_len, h, n), dim=-1, p=2.0, eps=1e-12)
        k = k * (1 + (a - 1) * p("k_a"))
        if v_first is None:
            v_first = v
        else:
            v = v + (v_first - v) * torch.sigmoid(p("v0") + (xv @ p("v1")) @ p("v2"))
        ys = []
        wh, kh, vh, rh = (z.view(b, t_len, h, n) for z in (w, k, v, r))
        ah = a.view(b, t_len, h, n)
        for t in range(t_len):
            skk = (s @ kk[:, t, :, :, None])  # (B, H, N, 1)
            s = (s * wh[:, t, :, None, :] - skk @ (kk[:, t] * ah[:, t])[:, :, None, :]
                 + vh[:, t, :, :, None] @ kh[:, t, :, None, :])
            ys.append((s @ rh[:, t, :, :, None])[..., 0])
        y = self.ln_x(torch.stack(ys, 1).reshape(b * t_len, c)).view(b, t_len, c)
        bonus = (r * k * self.r_k.reshape(-1)).view(b, t_len, h, n).sum(-1, keepdim=True)
        y = y + (bonus * v.view(b, t_len, h, n)).view(b, t_len, c)
        return self.output(y * g), s, v_first


class Block(nn.Module):
    def __init__(self, cell: str, c: int, layer: int, n_layer: int, head: int) -> None:
        super().__init__()
        self.v7 = cell == "rwkv7"
        if layer == 0:
            self.ln0 = nn.LayerNorm(c)
        self.att: Att4 | Att7
        self.ln1, self.ln2 = nn.LayerNorm(c), nn.LayerNorm(c)
        self.att = Att7(c, layer, n_layer, head) if self.v7 else Att4(c, layer, n_layer)
        self.ffn = Ffn(c, layer, n_layer, self.v7)


class RwkvModel(nn.Module):
    """emb -> LN0 -> blocks -> LN_out -> head, BlinkDL names; the trainer's RNNModel interface:
    forward(ids (T, B), hidden) -> (logits (T, B, V), hidden (L, B, D))."""

    def __init__(self, cell: str, vocab: int, hidden: int, layers: int, dropout: float = 0.0,
                 tied: bool = False, head_size: int = 16) -> None:
        super().__init__()
        if cell == "rwkv7" and hidden % head_size:
            raise ValueError(f"--hidden {hidden} is not a multiple of the head size {head_size}")
        self.cell, self.hidden_size, self.num_layers = cell, hidden, layers
        self.head_size = head_size if cell == "rwkv7" else 1
        self.emb = nn.Embedding(vocab, hidden)
        nn.init.uniform_(self.emb.weight, -0.1, 0.1)
        self.blocks = nn.ModuleList(Block(cell, hidden, i, layers, head_size)
                                    for i in range(layers))
        self.ln_out = nn.LayerNorm(hidden)
        self.head = nn.Linear(hidden, vocab, bias=False)
        if tied:
            self.head.weight = self.emb.weight
        self.drop = nn.Dropout(dropout)

    @property
    def state_width(self) -> int:
        c = self.hidden_size
        return 2 * c + c * self.head_size if self.cell == "rwkv7" else 5 * c

    def init_hidden(self, batch: int) -> Tensor:
        """The empty state (L, B, D) (p = -1e30 for RWKV-4)."""
        w = self.head.weight
        z = w.new_zeros(self.num_layers, batch, self.state_width)
        if self.cell == "rwkv4":
            c = self.hidden_size
            z[:, :, 3 * c:4 * c] = P_INIT
        return z

    def forward(self, ids: Tensor, hidden: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """ids (T, B) -> logits (T, B, V), new hidden (L, B, D)."""
        b = ids.shape[1]
        c = self.hidden_size
        hidden = self.init_hidden(b) if hidden is None else hidden
        blocks = cast(list[Block], list(self.blocks))
        x = blocks[0].ln0(self.emb(ids.T))  # (B, T, C)
        states, v_first = [], None
        for i, blk in enumerate(blocks):
            st = hidden[i]
            xa = blk.ln1(x)
            if blk.v7:
                s = st[:, 2 * c:].view(b, c // self.head_size, self.head_size, self.head_size)
                out, s, v_first = blk.att(xa, st[:, :c], s, v_first)
                wkv = s.reshape(b, -1)
            else:
                out, new = blk.att(xa, st[:, :c], st[:, c:4 * c].view(b, 3, c))
                wkv = new.reshape(b, 3 * c)
            x = x + self.drop(out)
            xf = blk.ln2(x)
            ffn_last = st[:, c:2 * c] if blk.v7 else st[:, 4 * c:]
            x = x + self.drop(blk.ffn(xf, ffn_last))
            parts = [xa[:, -1], xf[:, -1], wkv] if blk.v7 else [xa[:, -1], wkv, xf[:, -1]]
            states.append(torch.cat(parts, dim=1))
        logits = self.head(self.drop(self.ln_out(x)))
        return logits.transpose(0, 1), torch.stack(states)


def to_rwkv_params(model: RwkvModel) -> RwkvParams:
    """The engine's parameters (float32 copies, BlinkDL names) from a trained model."""
    arrays = {k: v.detach().cpu().numpy().astype(np.float32, copy=True)
              for k, v in model.state_dict().items()}
    for name in [k for k in arrays if k.endswith(".ln_x.weight") or k.endswith(".ln_x.bias")]:
        arrays[name] = arrays[name].reshape(-1)
    return RwkvParams(model.cell, squeeze_arrays(arrays))
