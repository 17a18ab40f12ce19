"""Unit contributions plus the bias equal torch's logit; the batched ablation effect equals
one separate intervened rerun per unit."""

from __future__ import annotations

import numpy as np
import pytest

from rnnviz.engine.attribution import ablation_effect, logit_attribution
from rnnviz.engine.intervention import Intervention, UnitEdit
from rnnviz.engine.network import RNNLM
from rnnviz.engine.params import CELLS, random_params
from tests.engine.torch_ref import torch_forward_logits

IDS = [4, 8, 15, 16, 23, 2, 0, 1]


@pytest.mark.parametrize("cell", CELLS)
def test_contributions_sum_to_torch_logit(cell: str) -> None:
    p = random_params(cell, 30, 12, layers=2, embedding=7, seed=5, scale=0.8)
    model = RNNLM(p)
    recs = model.run(IDS)
    ref = torch_forward_logits(p, IDS)  # (T, V) from nn.LSTM/GRU/RNN + linear
    for t in (0, 3, len(IDS) - 1):
        for y in (0, 7, 29):
            a = logit_attribution(model, recs[t].h[-1], y)
            np.testing.assert_allclose(a.total, ref[t, y], rtol=1e-5, atol=1e-5)
            np.testing.assert_allclose(a.bias, p.decoder_b[y])
            manual = [p.decoder_w[y, j] * recs[t].h[-1, j] for j in range(12)]
            np.testing.assert_allclose(a.contributions, manual, rtol=1e-6, atol=1e-7)
        c = logit_attribution(model, recs[t].h[-1], 3, contrast=11)
        np.testing.assert_allclose(c.total, ref[t, 3] - ref[t, 11], rtol=1e-5, atol=1e-5)


def test_top_units_are_signed_and_ordered() -> None:
    p = random_params("lstm", 30, 16, seed=1, scale=1.0)
    model = RNNLM(p)
    a = logit_attribution(model, model.run(IDS)[-1].h[-1], 5)
    pos, neg = a.top(4)
    assert all(a.contributions[j] > 0 for j in pos) and all(a.contributions[j] < 0 for j in neg)
    assert list(a.contributions[pos]) == sorted(a.contributions[pos], reverse=True)
    assert a.contributions[pos[0]] == a.contributions.max()
    assert a.contributions[neg[0]] == a.contributions.min()


def _logp(logits: np.ndarray, y: int) -> float:
    z = logits.astype(np.float64)
    return float(z[y] - z.max() - np.log(np.exp(z - z.max()).sum()))


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("layer", [0, 1, 2])
def test_ablation_effect_equals_separate_reruns(cell: str, layer: int) -> None:
    p = random_params(cell, 25, 6, layers=3, embedding=5, seed=9, scale=0.9)
    model = RNNLM(p)
    base_iv = Intervention((UnitEdit(1, 2, "clamp", 0.5, step=0),))  # an intervened run too
    for iv in (Intervention(), base_iv):
        recs = model.run(IDS, intervention=iv)
        t, y, b = 5, 7, 3
        eff = ablation_effect(model, recs, t, layer, y)
        con = ablation_effect(model, recs, t, layer, y, contrast=b)
        for j in range(6):
            cut = Intervention((*iv.edits, UnitEdit(layer, j, "ablate", step=t, only=True)))
            z = model.run(IDS, intervention=cut)[t].logits
            z0 = recs[t].logits
            np.testing.assert_allclose(eff[j], _logp(z, y) - _logp(z0, y), atol=2e-5)
            np.testing.assert_allclose(
                con[j], (_logp(z, y) - _logp(z, b)) - (_logp(z0, y) - _logp(z0, b)), atol=2e-5)


def test_ablation_effect_at_the_first_step_from_a_given_state() -> None:
    p = random_params("lstm", 25, 6, layers=2, seed=4, scale=0.9)
    model = RNNLM(p)
    start = model.run([3, 4])[-1].state
    recs = model.run(IDS, start)
    eff = ablation_effect(model, recs, 0, 0, 2, initial=start)
    z0 = recs[0].logits
    for j in range(6):
        z = model.run(IDS[:1], start, Intervention((UnitEdit(0, j, step=0, only=True),)))[0]
        np.testing.assert_allclose(eff[j], _logp(z.logits, 2) - _logp(z0, 2), atol=2e-5)
