"""Torch references for bidirectional networks and SampleRNN classifiers (float64 autograd).

``module`` builds torch's own nn.RNN/LSTM/GRU(bidirectional=True); ``unrolled`` rebuilds the
same network from nn.*Cell modules step by step so that autograd can reach every layer's and
direction's state (the fused module only returns the top layer). Tests check the unrolled
network against the module, then the engine against both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from rnnviz.engine.bidir_params import BiParams, bidir_named_arrays
from rnnviz.engine.params import ModelParams, named_arrays

T64 = torch.float64


def module(p: BiParams | ModelParams, batch_first: bool = False) -> torch.nn.RNNBase:
    """nn.RNN/LSTM/GRU with p's recurrent weights, float64."""
    bi = isinstance(p, BiParams)
    d, h, n = p.embedding_size, p.hidden_size, p.num_layers
    kw = {"bidirectional": bi, "batch_first": batch_first}
    if p.cell == "lstm":
        mod: torch.nn.RNNBase = torch.nn.LSTM(d, h, n, **kw)
    elif p.cell == "gru":
        mod = torch.nn.GRU(d, h, n, **kw)
    else:
        mod = torch.nn.RNN(d, h, n, nonlinearity=p.cell[4:], **kw)
    arrays = bidir_named_arrays(p) if bi else named_arrays(p)  # type: ignore[arg-type]
    state = {k[4:]: torch.from_numpy(v.astype(np.float64)) for k, v in arrays.items()
             if k.startswith("rnn.")}
    mod.double().load_state_dict(state)
    return mod


def _cell(p: BiParams, k: int, rev: bool) -> torch.nn.Module:
    layer = (p.reverse if rev else p.forward)[k]
    cls = {"lstm": torch.nn.LSTMCell, "gru": torch.nn.GRUCell}.get(p.cell, torch.nn.RNNCell)
    kw = {"nonlinearity": p.cell[4:]} if cls is torch.nn.RNNCell else {}
    cell = cls(layer.input_size, layer.hidden_size, **kw).double()
    cell.load_state_dict({n: torch.from_numpy(v.astype(np.float64)) for n, v in
                          (("weight_ih", layer.w_ih), ("weight_hh", layer.w_hh),
                           ("bias_ih", layer.b_ih), ("bias_hh", layer.b_hh))})
    return cell


def gates(cell: str, layer_w: dict[str, torch.Tensor], x: torch.Tensor, h: torch.Tensor
          ) -> dict[str, torch.Tensor]:
    """Gate activations from torch's documented equations."""
    gi = x @ layer_w["weight_ih"].T + layer_w["bias_ih"]
    gh = h @ layer_w["weight_hh"].T + layer_w["bias_hh"]
    if cell == "lstm":
        i, f, g, o = (gi + gh).chunk(4, -1)
        return {"i": i.sigmoid(), "f": f.sigmoid(), "g": g.tanh(), "o": o.sigmoid()}
    if cell == "gru":
        ir, iz, inn = gi.chunk(3, -1)
        hr, hz, hn = gh.chunk(3, -1)
        r = (ir + hr).sigmoid()
        return {"r": r, "z": (iz + hz).sigmoid(), "n": (inn + r * hn).tanh()}
    return {}


@dataclass
class Unrolled:
    """xs[s]: the embedding row fed at s (a leaf); h[j][s], c[j][s]: displayed layer j's
    state at step s (j = 2k forward, 2k + 1 reverse); gates[name][j][s]."""

    xs: list[torch.Tensor]
    h: list[list[torch.Tensor]]
    c: list[list[torch.Tensor]]
    gates: dict[str, list[list[np.ndarray]]]

    def top(self, s: int) -> torch.Tensor:
        return torch.cat((self.h[-2][s], self.h[-1][s]), -1)


def _direction(p: BiParams, k: int, rev: bool, xs: list[torch.Tensor], truncate: int | None,
               g_out: dict[str, list[np.ndarray]]) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    cell = _cell(p, k, rev)
    w = {n: t.detach() for n, t in cell.state_dict().items()}
    t_len, zero = len(xs), torch.zeros(1, p.hidden_size, dtype=T64)
    hs: list[torch.Tensor] = [zero] * t_len
    cs: list[torch.Tensor] = [zero] * t_len
    h, c = zero, zero
    for s in (range(t_len - 1, -1, -1) if rev else range(t_len)):
        edge = bool(truncate) and (s + (1 if rev else 0)) % (truncate or 1) == 0
        if edge:  # the link into step s crosses a block edge: cut it
            h, c = h.detach(), c.detach()
        for name, v in gates(p.cell, w, xs[s].detach(), h.detach()).items():
            g_out.setdefault(name, [np.zeros(0)] * t_len)[s] = v[0].detach().numpy()
        if p.cell == "lstm":
            h, c = cell(xs[s], (h, c))
        else:
            h = cell(xs[s], h)
        hs[s], cs[s] = h, c
    return hs, cs


def unrolled(p: BiParams, ids: list[int], truncate: int | None = None) -> Unrolled:
    """The network in float64 from nn.*Cell steps; recurrent links across truncation block
    edges (multiples of K) detached in both directions."""
    emb = torch.from_numpy(p.embedding.astype(np.float64))
    xs = [emb[i][None].clone().requires_grad_(True) for i in ids]
    inp = xs
    h_all: list[list[torch.Tensor]] = []
    c_all: list[list[torch.Tensor]] = []
    g_all: dict[str, list[list[np.ndarray]]] = {}
    for k in range(p.num_layers):
        outs = []
        for rev in (False, True):
            g: dict[str, list[np.ndarray]] = {}
            hs, cs = _direction(p, k, rev, inp, truncate, g)
            h_all.append(hs)
            c_all.append(cs)
            outs.append(hs)
            for name, v in g.items():
                g_all.setdefault(name, []).append(v)
        inp = [torch.cat((a, b), -1) for a, b in zip(*outs, strict=True)]
    return Unrolled(xs, h_all, c_all, g_all)


def grad_norms(u: Unrolled, loss: torch.Tensor, lstm: bool
               ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """||d loss / d h_s^(j)|| (J, T), same for c (LSTM) and the inputs (T,)."""
    n_j, t_len = len(u.h), len(u.xs)
    wrt = [u.h[j][s] for j in range(n_j) for s in range(t_len)] + list(u.xs)
    if lstm:
        wrt += [u.c[j][s] for j in range(n_j) for s in range(t_len)]
    grads = torch.autograd.grad(loss, wrt, allow_unused=True, retain_graph=True)
    norms = np.array([0.0 if g is None else float(g.norm()) for g in grads])
    m = n_j * t_len
    h = norms[:m].reshape(n_j, t_len)
    e = norms[m:m + t_len]
    c = norms[m + t_len:].reshape(n_j, t_len) if lstm else None
    return h, c, e


def to_numpy(rows: list[list[torch.Tensor]]) -> np.ndarray:
    """[j][s] tensors (1, H) -> (J, T, H)."""
    return np.stack([np.concatenate([t.detach().numpy() for t in r]) for r in rows])
