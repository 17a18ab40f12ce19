"""Generation: beam search against brute-force enumeration, sampling filters against a direct
computation, every log-probability against a rerun of the whole text."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from rnnviz.engine.generate import Sampling, beam_search, distribution, sample
from rnnviz.engine.intervention import Intervention, UnitEdit
from rnnviz.engine.network import RNNLM
from rnnviz.engine.params import CELLS, random_params

PROMPT = [1, 3, 0]


def _logp_of(model: RNNLM, ids: list[int], n_new: int,
             iv: Intervention | None = None) -> float:
    """log p of the last n_new tokens of ids, by one plain run of the whole sequence."""
    recs = model.run(ids, intervention=iv)
    total = 0.0
    for t in range(len(ids) - n_new, len(ids)):
        z = recs[t - 1].logits.astype(np.float64)
        total += z[ids[t]] - z.max() - np.log(np.exp(z - z.max()).sum())
    return total


def _start(model: RNNLM, iv: Intervention | None = None):  # type: ignore[no-untyped-def]
    recs = model.run(PROMPT, intervention=iv)
    return recs[-1].state, recs[-1].logits


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("width", [1, 2, 3])
def test_beam_search_keeps_the_best_extensions_at_every_depth(cell: str, width: int) -> None:
    vocab, n = 4, 3
    model = RNNLM(random_params(cell, vocab, 5, layers=2, seed=8, scale=1.5))
    tree = beam_search(model, *_start(model), n, width)
    score = {seq: _logp_of(model, PROMPT + list(seq), len(seq))
             for d in range(1, n + 1) for seq in itertools.product(range(vocab), repeat=d)}
    kept: list[tuple[int, ...]] = [()]
    for d in range(1, n + 1):
        ext = [(*k, v) for k in kept for v in range(vocab)]
        kept = sorted(ext, key=lambda s: -score[s])[:width]
        nodes = [x for x in tree.nodes if x.depth == d]
        assert sorted(tuple(tree.path(x.index)) for x in nodes) == sorted(kept)
        for x in nodes:
            np.testing.assert_allclose(x.logp, score[tuple(tree.path(x.index))], atol=1e-5)
    assert tuple(tree.best()) == kept[0]


def test_a_wide_beam_finds_the_brute_force_optimum() -> None:
    vocab, n = 4, 4
    model = RNNLM(random_params("lstm", vocab, 6, layers=1, seed=2, scale=2.0))
    tree = beam_search(model, *_start(model), n, width=vocab ** (n - 1))
    best = max(itertools.product(range(vocab), repeat=n),
               key=lambda s: _logp_of(model, PROMPT + list(s), n))
    assert tuple(tree.best()) == best
    greedy = sample(model, *_start(model), n, Sampling(0.0), np.random.default_rng(0))
    assert beam_search(model, *_start(model), n, 1).best() == greedy.ids


def test_beam_search_under_an_intervention() -> None:
    model = RNNLM(random_params("gru", 4, 5, layers=2, seed=3, scale=1.5))
    iv = Intervention((UnitEdit(1, 2, "clamp", 0.9, step=4),))  # step 4 = the 2nd new token
    tree = beam_search(model, *_start(model, iv), 3, 2, iv, start=len(PROMPT))
    for x in tree.nodes[1:]:
        path = tree.path(x.index)
        np.testing.assert_allclose(x.logp, _logp_of(model, PROMPT + path, len(path), iv),
                                   atol=1e-5)


def _filtered(p: np.ndarray, k: int, top_p: float) -> np.ndarray:
    """Reference: walk the tokens from most to least likely, one at a time."""
    ranked = sorted(range(len(p)), key=lambda i: (-p[i], i))
    ranked = ranked[:k] if k else ranked
    mass_k = sum(p[i] for i in ranked)
    chosen, mass = [], 0.0
    for i in ranked:
        chosen.append(i)
        mass += p[i] / mass_k
        if mass >= top_p - 1e-12:
            break
    out = np.zeros_like(p)
    out[chosen] = p[chosen]
    return out / out.sum()


@pytest.mark.parametrize(("temp", "k", "top_p"), [(1.0, 0, 1.0), (0.7, 3, 1.0), (1.3, 0, 0.6),
                                                  (1.0, 5, 0.8), (2.0, 1, 0.5)])
def test_sampling_distribution_equals_a_direct_computation(temp: float, k: int,
                                                           top_p: float) -> None:
    logits = np.random.default_rng(1).normal(size=12).astype(np.float32) * 2
    z = logits.astype(np.float64) / temp
    p = np.exp(z - z.max())
    np.testing.assert_allclose(distribution(logits, Sampling(temp, k, top_p)),
                               _filtered(p / p.sum(), k, top_p), atol=1e-12)


def test_same_seed_same_text_and_tokens_come_from_the_filtered_set() -> None:
    model = RNNLM(random_params("lstm", 30, 8, layers=2, seed=4, scale=1.2))
    s = Sampling(1.2, top_k=4)
    a = sample(model, *_start(model), 12, s, np.random.default_rng(7))
    b = sample(model, *_start(model), 12, s, np.random.default_rng(7))
    c = sample(model, *_start(model), 12, s, np.random.default_rng(8))
    assert a == b and a.ids != c.ids
    recs = model.run(PROMPT + a.ids)
    for i, tok in enumerate(a.ids):
        z = recs[len(PROMPT) - 1 + i].logits
        assert tok in np.argsort(-z)[:4]
        np.testing.assert_allclose(a.logps[i], _logp_of(model, PROMPT + a.ids[: i + 1], 1),
                                   atol=1e-5)


def test_bad_sampling_settings_are_refused() -> None:
    for kw in ({"temperature": -1}, {"top_k": -2}, {"top_p": 0.0}, {"top_p": 1.5}):
        with pytest.raises(ValueError):
            Sampling(**kw)  # type: ignore[arg-type]


def test_progress_can_cancel_generation() -> None:
    from rnnviz.engine.bptt import Cancelled

    model = RNNLM(random_params("lstm", 30, 8, seed=4))
    seen: list[float] = []

    def stop_half(f: float) -> bool:
        seen.append(f)
        return f < 0.5

    with pytest.raises(Cancelled):
        beam_search(model, *_start(model), 6, 3, progress=stop_half)
    assert seen == [1 / 6, 2 / 6, 3 / 6]
    with pytest.raises(Cancelled):
        sample(model, *_start(model), 4, Sampling(1.0), np.random.default_rng(0),
               progress=lambda f: f < 0.5)
