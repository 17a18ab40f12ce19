"""Reference computations with torch (float64 autograd) for the engine's parity tests."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from rnnviz.engine.params import ModelParams, named_arrays


@dataclass
class Reference:
    logits: np.ndarray  # (T, V)
    h: np.ndarray  # (L, T, H)
    c: np.ndarray | None  # (L, T, H)
    gates: dict[str, np.ndarray]  # name -> (L, T, H)
    grad_h: np.ndarray  # (L, T, T), NaN for s > t
    grad_c: np.ndarray | None
    grad_in: np.ndarray  # (T, T)


def _rnn_module(p: ModelParams) -> torch.nn.RNNBase:
    d, h, n = p.embedding_size, p.hidden_size, p.num_layers
    if p.cell == "lstm":
        mod: torch.nn.RNNBase = torch.nn.LSTM(d, h, n)
    elif p.cell == "gru":
        mod = torch.nn.GRU(d, h, n)
    else:
        mod = torch.nn.RNN(d, h, n, nonlinearity=p.cell[4:])
    state = {k[4:]: torch.from_numpy(v.astype(np.float64)) for k, v in named_arrays(p).items()
             if k.startswith("rnn.")}
    mod.double().load_state_dict(state)
    return mod


def torch_forward_logits(p: ModelParams, ids: list[int]) -> np.ndarray:
    """nn.Embedding -> nn.RNN/LSTM/GRU -> nn.Linear in float32 (the real torch modules)."""
    mod = _rnn_module(p).float()
    emb = torch.from_numpy(p.embedding)[torch.tensor(ids)][:, None, :]
    with torch.no_grad():
        out, _ = mod(emb)
        logits = out[:, 0] @ torch.from_numpy(p.decoder_w).T + torch.from_numpy(p.decoder_b)
    return logits.numpy()


def _gates(p: ModelParams, w: dict[str, torch.Tensor], x: torch.Tensor, h: torch.Tensor,
           c: torch.Tensor | None) -> dict[str, torch.Tensor]:
    """Gate activations recomputed from torch's own equations (documented semantics)."""
    gi = x @ w["weight_ih"].T + w["bias_ih"]
    gh = h @ w["weight_hh"].T + w["bias_hh"]
    if p.cell == "lstm":
        i, f, g, o = (gi + gh).chunk(4, -1)
        return {"i": i.sigmoid(), "f": f.sigmoid(), "g": g.tanh(), "o": o.sigmoid()}
    if p.cell == "gru":
        ir, iz, inn = gi.chunk(3, -1)
        hr, hz, hn = gh.chunk(3, -1)
        r = (ir + hr).sigmoid()
        return {"r": r, "z": (iz + hz).sigmoid(), "n": (inn + r * hn).tanh()}
    return {}


def reference(p: ModelParams, ids: list[int], targets: list[int],
              truncate: int | None = None) -> Reference:
    """Unrolled torch cells, float64; per-target autograd (one backward per target)."""
    torch.set_grad_enabled(True)
    mod = _rnn_module(p)
    n_layers, t_len = p.num_layers, len(ids)
    weights = [{n: getattr(mod, f"{n}_l{k}") for n in ("weight_ih", "weight_hh", "bias_ih",
                                                       "bias_hh")} for k in range(n_layers)]
    cell_cls = {"lstm": torch.nn.LSTMCell, "gru": torch.nn.GRUCell}.get(p.cell, torch.nn.RNNCell)
    cells = []
    for k in range(n_layers):
        kw = {} if cell_cls is not torch.nn.RNNCell else {"nonlinearity": p.cell[4:]}
        cell = cell_cls(mod.input_size if k == 0 else mod.hidden_size, mod.hidden_size, **kw)
        cell.double().load_state_dict({n: v.detach() for n, v in weights[k].items()})
        cells.append(cell)
    emb = torch.from_numpy(p.embedding.astype(np.float64))
    dec_w = torch.from_numpy(p.decoder_w.astype(np.float64))
    dec_b = torch.from_numpy(p.decoder_b.astype(np.float64))
    xs = [emb[i].clone().requires_grad_(True) for i in ids]
    zero = torch.zeros(1, p.hidden_size, dtype=torch.float64)
    h = [zero] * n_layers
    c = [zero] * n_layers
    hs: list[list[torch.Tensor]] = [[] for _ in range(n_layers)]
    cs: list[list[torch.Tensor]] = [[] for _ in range(n_layers)]
    gates: dict[str, list[list[np.ndarray]]] = {}
    logits = []
    for t in range(t_len):
        x = xs[t][None]
        for k in range(n_layers):
            hp, cp = h[k], c[k]
            if truncate and t > 0 and t % truncate == 0:
                hp, cp = hp.detach(), cp.detach()
            for g, v in _gates(p, {n: w.detach() for n, w in weights[k].items()}, x.detach(),
                               hp.detach(), cp).items():
                gates.setdefault(g, [[] for _ in range(n_layers)])[k].append(v[0].numpy())
            if p.cell == "lstm":
                h[k], c[k] = cells[k](x, (hp, cp))
                cs[k].append(c[k])
            else:
                h[k] = cells[k](x, hp)
            hs[k].append(h[k])
            x = h[k]
        logits.append(x[0] @ dec_w.T + dec_b)
    grad_h = np.full((n_layers, t_len, t_len), np.nan)
    grad_c = grad_h.copy() if p.cell == "lstm" else None
    grad_in = np.full((t_len, t_len), np.nan)
    for t in range(t_len):
        loss = -torch.log_softmax(logits[t], -1)[targets[t]]
        wrt = [hs[k][s] for k in range(n_layers) for s in range(t + 1)] + xs[: t + 1]
        if grad_c is not None:
            wrt += [cs[k][s] for k in range(n_layers) for s in range(t + 1)]
        grads = torch.autograd.grad(loss, wrt, allow_unused=True, retain_graph=True)
        norms = [0.0 if g is None else float(g.norm()) for g in grads]
        m = t + 1
        for k in range(n_layers):
            grad_h[k, t, :m] = norms[k * m:(k + 1) * m]
        grad_in[t, :m] = norms[n_layers * m:(n_layers + 1) * m]
        if grad_c is not None:
            off = (n_layers + 1) * m
            for k in range(n_layers):
                grad_c[k, t, :m] = norms[off + k * m:off + (k + 1) * m]
    stack = lambda xs_: np.stack([np.concatenate([v.detach().numpy() for v in row])  # noqa: E731
                                  for row in xs_])
    return Reference(
        logits=torch.stack(logits).detach().numpy(),
        h=stack(hs),
        c=stack(cs) if p.cell == "lstm" else None,
        gates={g: np.stack([np.stack(v) for v in per]) for g, per in gates.items()},
        grad_h=grad_h, grad_c=grad_c, grad_in=grad_in,
    )
