"""Step-Jacobian spectral norms and forget-gate products against torch (float64 autograd)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnnviz.engine.jacobian import forget_gate_mean, forget_product, jacobian_norms
from rnnviz.engine.network import RNNLM
from rnnviz.engine.params import CELLS, ModelParams, random_params
from tests.engine.torch_ref import reference


def _torch_cell(p: ModelParams, k: int) -> torch.nn.Module:
    layer = p.layers[k]
    if p.cell == "lstm":
        cell: torch.nn.Module = torch.nn.LSTMCell(layer.input_size, layer.hidden_size)
    elif p.cell == "gru":
        cell = torch.nn.GRUCell(layer.input_size, layer.hidden_size)
    else:
        cell = torch.nn.RNNCell(layer.input_size, layer.hidden_size, nonlinearity=p.cell[4:])
    cell.double().load_state_dict({n: torch.from_numpy(v.astype(np.float64)) for n, v in zip(
        ("weight_ih", "weight_hh", "bias_ih", "bias_hh"),
        (layer.w_ih, layer.w_hh, layer.b_ih, layer.b_hh), strict=True)})
    return cell


def torch_norms(p: ModelParams, ids: list[int]) -> np.ndarray:
    """(L, T): matrix_norm(jacobian(one step), ord=2), the layer's input held fixed."""
    ref = reference(p, ids, ids)
    n_layers, n = p.num_layers, p.hidden_size
    out = np.full((n_layers, len(ids)), np.nan)
    for k in range(n_layers):
        cell = _torch_cell(p, k)
        for t in range(1, len(ids)):
            x = (p.embedding[ids[t]] if k == 0 else ref.h[k - 1, t]).astype(np.float64)
            xt = torch.from_numpy(np.asarray(x, np.float64))[None]
            if p.cell == "lstm":
                assert ref.c is not None
                s0 = torch.from_numpy(np.concatenate([ref.h[k, t - 1], ref.c[k, t - 1]]))

                def f(s: torch.Tensor, cell: torch.nn.Module = cell,
                      xt: torch.Tensor = xt) -> torch.Tensor:
                    h, c = cell(xt, (s[None, :n], s[None, n:]))
                    return torch.cat([h[0], c[0]])
            else:
                s0 = torch.from_numpy(ref.h[k, t - 1].astype(np.float64))

                def f(s: torch.Tensor, cell: torch.nn.Module = cell,
                      xt: torch.Tensor = xt) -> torch.Tensor:
                    return cell(xt, s[None])[0]  # type: ignore[no-any-return]
            jac = torch.autograd.functional.jacobian(f, s0)
            out[k, t] = float(torch.linalg.matrix_norm(jac, ord=2))
    return out


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("hidden", [7, 56])  # 56: above the size where Lanczos takes over
def test_jacobian_norms_match_torch(cell: str, hidden: int) -> None:
    p = random_params(cell, 13, hidden, layers=2, embedding=5, seed=CELLS.index(cell),
                      scale=1.1 if hidden < 10 else 0.4)
    ids = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3]
    got = jacobian_norms(RNNLM(p), RNNLM(p).run(ids))
    want = torch_norms(p, ids)
    assert np.isnan(got[:, 0]).all()
    np.testing.assert_allclose(got[:, 1:], want[:, 1:], rtol=1e-4)
    assert got.shape == (2, len(ids)) and (got[:, 1:] > 0).all()


def test_forget_gates() -> None:
    p = random_params("lstm", 13, 6, layers=2, seed=3, scale=0.8)
    ids = [1, 2, 3, 4, 5, 6, 7]
    recs = RNNLM(p).run(ids)
    ref = reference(p, ids, ids)
    f = ref.gates["f"]  # (L, T, H), torch's own gate equations
    mean = forget_gate_mean(recs)
    assert mean is not None
    np.testing.assert_allclose(mean, f.mean(axis=2), rtol=1e-5)
    prod = forget_product(np.stack([r.gates["f"] for r in recs], axis=1), 2)
    assert np.isnan(prod[:, :2]).all()
    np.testing.assert_allclose(prod[:, 2], 1.0)
    for t in range(3, len(ids)):
        np.testing.assert_allclose(prod[:, t], np.prod(f[:, 3:t + 1], axis=1), rtol=1e-5)
    assert forget_gate_mean(RNNLM(random_params("gru", 5, 3)).run([1, 2])) is None


@pytest.mark.parametrize("cell", CELLS)
def test_the_product_of_norms_bounds_the_top_layer_gradient(cell: str) -> None:
    """||d l_t / d s_{t-d}|| <= ||d l_t / d s_t|| * prod_{u=t-d+1..t} ||J_u|| (top layer)."""
    from rnnviz.engine.bptt import default_targets, gradient_norms

    p = random_params(cell, 11, 6, layers=2, seed=7, scale=1.3)
    net = RNNLM(p)
    recs = net.run([1, 5, 2, 8, 3, 3, 9, 0, 4, 7, 6, 2])
    g = gradient_norms(net, recs, default_targets(recs)[0])
    top = g.h[-1].astype(np.float64) ** 2
    if g.c is not None:
        top += g.c[-1].astype(np.float64) ** 2
    top = np.sqrt(top)  # (T, T): the norm of the whole state (h, c) of the top layer
    norms = jacobian_norms(net, recs)[-1]
    for t in range(len(recs)):
        for s in range(t):
            bound = top[t, t] * np.prod(norms[s + 1:t + 1])
            assert top[t, s] <= bound * (1 + 1e-4) + 1e-7


@pytest.mark.parametrize("kind", ["random", "orthogonal", "clustered", "rank1", "tiny"])
def test_spectral_norm_equals_the_svd(kind: str) -> None:
    from rnnviz.engine.jacobian import spectral_norm

    rng = np.random.default_rng(5)
    n = 300
    if kind == "random":
        a = rng.standard_normal((n, n))
    elif kind == "orthogonal":  # every singular value is 1
        a = np.linalg.qr(rng.standard_normal((n, n)))[0]
    elif kind == "clustered":  # the top three within 1e-6 of each other
        u, _ = np.linalg.qr(rng.standard_normal((n, n)))
        v, _ = np.linalg.qr(rng.standard_normal((n, n)))
        s = np.linspace(0.1, 0.9, n)
        s[-3:] = [2.0, 2.0 - 1e-6, 2.0 - 2e-6]
        a = (u * s) @ v.T
    elif kind == "rank1":
        a = np.outer(rng.standard_normal(n), rng.standard_normal(n))
    else:
        a = rng.standard_normal((7, 7))
    a = a.astype(np.float32)
    want = np.linalg.norm(a.astype(np.float64), 2)
    np.testing.assert_allclose(spectral_norm(a), want, rtol=1e-9)


@pytest.mark.parametrize("cell", CELLS)
def test_closed_form_equals_the_cells_backward(cell: str) -> None:
    from rnnviz.engine.jacobian import backward_jacobian, step_jacobian

    p = random_params(cell, 9, 11, layers=2, seed=4, scale=1.0)
    net = RNNLM(p)
    for rec in net.run([1, 3, 5, 7, 2]):
        for k, c in enumerate(net.cells):
            np.testing.assert_allclose(step_jacobian(c, rec.caches[k]),
                                       backward_jacobian(c, rec.caches[k]), rtol=1e-5, atol=1e-7)
