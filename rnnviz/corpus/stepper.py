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


class Stepper:
    """``step(ids, h, c)`` runs one token per stream through every layer."""

    def __init__(self, net: RNNLM) -> None:
        self.net = net
        first = net.cells[0]
        bias = first.b_x if isinstance(first, GRUCell) else first.b
        self.table = net.params.embedding @ first.w_ih_t + bias  # (V, G*H)
        self.biases = [c.b_x if isinstance(c, GRUCell) else c.b for c in net.cells]

    def step(self, ids: NDArray[np.int64], h: F32, c: F32 | None) -> list[Step]:
        """ids (B,); h, c: (L, B, H) states before the step. One Step per layer."""
        out: list[Step] = []
        x_proj = self.table[ids]  # (B, G*H), bias included
        for k, cell in enumerate(self.net.cells):
            if k > 0:
                x_proj = out[-1][0] @ cell.w_ih_t
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
