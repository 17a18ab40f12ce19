"""The torch model: encoder (embedding) -> rnn (nn.RNN/LSTM/GRU) -> decoder (linear).

Its state_dict names are exactly the native format's (``encoder.weight``, ``rnn.weight_ih_l0``,
..., ``decoder.weight``, ``decoder.bias``), so conversion is a rename-free copy.
"""

from __future__ import annotations

from typing import Union

import numpy as np
from torch import Tensor, nn

from rnnviz.engine.params import CELLS, ModelParams, from_named_arrays

Hidden = Union[Tensor, tuple[Tensor, Tensor]]  # noqa: UP007  (a runtime alias)


def make_rnn(cell: str, n_in: int, hidden: int, layers: int, dropout: float) -> nn.RNNBase:
    """nn.LSTM / nn.GRU / nn.RNN (tanh or relu), sequence-first."""
    drop = dropout if layers > 1 else 0.0
    if cell == "lstm":
        return nn.LSTM(n_in, hidden, layers, dropout=drop)
    if cell == "gru":
        return nn.GRU(n_in, hidden, layers, dropout=drop)
    if cell in ("rnn_tanh", "rnn_relu"):
        return nn.RNN(n_in, hidden, layers, nonlinearity=cell[4:], dropout=drop)
    raise ValueError(f"unknown cell {cell!r} (expected one of {', '.join(CELLS)})")


class RNNModel(nn.Module):
    """Embedding (V, D) -> dropout -> rnn (H, L layers) -> dropout -> linear (V, H)."""

    def __init__(self, cell: str, vocab: int, hidden: int, layers: int = 1,
                 embedding: int | None = None, dropout: float = 0.0, tied: bool = False) -> None:
        super().__init__()
        d = embedding or hidden
        if tied and d != hidden:
            raise ValueError(f"--tied needs embedding size == hidden size ({d} != {hidden})")
        self.cell, self.hidden_size, self.num_layers = cell, hidden, layers
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(vocab, d)
        self.rnn = make_rnn(cell, d, hidden, layers, dropout)
        self.decoder = nn.Linear(hidden, vocab)
        nn.init.uniform_(self.encoder.weight, -0.1, 0.1)
        nn.init.zeros_(self.decoder.bias)
        if tied:
            self.decoder.weight = self.encoder.weight
        else:
            nn.init.uniform_(self.decoder.weight, -0.1, 0.1)

    def forward(self, ids: Tensor, hidden: Hidden | None = None) -> tuple[Tensor, Hidden]:
        """ids (T, B) int64 -> logits (T, B, V), new hidden ((L, B, H) or a (h, c) pair)."""
        x = self.drop(self.encoder(ids))
        out, hidden = self.rnn(x, hidden)
        return self.decoder(self.drop(out)), hidden

    def init_hidden(self, batch: int) -> Hidden:
        """Zeros (L, B, H); a pair of them for the LSTM."""
        w = self.decoder.weight
        h = w.new_zeros(self.num_layers, batch, self.hidden_size)
        return (h, h.clone()) if self.cell == "lstm" else h


def detach(hidden: Hidden) -> Hidden:
    """Cut the graph at a window boundary (truncated BPTT)."""
    if isinstance(hidden, tuple):
        return (hidden[0].detach(), hidden[1].detach())
    return hidden.detach()


def hidden_list(hidden: Hidden) -> list[Tensor]:
    """A hidden state as a list of tensors (for checkpoints)."""
    return [t.detach().clone() for t in hidden] if isinstance(hidden, tuple) else [hidden.detach()]


def hidden_from_list(parts: list[Tensor]) -> Hidden:
    """Inverse of :func:`hidden_list`."""
    return (parts[0], parts[1]) if len(parts) == 2 else parts[0]


def to_params(model: RNNModel) -> ModelParams:
    """The engine's parameters (float32 copies) from a trained model."""
    arrays = {k: v.detach().cpu().numpy().astype(np.float32, copy=True)
              for k, v in model.state_dict().items()}
    return from_named_arrays(model.cell, arrays)
