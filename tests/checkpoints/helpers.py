"""Writers of real foreign checkpoints for the loader tests, and their frameworks' forwards."""

from __future__ import annotations

import importlib
import pickle
import sys
import textwrap
import types
from pathlib import Path

import numpy as np
import torch

from rnnviz.engine.network import RNNLM

# Equivalent to pytorch/examples word_language_model's model.RNNModel (the parts torch.save keeps).
RNN_MODEL_SOURCE = textwrap.dedent('''
    import torch.nn as nn


    class RNNModel(nn.Module):
        """Encoder, recurrent module, decoder: the word_language_model example's container."""

        def __init__(self, rnn_type, ntoken, ninp, nhid, nlayers, dropout=0.5, tie_weights=False):
            super().__init__()
            self.ntoken = ntoken
            self.drop = nn.Dropout(dropout)
            self.encoder = nn.Embedding(ntoken, ninp)
            if rnn_type in ("LSTM", "GRU"):
                self.rnn = getattr(nn, rnn_type)(ninp, nhid, nlayers, dropout=dropout)
            else:
                act = {"RNN_TANH": "tanh", "RNN_RELU": "relu"}[rnn_type]
                self.rnn = nn.RNN(ninp, nhid, nlayers, nonlinearity=act, dropout=dropout)
            self.decoder = nn.Linear(nhid, ntoken)
            if tie_weights:
                self.decoder.weight = self.encoder.weight
            self.rnn_type = rnn_type
            self.nhid = nhid
            self.nlayers = nlayers
''')


def example_model(tmp_dir: Path, rnn_type: str, ntoken: int = 23, ninp: int = 6, nhid: int = 6,
                  nlayers: int = 2, tied: bool = False, seed: int = 0) -> torch.nn.Module:
    """An RNNModel instance whose class lives in a module named ``model`` (written to tmp_dir,
    imported, then removed from sys.modules and sys.path again)."""
    src = tmp_dir / "example_src"
    src.mkdir(exist_ok=True)
    (src / "model.py").write_text(RNN_MODEL_SOURCE)
    saved = sys.modules.pop("model", None)
    sys.path.insert(0, str(src))
    try:
        module = importlib.import_module("model")
        torch.manual_seed(seed)
        model = module.RNNModel(rnn_type, ntoken, ninp, nhid, nlayers, tie_weights=tied)
        for p in model.parameters():  # larger than the default init: differences show
            torch.nn.init.uniform_(p, -0.6, 0.6)
    finally:
        sys.path.remove(str(src))
        sys.modules.pop("model", None)
        if saved is not None:
            sys.modules["model"] = saved
    return model.eval()


def save_module(model: torch.nn.Module, path: Path) -> Path:
    """torch.save(model): the whole pickled module, as the example's main.py writes it."""
    fake = types.ModuleType("model")
    fake.RNNModel = type(model)  # type: ignore[attr-defined]  # pickle finds the class by name
    saved = sys.modules.get("model")
    sys.modules["model"] = fake
    try:
        torch.save(model, path)
    finally:
        sys.modules.pop("model", None)
        if saved is not None:
            sys.modules["model"] = saved
    return path


def torch_steps(encoder: torch.nn.Module, rnn: torch.nn.Module, decoder: torch.nn.Module,
                ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """The framework's own forward, one token at a time: probs (T, V) and h (T, L, H)."""
    probs, hs = [], []
    hidden = None
    with torch.no_grad():
        for tok in ids:
            out, hidden = rnn(encoder(torch.tensor([[tok]])), hidden)
            probs.append(torch.softmax(decoder(out[0, 0]), -1).numpy())
            h = hidden[0] if isinstance(hidden, tuple) else hidden
            hs.append(h[:, 0].numpy())
    return np.stack(probs), np.stack(hs)


def engine_steps(params: object, ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """rnnviz's engine, one token at a time: probs (T, V) and h (T, L, H)."""
    net = RNNLM(params)  # type: ignore[arg-type]
    recs = net.run(ids)
    return np.stack([r.probs for r in recs]), np.stack([r.h for r in recs])


def write_vocab(path: Path, n: int) -> Path:
    path.write_text("".join(f"w{i}\n" for i in range(n - 1)) + "<eos>\n")
    return path


# --- the book ('Deep Learning from Scratch 2') -------------------------------------------------

def book_params(kind: str, v: int = 29, d: int = 5, h: int = 5, seed: int = 0) -> list[np.ndarray]:
    """A params list as the book's SimpleRnnlm / Rnnlm / BetterRnnlm hold it, in float16."""
    rng = np.random.default_rng(seed)

    def r(*shape: int) -> np.ndarray:
        return rng.uniform(-0.8, 0.8, size=shape).astype(np.float16)

    if kind == "SimpleRnnlm":
        return [r(v, d), r(d, h), r(h, h), r(h), r(h, v), r(v)]
    if kind == "Rnnlm":
        return [r(v, d), r(d, 4 * h), r(h, 4 * h), r(4 * h), r(h, v), r(v)]
    assert kind == "BetterRnnlm" and d == h
    embed = r(v, d)
    return [embed, r(d, 4 * h), r(h, 4 * h), r(4 * h), r(h, 4 * h), r(h, 4 * h), r(4 * h),
            embed.T.copy(), r(v)]


def save_book(params: list[np.ndarray], path: Path) -> Path:
    """BaseModel.save_params: pickle.dump of the float16 list."""
    with open(path, "wb") as f:
        pickle.dump([p.astype(np.float16) for p in params], f)
    return path


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def book_forward(params: list[np.ndarray], ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """The book's layer equations (time_layers.py), row-vector x @ W, LSTM blocks f, g, i, o.

    Returns probs (T, V) and h (T, L, H), float64.
    """
    ps = [p.astype(np.float64) for p in params]
    embed, affine_w, affine_b = ps[0], ps[-2], ps[-1]
    layers = [ps[1 + 3 * k: 4 + 3 * k] for k in range((len(ps) - 3) // 3)]
    hs = [np.zeros(wh.shape[0]) for _, wh, _ in layers]
    cs = [np.zeros(wh.shape[0]) for _, wh, _ in layers]
    probs, states = [], []
    for tok in ids:
        x = embed[tok]
        for k, (wx, wh, b) in enumerate(layers):
            hh = wh.shape[0]
            a = x @ wx + hs[k] @ wh + b
            if wx.shape[1] == hh:  # RNN
                hs[k] = np.tanh(a)
            else:
                f, g = _sigmoid(a[:hh]), np.tanh(a[hh:2 * hh])
                i, o = _sigmoid(a[2 * hh:3 * hh]), _sigmoid(a[3 * hh:])
                cs[k] = f * cs[k] + g * i
                hs[k] = o * np.tanh(cs[k])
            x = hs[k]
        score = x @ affine_w + affine_b
        e = np.exp(score - score.max())
        probs.append(e / e.sum())
        states.append(np.stack(hs))
    return np.stack(probs), np.stack(states)
