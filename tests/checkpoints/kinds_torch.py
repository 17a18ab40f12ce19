"""Real torch models of the tutorials' other systems, saved as their users save them, and a
numpy forward over the parameters rnnviz mapped (for the loader tests; the engines have their
own torch parity tests)."""

from __future__ import annotations

import importlib
import sys
import textwrap
from pathlib import Path

import numpy as np
import torch

from rnnviz.engine.bidir_params import BiParams
from rnnviz.engine.cells import make_cell
from rnnviz.engine.classifier_params import ClassifierParams
from rnnviz.engine.params import ModelParams

# What a user of the tutorials writes (SampleRNN as in the tutorial; the others its variants).
SOURCE = textwrap.dedent('''
    import torch
    import torch.nn as nn


    class SampleRNN(nn.Module):
        """The tutorial's many-to-one RNN: raw vectors in, a Linear on the last step's output."""

        def __init__(self, input_size, hidden_size, output_size):
            super().__init__()
            self.rnn = nn.RNN(input_size, hidden_size, batch_first=True)
            self.fc = nn.Linear(hidden_size, output_size)

        def forward(self, x):
            out, _ = self.rnn(x)
            return self.fc(out[:, -1, :])


    class TextClassifier(nn.Module):
        """Embedding -> (bidirectional) RNN/LSTM/GRU -> fc on out[:, -1, :] or on h_n."""

        def __init__(self, vocab, emb, hidden, classes, kind="GRU", layers=1,
                     bidirectional=False, pool="last-output"):
            super().__init__()
            self.embedding = nn.Embedding(vocab, emb)
            self.rnn = getattr(nn, kind)(emb, hidden, layers, batch_first=True,
                                         bidirectional=bidirectional)
            self.fc = nn.Linear(hidden * (2 if bidirectional else 1), classes)
            self.pool = pool

        def forward(self, ids):
            out, h = self.rnn(self.embedding(ids))
            if self.pool == "final-states":
                h = h[0] if isinstance(h, tuple) else h
                feat = torch.cat([h[-2], h[-1]], -1) if self.rnn.bidirectional else h[-1]
            else:
                feat = out[:, -1, :]
            return self.fc(feat)


    class BiRNNModel(nn.Module):
        """word_language_model's RNNModel with bidirectional=True (decoder reads 2 * nhid)."""

        def __init__(self, rnn_type, ntoken, ninp, nhid, nlayers):
            super().__init__()
            self.encoder = nn.Embedding(ntoken, ninp)
            self.rnn = getattr(nn, rnn_type)(ninp, nhid, nlayers, bidirectional=True)
            self.decoder = nn.Linear(2 * nhid, ntoken)
            self.rnn_type = rnn_type

        def forward(self, ids):
            out, _ = self.rnn(self.encoder(ids))
            return self.decoder(out)
''')

MODULE = "usermodels"


def user_module(tmp_path: Path) -> object:
    """SOURCE imported as module ``usermodels`` (drop it with :func:`save` afterwards)."""
    src = tmp_path / "usersrc"
    src.mkdir(exist_ok=True)
    (src / f"{MODULE}.py").write_text(SOURCE)
    sys.path.insert(0, str(src))
    try:
        return importlib.import_module(MODULE)
    finally:
        sys.path.remove(str(src))


def init(model: torch.nn.Module, seed: int, scale: float = 0.6) -> torch.nn.Module:
    torch.manual_seed(seed)
    for p in model.parameters():
        torch.nn.init.uniform_(p, -scale, scale)
    return model.eval()


def save(model: torch.nn.Module, path: Path, whole: bool) -> Path:
    """torch.save(model) or torch.save(model.state_dict()); the user's module is then
    forgotten, so that loading cannot import it."""
    torch.save(model if whole else model.state_dict(), path)
    sys.modules.pop(MODULE, None)
    return path


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(f"{w}\n" for w in lines))
    return path


# --- numpy forward over mapped parameters --------------------------------------------------

def _run(cell: str, layer: object, xs: np.ndarray, reverse: bool) -> np.ndarray:
    """One direction of one layer over xs (T, In) from zeros -> hs (T, H)."""
    c = make_cell(cell, layer)  # type: ignore[arg-type]
    h = np.zeros((1, c.hidden), np.float32)
    cc = np.zeros_like(h) if cell == "lstm" else None
    out = np.empty((xs.shape[0], c.hidden), np.float32)
    for t in (range(xs.shape[0] - 1, -1, -1) if reverse else range(xs.shape[0])):
        h, cc, _ = c.forward(xs[t][None], h, cc)
        out[t] = h[0]
    return out


def top_outputs(net: ModelParams | BiParams, ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Top layer's outputs (T, H or 2H), torch's ``out``, and its final states h_n of the top
    layer (H or 2H: forward after step T-1, reverse after step 0)."""
    x = net.embedding[np.asarray(ids)]
    if isinstance(net, ModelParams):
        for layer in net.layers:
            x = _run(net.cell, layer, x, False)
        return x, x[-1]
    fwd = rev = x
    for lf, lr in zip(net.forward, net.reverse, strict=True):
        fwd, rev = _run(net.cell, lf, x, False), _run(net.cell, lr, x, True)
        x = np.concatenate([fwd, rev], axis=1)
    return x, np.concatenate([fwd[-1], rev[0]])


def class_probs(p: ClassifierParams, ids: list[int]) -> np.ndarray:
    """The classifier's class probabilities for the whole text (C,), as its pool says."""
    out, final = top_outputs(p.net, ids)
    feat = out[-1] if p.pool == "last-output" else final
    z = p.net.decoder_w @ feat + p.net.decoder_b
    e = np.exp(z - z.max())
    return e / e.sum()


def lm_logits(p: BiParams, ids: list[int]) -> np.ndarray:
    """A bidirectional language model's logits (T, V)."""
    out, _ = top_outputs(p, ids)
    return out @ p.decoder_w.T + p.decoder_b
