"""Forward-only steps of a network's cells over B parallel streams, for the corpus index.

The engine's cells also compute the local derivative factors a backward pass needs; an index only
needs the states and gates, so this steps the same equations without them (tests compare every
stored number with a fresh engine run). The first layer's input projection is read from a table
``embedding @ W_ih^T + b`` (V, G*H), computed once: for a corpus much longer than the vocabulary
that replaces one matrix product per step with a row gather.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from rnnviz.engine.cells import F32, GRUCell, LSTMCell, sigmoid
from rnnviz.engine.network import RNNLM

Step = tuple[F32, F32 | None, dict[str, F32]]  # h (B, H), c (B, H) or None, gate -> (B, H)


TABLE_LIMIT = 1 << 25  # floats (128 MB): a larger vocabulary projects its inputs step by step


class Stepper:
    """``step(ids, h, c)`` runs one token per stream through every layer. ``n_tokens``: the
    corpus length (the table pays off only when it is longer than the vocabulary)."""

    def __init__(self, net: RNNLM, n_tokens: int | None = None) -> None:
        self.net = net
        first = net.cells[0]
        self.biases = [c.b_x if isinstance(c, GRUCell) else c.b for c in net.cells]
        emb = net.params.embedding
        size = emb.shape[0] * first.w_ih_t.shape[1]
        use = size <= TABLE_LIMIT and (n_tokens is None or emb.shape[0] < n_tokens)
        self.table: F32 | None = emb @ first.w_ih_t + self.biases[0] if use else None

    def step(self, ids: NDArray[np.int64], h: F32, c: F32 | None) -> list[Step]:
        """ids (B,); h, c: (L, B, H) states before the step. One Step per layer."""
        out: list[Step] = []
        for k, cell in enumerate(self.net.cells):
            if k == 0 and self.table is not None:
                x_proj = self.table[ids]  # (B, G*H), bias included
            else:
                x = out[-1][0] if k > 0 else self.net.params.embedding[ids]
                x_proj = x @ cell.w_ih_t
                x_proj += self.biases[k]
            out.append(self._cell(cell, x_proj, h[k], None if c is None else c[k]))
        return out

    @staticmethod
    def _cell(cell: object, ax: F32, h: F32, c: F32 | None) -> Step:
        """One layer from its input projection ax (B, G*H, bias included)."""
        if isinstance(cell, LSTMCell):
            return _lstm(cell, ax, h, c)
        if isinstance(cell, GRUCell):
            return _gru(cell, ax, h)
        a = ax + h @ cell.w_hh_t  # type: ignore[attr-defined]
        return (np.maximum(a, 0) if cell.relu else np.tanh(a)), None, {}  # type: ignore[attr-defined]


def _lstm(cell: LSTMCell, ax: F32, h: F32, c: F32 | None) -> Step:
    assert c is not None
    n = cell.hidden
    act = ax + h @ cell.w_hh_t
    g = np.tanh(act[:, 2 * n:3 * n])
    act = sigmoid(act)
    act[:, 2 * n:3 * n] = g
    i, f, o = act[:, :n], act[:, n:2 * n], act[:, 3 * n:]
    c_new = f * c + i * g
    return o * np.tanh(c_new), c_new, {"i": i, "f": f, "g": g, "o": o}


def _gru(cell: GRUCell, ax: F32, h: F32) -> Step:
    n = cell.hidden
    ah = h @ cell.w_hh_t
    rz = sigmoid(ax[:, :2 * n] + ah[:, :2 * n])
    r, z = rz[:, :n], rz[:, n:]
    cand = np.tanh(ax[:, 2 * n:] + r * (ah[:, 2 * n:] + cell.b_hn))
    return (1.0 - z) * cand + z * h, None, {"r": r, "z": z, "n": cand}
