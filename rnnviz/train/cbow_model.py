"""The torch CBOW language model: the next word from the average of the last N embeddings.

It computes exactly what :class:`rnnviz.engine.cbow_params.CbowParams` defines:
h_t = mean(encoder[w_s] for s in t-N+1..t), fewer at the start of a text, and
logits_t = decoder(h_t). Its carried "hidden state" is the last N - 1 token ids (T-first, like
the RNN's), so a stream cut into windows gives the same numbers as the whole stream at once.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor, nn

from rnnviz.engine.cbow_params import WINDOWS, CbowParams


class CbowModel(nn.Module):
    """encoder (V, D) -> mean of the last N embeddings -> dropout -> decoder (V, D)."""

    cell = "cbow"

    def __init__(self, vocab: int, dim: int, window: int, dropout: float = 0.0,
                 tied: bool = False) -> None:
        super().__init__()
        if window not in WINDOWS:
            raise ValueError(f"CBOW window must be 2 to 10 words, got {window}")
        self.window = window
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(vocab, dim)
        self.decoder = nn.Linear(dim, vocab)
        nn.init.uniform_(self.encoder.weight, -0.1, 0.1)
        nn.init.zeros_(self.decoder.bias)
        if tied:
            self.decoder.weight = self.encoder.weight
        else:
            nn.init.uniform_(self.decoder.weight, -0.1, 0.1)

    def averages(self, ids: Tensor, context: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """ids (T, B), context (k, B) with k <= N - 1 earlier ids (k < N - 1 only at the start
        of the text) -> windows' means (T, B, D) and the new context (min(N - 1, k + T), B)."""
        n = self.window
        if context is None:
            context = ids.new_zeros((0, ids.shape[1]))
        full = torch.cat([context, ids], 0)  # (k + T, B)
        k = context.shape[0]
        e = self.encoder(full)  # (k + T, B, D)
        padded = torch.cat([e.new_zeros((n - 1, *e.shape[1:])), e], 0)
        sums = padded.unfold(0, n, 1).sum(-1)[k:]  # (T, B, D): window ending at each step
        seen = torch.arange(k + 1, k + ids.shape[0] + 1, device=ids.device)  # tokens read so far
        counts = seen.clamp(max=n).to(e.dtype)
        return sums / counts[:, None, None], full[-(n - 1):]

    def forward(self, ids: Tensor, hidden: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """ids (T, B) int64 -> logits (T, B, V), the last N - 1 ids (carried like a state)."""
        h, context = self.averages(ids, hidden)
        return self.decoder(self.drop(h)), context

    def init_hidden(self, batch: int) -> Tensor:
        """No words read yet: an empty context (0, B)."""
        return torch.zeros((0, batch), dtype=torch.int64, device=self.decoder.bias.device)


def to_cbow_params(model: CbowModel) -> CbowParams:
    """The engine's parameters (float32 copies); a tied model shares one matrix."""
    def f32(t: Tensor) -> np.ndarray:
        return t.detach().cpu().numpy().astype(np.float32, copy=True)

    emb = f32(model.encoder.weight)
    tied = model.decoder.weight is model.encoder.weight
    dec = emb if tied else f32(model.decoder.weight)
    return CbowParams(emb, model.window, dec, f32(model.decoder.bias))
