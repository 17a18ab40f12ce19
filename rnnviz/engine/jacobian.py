"""Why gradients vanish: the step Jacobians of the recurrence and the LSTM's forget gates.

Within layer l, with the layer's input at t held fixed, the state map s_{t-1} -> s_t has the
Jacobian J_t = d s_t / d s_{t-1}: s = h for RNN and GRU cells, s = (h, c) for the LSTM
(a 2H x 2H matrix). For the top layer, the chain rule gives
||d l_t / d s_{t-d}|| <= ||d l_t / d s_t|| * prod_{u=t-d+1..t} ||J_u||_2: the gradient at distance d
is at most the product of the d spectral norms. Along the LSTM's cell path alone the factor is
the running product of forget gates, prod f_u (elementwise).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from rnnviz.engine.cells import F32, Cell, GRUCell, LSTMCell, RNNCell
from rnnviz.engine.network import RNNLM, StepRecord

F64 = NDArray[np.float64]


def step_jacobian(cell: Cell, cache: tuple) -> F32:
    """J[i, j] = d s_t,i / d s_{t-1},j of one cached step: (H, H), or (2H, 2H) for the LSTM with
    the state ordered (h, c). From the cached local derivatives in closed form (rows of W_hh
    scaled: O(G H^2)); other cells through :func:`backward_jacobian`."""
    if type(cell) is RNNCell:
        out: F32 = cache[0][0][:, None] * cell.p.w_hh
        return out
    if type(cell) is GRUCell:
        return _gru_jacobian(cell, cache)
    if type(cell) is LSTMCell:
        return _lstm_jacobian(cell, cache)
    return backward_jacobian(cell, cache)


def _blocks(w: F32, n: int) -> list[F32]:
    """The G row blocks (H, H) of a (G*H, H) recurrent weight."""
    return [w[k * n:(k + 1) * n] for k in range(w.shape[0] // n)]


def _gru_jacobian(cell: GRUCell, cache: tuple) -> F32:
    """dh_prev = (u * k_h) W_hh + dh * z with u = [dh, dh, dh] and dh = I."""
    n = cell.hidden
    k_h, z = cache[1][0], cache[2][0]
    w_r, w_z, w_n = _blocks(cell.p.w_hh, n)
    out: F32 = k_h[:n, None] * w_r + k_h[n:2 * n, None] * w_z + k_h[2 * n:, None] * w_n
    out[np.diag_indices(n)] += z
    return out


def _lstm_jacobian(cell: LSTMCell, cache: tuple) -> F32:
    """Rows of h_t: dc = k_c (diagonal), da = [dc, dc, dc, 1] * k_a; rows of c_t: dc = 1,
    da = [1, 1, 1, 0] * k_a; dh_prev = da W_hh, dc_prev = dc * f (diagonal)."""
    n = cell.hidden
    k_c, k_a, f = cache[0][0], cache[1][0], cache[2][0]
    ka = [k_a[k * n:(k + 1) * n, None] for k in range(4)]
    w_i, w_f, w_g, w_o = _blocks(cell.p.w_hh, n)
    from_c = ka[0] * w_i + ka[1] * w_f + ka[2] * w_g  # d c_t / d h_{t-1}
    from_h = k_c[:, None] * from_c + ka[3] * w_o  # d h_t / d h_{t-1}
    return np.block([[from_h, np.diag(k_c * f)], [from_c, np.diag(f)]]).astype(np.float32)


def backward_jacobian(cell: Cell, cache: tuple) -> F32:
    """The same matrix built by the cell's own backward applied to identity rows (any cell;
    O(G H^3))."""
    n = cell.hidden
    eye = np.eye(n, dtype=np.float32)
    if not isinstance(cell, LSTMCell):
        out: F32 = cell.backward(eye, None, cache).dh_prev
        return out
    zero = np.zeros((n, n), np.float32)
    from_h = cell.backward(eye, zero, cache)  # rows: d h_t,i / d (h_{t-1}, c_{t-1})
    from_c = cell.backward(zero, eye, cache)  # rows: d c_t,i / d (h_{t-1}, c_{t-1})
    assert from_h.dc_prev is not None and from_c.dc_prev is not None
    return np.block([[from_h.dh_prev, from_h.dc_prev], [from_c.dh_prev, from_c.dc_prev]])


_EXACT_BELOW = 48  # smaller matrices: a full SVD is as fast
_LANCZOS_STEPS = 96
_CHECK_EVERY = 4


def spectral_norm(j: F32, rtol: float = 1e-10) -> float:
    """Largest singular value, in float64. Lanczos on J^T J with full reorthogonalisation,
    stopped when the Ritz residual (which bounds the eigenvalue error) is below rtol of the top
    Ritz value; a full SVD when that has not happened in 96 steps, or for small matrices."""
    a = j.astype(np.float64)
    n = a.shape[1]
    if n < _EXACT_BELOW:
        return float(np.linalg.norm(a, 2))
    steps = min(n, _LANCZOS_STEPS)
    q = np.zeros((steps + 1, n))
    q[0] = np.random.default_rng(0).standard_normal(n)
    q[0] /= np.linalg.norm(q[0])
    alpha, beta = np.zeros(steps), np.zeros(steps)
    for k in range(steps):
        w = a.T @ (a @ q[k])
        alpha[k] = q[k] @ w
        w -= q[: k + 1].T @ (q[: k + 1] @ w)  # full reorthogonalisation (twice is enough)
        w -= q[: k + 1].T @ (q[: k + 1] @ w)
        beta[k] = np.linalg.norm(w)
        if k % _CHECK_EVERY == _CHECK_EVERY - 1 or k == steps - 1 or beta[k] == 0.0:
            top, last = _ritz_top(alpha[: k + 1], beta[:k])
            if beta[k] * abs(last) <= rtol * top:
                return float(np.sqrt(top))
        if beta[k] == 0.0:
            break
        q[k + 1] = w / beta[k]
    return float(np.linalg.norm(a, 2))


def _ritz_top(alpha: F64, beta: F64) -> tuple[float, float]:
    """Largest eigenvalue of the tridiagonal (alpha, beta) and the last component of its
    eigenvector."""
    t = np.diag(alpha) + np.diag(beta, 1) + np.diag(beta, -1)
    vals, vecs = np.linalg.eigh(t)
    return float(vals[-1]), float(vecs[-1, -1])


def jacobian_norms(model: RNNLM, records: Sequence[StepRecord], first: int = 1) -> F64:
    """||d s_t / d s_{t-1}||_2 per layer and step, (L, T); NaN for t < first (t = 0 has no
    previous step in the trace)."""
    out = np.full((model.num_layers, len(records)), np.nan)
    for t in range(max(first, 1), len(records)):
        for k, cell in enumerate(model.cells):
            out[k, t] = spectral_norm(step_jacobian(cell, records[t].caches[k]))
    return out


def forget_gate_mean(records: Sequence[StepRecord]) -> F64 | None:
    """Mean forget-gate value over units per layer and step, (L, T); None without an 'f' gate."""
    if not records or "f" not in records[0].gates:
        return None
    return np.stack([r.gates["f"].astype(np.float64).mean(axis=1) for r in records], axis=1)


def forget_product(forget: F32, since: int) -> F64:
    """Running product of forget gates since step ``since``: P[l, t] = prod_{u=since+1..t} f_u
    (the factor d c_t / d c_since along the cell path alone), (L, T, H) from f (L, T, H);
    1 at t = since, NaN before it."""
    n_layers, n_steps, hid = forget.shape
    out = np.full((n_layers, n_steps, hid), np.nan)
    if 0 <= since < n_steps:
        out[:, since:] = np.cumprod(
            np.concatenate([np.ones((n_layers, 1, hid)),
                            forget[:, since + 1:].astype(np.float64)], axis=1), axis=1)
    return out
