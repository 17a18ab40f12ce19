"""The CBOW engine equals a torch CBOW (nn.Embedding + mean + nn.Linear, float64 autograd)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnnviz.engine.bptt import default_targets
from rnnviz.engine.cbow import CbowLM, CbowState
from rnnviz.engine.cbow_params import CbowParams, random_cbow
from rnnviz.engine.factory import build_engine, engine_gradient_rows


class TorchCbow(torch.nn.Module):
    """The order-blind language model as a user would write it in torch."""

    def __init__(self, vocab: int, dim: int, window: int) -> None:
        super().__init__()
        self.window = window
        self.encoder = torch.nn.Embedding(vocab, dim)
        self.decoder = torch.nn.Linear(dim, vocab)

    def forward(self, e: torch.Tensor) -> torch.Tensor:
        """e: (T, D) the embedded tokens -> (T, D) window means."""
        rows = [e[max(0, t - self.window + 1):t + 1].mean(0) for t in range(e.shape[0])]
        return torch.stack(rows)


def torch_cbow(p: CbowParams) -> TorchCbow:
    mod = TorchCbow(p.vocab_size, p.embedding_size, p.window).double()
    mod.load_state_dict({"encoder.weight": torch.from_numpy(p.embedding.astype(np.float64)),
                         "decoder.weight": torch.from_numpy(p.decoder_w.astype(np.float64)),
                         "decoder.bias": torch.from_numpy(p.decoder_b.astype(np.float64))})
    return mod


def torch_reference(p: CbowParams, ids: list[int], targets: np.ndarray,
                    truncate: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """logits (T, V), h (T, D), grad_h (T, T), grad_in (T, T) (NaN for s > t) by autograd:
    every l_t differentiated on its own; truncation detaches the embeddings outside t's block."""
    mod = torch_cbow(p)
    n = len(ids)
    grad_h = np.full((n, n), np.nan)
    grad_in = np.full((n, n), np.nan)
    for t in range(n):
        e = mod.encoder(torch.tensor(ids)).detach().requires_grad_(True)
        lo = (t // truncate) * truncate if truncate else 0
        mask = torch.zeros(n, 1, dtype=torch.float64)
        mask[lo:] = 1.0
        e_used = e * mask + (e * (1 - mask)).detach()
        h = mod(e_used)
        h.retain_grad()
        logits = mod.decoder(h)
        loss = torch.nn.functional.cross_entropy(logits[t:t + 1], torch.tensor([targets[t]]))
        loss.backward()
        grad_h[t, :t + 1] = h.grad.norm(dim=1).numpy()[:t + 1]  # type: ignore[union-attr]
        grad_in[t, :t + 1] = e.grad.norm(dim=1).numpy()[:t + 1]  # type: ignore[union-attr]
    with torch.no_grad():
        h = mod(mod.encoder(torch.tensor(ids)))
        logits = mod.decoder(h)
    return logits.numpy(), h.numpy(), grad_h, grad_in


def close(actual: np.ndarray, desired: np.ndarray) -> None:
    np.testing.assert_allclose(actual, desired, rtol=1e-5, atol=1e-6, equal_nan=True)


@pytest.mark.parametrize(("window", "truncate", "seed"),
                         [(2, None, 0), (3, None, 1), (5, None, 2), (10, None, 3),
                          (4, 3, 4), (3, 1, 5), (6, 4, 6)])
def test_matches_torch_cbow(window: int, truncate: int | None, seed: int) -> None:
    p = random_cbow(23, 7, window, seed=seed)
    ids = [int(i) for i in np.random.default_rng(seed).integers(0, 23, 13)]
    engine = build_engine(p)
    assert isinstance(engine, CbowLM)
    recs = engine.run(ids)
    targets, _ = default_targets(recs)
    logits, h, grad_h, grad_in = torch_reference(p, ids, targets, truncate)
    close(np.stack([r.logits for r in recs]), logits)
    close(np.stack([r.h[0] for r in recs]), h)
    rows = engine_gradient_rows(engine, recs, targets, 0, len(ids), truncate)
    assert rows.c is None and rows.h.shape == (1, len(ids), len(ids))
    close(rows.h[0], grad_h)
    close(rows.inputs, grad_in)


def test_gradient_shows_exactly_n_steps() -> None:
    window, n = 4, 12
    p = random_cbow(17, 5, window, seed=9)
    engine = CbowLM(p)
    recs = engine.run(list(range(n)))
    targets, _ = default_targets(recs)
    rows = engine_gradient_rows(engine, recs, targets, 2, n)
    for i, t in enumerate(range(2, n)):
        nonzero = np.flatnonzero(np.nan_to_num(rows.inputs[i]) > 0)
        assert list(nonzero) == list(range(max(0, t - window + 1), t + 1))
        assert list(np.flatnonzero(np.nan_to_num(rows.h[0, i]) > 0)) == [t]


def test_order_inside_window_is_invisible() -> None:
    p = random_cbow(30, 8, 4, seed=3)
    engine = CbowLM(p)
    text = [5, 6, 7, 8, 9, 10, 11]
    base = engine.run(text)[-1].probs
    inside = text.copy()
    inside[4], inside[6] = inside[6], inside[4]  # both among the last 4 words
    across = text.copy()
    across[2], across[6] = across[6], across[2]  # position 2 is outside the last 4
    np.testing.assert_allclose(engine.run(inside)[-1].probs, base, atol=1e-6)
    assert np.abs(engine.run(across)[-1].probs - base).max() > 1e-4
    probs_torch = torch.softmax(torch_cbow(p).decoder(torch_cbow(p)(
        torch_cbow(p).encoder(torch.tensor(inside))))[-1], 0).detach().numpy()
    np.testing.assert_allclose(base, probs_torch, atol=1e-6)


def test_state_continues_a_stream_and_batch_forward_agrees() -> None:
    p = random_cbow(19, 6, 5, seed=4)
    engine = CbowLM(p)
    ids = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3]
    whole = engine.run(ids)
    first = engine.run(ids[:3])
    rest = engine.run(ids[3:], first[-1].state)
    for a, b in zip(whole, first + rest, strict=True):
        close(a.logits, b.logits)
        close(a.h, b.h)
    state = whole[-1].state
    assert isinstance(state, CbowState) and list(state.prev[0]) == ids[-4:]
    batch = np.array([ids, ids[::-1]])
    logits, final = engine.forward(batch)
    close(logits[0], np.stack([r.logits for r in whole]))
    close(logits[1], np.stack([r.logits for r in engine.run(ids[::-1])]))
    more, _ = engine.forward(batch[:, 6:], engine.forward(batch[:, :6])[1])
    close(more, logits[:, 6:])
    assert isinstance(final, CbowState) and final.prev.shape == (2, 4)


def test_engine_contract() -> None:
    engine = CbowLM(random_cbow(11, 4, 3))
    assert engine.layer_labels() == ("window mean",)
    assert (engine.num_layers, engine.hidden_size, engine.is_lstm) == (1, 4, False)
    assert engine.gate_names == () and engine.task == "lm" and not engine.sees_future
    rec = engine.step(2)
    assert rec.h.shape == (1, 4) and rec.probs.shape == (11,)
    np.testing.assert_allclose(rec.h[0], engine.params.embedding[2], atol=1e-7)
