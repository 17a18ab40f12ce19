"""Reference for intervened runs: unrolled torch cells (float64 autograd) whose state is edited
in place after each cell update, unit by unit, straight from the list of edits."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from rnnviz.engine.intervention import Intervention, UnitEdit
from rnnviz.engine.params import ModelParams, named_arrays


@dataclass
class IntervenedRef:
    logits: np.ndarray  # (T, V)
    h: np.ndarray  # (L, T, H) after the edits
    c: np.ndarray | None
    grad_h: np.ndarray  # (L, T, T): || d l_t / d h~_s || (cell output before the edit)
    grad_c: np.ndarray | None
    grad_in: np.ndarray  # (T, T)


def _cells(p: ModelParams) -> list[torch.nn.Module]:
    arrays = named_arrays(p)
    cls = {"lstm": torch.nn.LSTMCell, "gru": torch.nn.GRUCell}.get(p.cell, torch.nn.RNNCell)
    out = []
    for k in range(p.num_layers):
        n_in = p.embedding_size if k == 0 else p.hidden_size
        kw = {} if cls is not torch.nn.RNNCell else {"nonlinearity": p.cell[4:]}
        cell = cls(n_in, p.hidden_size, **kw).double()
        cell.load_state_dict({n: torch.from_numpy(arrays[f"rnn.{n}_l{k}"].astype(np.float64))
                              for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")})
        out.append(cell)
    return out


def _edit_unit(x: torch.Tensor, e: UnitEdit) -> torch.Tensor:
    x = x.clone()
    if e.op == "ablate":
        x[:, e.unit] = 0.0
    elif e.op == "clamp":
        x[:, e.unit] = e.value
    else:
        x[:, e.unit] = x[:, e.unit] * e.value
    return x


def _edited(h: torch.Tensor, c: torch.Tensor | None, iv: Intervention, k: int,
            s: int) -> tuple[torch.Tensor, torch.Tensor | None]:
    for e in iv.edits:
        hit = e.layer == k and (s == e.step if e.only else s >= e.step)
        if hit and e.state in ("h", "both"):
            h = _edit_unit(h, e)
        if hit and c is not None and e.state in ("c", "both"):
            c = _edit_unit(c, e)
    if any(r.layer == k and r.step == s for r in iv.resets):
        h = torch.zeros_like(h)
        c = None if c is None else torch.zeros_like(c)
    return h, c


def intervened_reference(p: ModelParams, ids: list[int], targets: list[int],
                         iv: Intervention) -> IntervenedRef:
    torch.set_grad_enabled(True)
    cells, lstm, n_layers, t_len = _cells(p), p.cell == "lstm", p.num_layers, len(ids)
    emb = torch.from_numpy(p.embedding.astype(np.float64))
    dec_w = torch.from_numpy(p.decoder_w.astype(np.float64))
    dec_b = torch.from_numpy(p.decoder_b.astype(np.float64))
    xs = [emb[i].clone().requires_grad_(True) for i in ids]
    zero = torch.zeros(1, p.hidden_size, dtype=torch.float64)
    h, c = [zero] * n_layers, [zero] * n_layers
    raw_h: list[list[torch.Tensor]] = [[] for _ in range(n_layers)]
    raw_c: list[list[torch.Tensor]] = [[] for _ in range(n_layers)]
    post_h: list[list[np.ndarray]] = [[] for _ in range(n_layers)]
    post_c: list[list[np.ndarray]] = [[] for _ in range(n_layers)]
    logits = []
    for s in range(t_len):
        x = xs[s][None]
        for k in range(n_layers):
            if lstm:
                hr, cr = cells[k](x, (h[k], c[k]))
                raw_c[k].append(cr)
            else:
                hr, cr = cells[k](x, h[k]), None
            raw_h[k].append(hr)
            h[k], ce = _edited(hr, cr, iv, k, s)
            if ce is not None:
                c[k] = ce
                post_c[k].append(ce[0].detach().numpy())
            post_h[k].append(h[k][0].detach().numpy())
            x = h[k]
        logits.append(x[0] @ dec_w.T + dec_b)
    grad_h = np.full((n_layers, t_len, t_len), np.nan)
    grad_c = grad_h.copy() if lstm else None
    grad_in = np.full((t_len, t_len), np.nan)
    for t in range(t_len):
        loss = -torch.log_softmax(logits[t], -1)[targets[t]]
        m = t + 1
        wrt = [raw_h[k][s] for k in range(n_layers) for s in range(m)] + xs[:m]
        if lstm:
            wrt += [raw_c[k][s] for k in range(n_layers) for s in range(m)]
        grads = (torch.autograd.grad(loss, wrt, allow_unused=True, retain_graph=True)
                 if loss.requires_grad else [None] * len(wrt))  # a reset cut every path
        norms = np.array([0.0 if g is None else float(g.norm()) for g in grads])
        grad_h[:, t, :m] = norms[: n_layers * m].reshape(n_layers, m)
        grad_in[t, :m] = norms[n_layers * m:(n_layers + 1) * m]
        if grad_c is not None:
            grad_c[:, t, :m] = norms[(n_layers + 1) * m:].reshape(n_layers, m)
    return IntervenedRef(
        logits=torch.stack(logits).detach().numpy(),
        h=np.array(post_h).transpose(0, 1, 2),
        c=np.array(post_c) if lstm else None,
        grad_h=grad_h, grad_c=grad_c, grad_in=grad_in,
    )
