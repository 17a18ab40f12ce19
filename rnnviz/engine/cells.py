"""Recurrent cells with PyTorch semantics, forward and backward with explicit caches.

Shapes: B batch, In input size, H hidden size. Weights in PyTorch layout (G*H, In).
Each ``forward`` returns (h, c, cache); each ``backward`` takes the gradient w.r.t. the
cell's outputs and returns gradients w.r.t. its inputs (dx, dh_prev, dc_prev) plus the
total gradient w.r.t. the cell state (LSTM) for reporting. ``backward`` accepts a
gradient batch of any size N against a cache of batch 1: the Jacobian of one forward
step is applied to N target gradients at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from rnnviz.engine.params import LayerParams

F32 = NDArray[np.float32]


def sigmoid(x: F32) -> F32:
    """Logistic function; the clip keeps exp in float32 range (sigmoid(-88) ~ 6e-39)."""
    out: F32 = 1.0 / (1.0 + np.exp(-np.maximum(x, np.float32(-88.0))))
    return out


def _sq_rows(a: F32) -> F32:
    """Squared L2 norm of each row, (S, H) -> (S,)."""
    out: F32 = np.einsum("ij,ij->i", a, a)
    return out


class Backward(NamedTuple):
    """Gradients out of one cell step. dx (N, In); dh_prev (N, H); dc_prev, dc (N, H) or None."""

    dx: F32
    dh_prev: F32
    dc_prev: F32 | None
    dc: F32 | None


class Chain(NamedTuple):
    """One target's gradient through a layer over steps s_lo..t.

    h_sq, c_sq: (S,) squared norms of d l / d h_s and d l / d c_s; dx: (S, In) into the inputs.
    """

    h_sq: F32
    c_sq: F32 | None
    dx: F32


class Cell:
    """Base: one layer's weights, transposed copies for the forward matmuls.

    A forward cache holds the local derivative factors of the step (precomputed once, so
    that each backward is a few multiplies and one matmul) and the gate activations.
    """

    gates: tuple[str, ...] = ()

    def __init__(self, p: LayerParams) -> None:
        self.p = p
        self.w_ih_t = np.ascontiguousarray(p.w_ih.T)  # (In, G*H)
        self.w_hh_t = np.ascontiguousarray(p.w_hh.T)  # (H, G*H)
        self.b = (p.b_ih + p.b_hh).astype(np.float32)  # (G*H,)
        self.hidden = p.hidden_size

    def preact(self, x: F32, h: F32) -> F32:
        """x (B, In), h (B, H) -> W_ih x + b_ih + W_hh h + b_hh, (B, G*H)."""
        out: F32 = x @ self.w_ih_t
        out += h @ self.w_hh_t
        out += self.b
        return out

    def forward(self, x: F32, h: F32, c: F32 | None) -> tuple[F32, F32 | None, tuple]:
        raise NotImplementedError

    def backward(self, dh: F32, dc: F32 | None, cache: tuple) -> Backward:
        raise NotImplementedError

    def chain(self, d_in: F32, caches: Sequence[tuple]) -> Chain:
        """Backward of one target through this layer, steps S-1..0 of ``caches``.

        d_in: (S, H) gradient reaching h_s from outside the recurrence (the layer above, or
        the decoder). Recurrent flow enters nothing beyond step S-1.
        """
        raise NotImplementedError

    def gate_values(self, cache: tuple) -> dict[str, F32]:
        """Gate activations of a forward step, name -> (B, H)."""
        return {}


class RNNCell(Cell):
    """h' = act(W_ih x + b_ih + W_hh h + b_hh), act = tanh or relu. Cache: (act'(a),)."""

    def __init__(self, p: LayerParams, relu: bool = False) -> None:
        super().__init__(p)
        self.relu = relu

    def forward(self, x: F32, h: F32, c: F32 | None = None) -> tuple[F32, None, tuple]:
        a = self.preact(x, h)
        if self.relu:
            return np.maximum(a, 0), None, ((a > 0).astype(np.float32),)
        h_new = np.tanh(a)
        return h_new, None, (1.0 - h_new * h_new,)

    def backward(self, dh: F32, dc: F32 | None, cache: tuple) -> Backward:
        da = dh * cache[0]
        return Backward(da @ self.p.w_ih, da @ self.p.w_hh, None, None)

    def chain(self, d_in: F32, caches: Sequence[tuple]) -> Chain:
        n_s, w_hh = len(caches), self.p.w_hh
        dh = np.empty_like(d_in)  # (S, H): d l / d h_s, kept to take all norms at once
        da = np.empty_like(d_in)
        rec = np.zeros(self.hidden, np.float32)
        for j in range(n_s - 1, -1, -1):
            np.add(d_in[j], rec, out=dh[j])
            np.multiply(dh[j], caches[j][0][0], out=da[j])
            np.dot(da[j], w_hh, out=rec)
        return Chain(_sq_rows(dh), None, da @ self.p.w_ih)


class LSTMCell(Cell):
    """Gates i, f, g, o; c' = f*c + i*g; h' = o*tanh(c').

    Cache: (k_c (1,H) = o*(1-tanh(c')^2), k_a (1,4H) = [g i(1-i), c f(1-f), i(1-g^2),
    tanh(c') o(1-o)], f (1,H), gates (1,4H)). d a = [dc, dc, dc, dh] * k_a.
    """

    gates = ("i", "f", "g", "o")

    def forward(self, x: F32, h: F32, c: F32 | None) -> tuple[F32, F32, tuple]:
        assert c is not None
        a = self.preact(x, h)
        n = self.hidden
        act = sigmoid(a)
        act[:, 2 * n:3 * n] = np.tanh(a[:, 2 * n:3 * n])
        i, f, g, o = act[:, :n], act[:, n:2 * n], act[:, 2 * n:3 * n], act[:, 3 * n:]
        c_new = f * c + i * g
        tc = np.tanh(c_new)
        k_a = np.concatenate((g * i * (1.0 - i), c * f * (1.0 - f), i * (1.0 - g * g),
                              tc * o * (1.0 - o)), axis=1)
        return o * tc, c_new, (o * (1.0 - tc * tc), k_a, f, act)

    def backward(self, dh: F32, dc: F32 | None, cache: tuple) -> Backward:
        k_c, k_a, f, _ = cache
        dc_total = dh * k_c
        if dc is not None:
            dc_total += dc
        da = np.concatenate((dc_total, dc_total, dc_total, dh), axis=1)
        da *= k_a
        return Backward(da @ self.p.w_ih, da @ self.p.w_hh, dc_total * f, dc_total)

    def chain(self, d_in: F32, caches: Sequence[tuple]) -> Chain:
        n_s, n, w_hh = len(caches), self.hidden, self.p.w_hh
        dh = np.empty_like(d_in)  # (S, H) d l / d h_s
        dc = np.empty_like(d_in)  # (S, H) d l / d c_s (total)
        da = np.empty((n_s, 4 * n), np.float32)
        da3 = da[:, : 3 * n].reshape(n_s, 3, n)  # the i, f, g blocks all scale dc
        da_o = da[:, 3 * n:]
        rec = np.zeros(n, np.float32)
        dc_next = np.zeros(n, np.float32)  # d l / d c_{s+1} times f_{s+1}
        add, mul, dot = np.add, np.multiply, np.dot  # every op writes into place: no allocation
        for j in range(n_s - 1, -1, -1):
            k_c, k_a, f, _ = caches[j]
            h, c, ka = dh[j], dc[j], k_a[0]
            add(d_in[j], rec, out=h)
            mul(h, k_c[0], out=c)
            add(c, dc_next, out=c)
            mul(c, ka[: 3 * n].reshape(3, n), out=da3[j])
            mul(h, ka[3 * n:], out=da_o[j])
            dot(da[j], w_hh, out=rec)
            mul(c, f[0], out=dc_next)
        return Chain(_sq_rows(dh), _sq_rows(dc), da @ self.p.w_ih)

    def gate_values(self, cache: tuple) -> dict[str, F32]:
        act, n = cache[3], self.hidden
        return {g: act[:, k * n:(k + 1) * n] for k, g in enumerate(self.gates)}


class GRUCell(Cell):
    """Gates r, z, n; n = tanh(W_in x + b_in + r*(W_hn h + b_hn)); h' = (1-z)*n + z*h.

    Cache: (k_x (1,3H), k_h (1,3H), z (1,H), gates (1,3H)). With u = [dh, dh, dh]:
    d a_x = u*k_x (into W_ih), d a_h = u*k_h (into W_hh), dh_prev = d a_h W_hh + dh*z.
    """

    gates = ("r", "z", "n")

    def __init__(self, p: LayerParams) -> None:
        super().__init__(p)
        n = self.hidden
        self.b_x = p.b_ih.copy()
        self.b_x[: 2 * n] += p.b_hh[: 2 * n]
        self.b_hn = p.b_hh[2 * n:]

    def forward(self, x: F32, h: F32, c: F32 | None = None) -> tuple[F32, None, tuple]:
        n = self.hidden
        ax = x @ self.w_ih_t + self.b_x  # (B, 3H); r, z biases folded in
        ah = h @ self.w_hh_t  # (B, 3H)
        act = sigmoid(ax + ah)
        r, z = act[:, :n], act[:, n:2 * n]
        hn = ah[:, 2 * n:] + self.b_hn
        cand = np.tanh(ax[:, 2 * n:] + r * hn)
        act[:, 2 * n:] = cand
        k_n = (1.0 - z) * (1.0 - cand * cand)
        k_r = k_n * hn * r * (1.0 - r)
        k_z = (h - cand) * z * (1.0 - z)
        k_x = np.concatenate((k_r, k_z, k_n), axis=1)
        k_h = np.concatenate((k_r, k_z, k_n * r), axis=1)
        return (1.0 - z) * cand + z * h, None, (k_x, k_h, z, act)

    def backward(self, dh: F32, dc: F32 | None, cache: tuple) -> Backward:
        k_x, k_h, z, _ = cache
        u = np.concatenate((dh, dh, dh), axis=1)
        dh_prev = (u * k_h) @ self.p.w_hh
        dh_prev += dh * z
        return Backward((u * k_x) @ self.p.w_ih, dh_prev, None, None)

    def chain(self, d_in: F32, caches: Sequence[tuple]) -> Chain:
        n_s, n, w_hh = len(caches), self.hidden, self.p.w_hh
        dh = np.empty_like(d_in)  # (S, H) d l / d h_s
        dax = np.empty((n_s, 3, n), np.float32)  # d a_x, into W_ih
        dah = np.empty((3, n), np.float32)  # d a_h of the current step, into W_hh
        dah_flat = dah.reshape(3 * n)
        rec = np.zeros(n, np.float32)
        for j in range(n_s - 1, -1, -1):
            k_x, k_h, z, _ = caches[j]
            h = dh[j]
            np.add(d_in[j], rec, out=h)
            np.multiply(h, k_x[0].reshape(3, n), out=dax[j])
            np.multiply(h, k_h[0].reshape(3, n), out=dah)
            np.dot(dah_flat, w_hh, out=rec)
            rec += h * z[0]
        return Chain(_sq_rows(dh), None, dax.reshape(n_s, 3 * n) @ self.p.w_ih)

    def gate_values(self, cache: tuple) -> dict[str, F32]:
        act, n = cache[3], self.hidden
        return {g: act[:, k * n:(k + 1) * n] for k, g in enumerate(self.gates)}


def make_cell(cell: str, p: LayerParams) -> Cell:
    """Cell object for a cell name ('rnn_tanh', 'rnn_relu', 'lstm', 'gru')."""
    if cell == "lstm":
        return LSTMCell(p)
    if cell == "gru":
        return GRUCell(p)
    return RNNCell(p, relu=cell == "rnn_relu")
