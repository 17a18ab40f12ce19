"""session.vanishing: step factors and the chain-rule bound, against direct engine calls."""

from __future__ import annotations

import numpy as np

from rnnviz.checkpoints.vocab import Vocab, ids_to_tokens
from rnnviz.engine.jacobian import jacobian_norms
from rnnviz.engine.network import RNNLM
from rnnviz.engine.params import random_params
from rnnviz.session.gradients import GradientStore
from rnnviz.session.trace import run_trace
from rnnviz.session.vanishing import gradient_bound, step_factors, top_state_gradient


def test_factors_and_bound() -> None:
    p = random_params("lstm", 10, 6, layers=2, seed=8, scale=1.2)
    net = RNNLM(p)
    trace = run_trace(net, ids_to_tokens([1, 4, 2, 7, 3, 3, 9, 0], Vocab(tuple("abcdefghij"))),
                      None)
    f = step_factors(net, trace)
    np.testing.assert_array_equal(f.norms, jacobian_norms(net, trace.records))
    assert f.forget is not None and f.forget_mean is not None
    np.testing.assert_allclose(f.forget_mean, trace.states("f").mean(axis=2), rtol=1e-6)
    t = 6
    g = top_state_gradient(GradientStore(net, trace, None).row(t))
    bound = gradient_bound(f.norms[-1], float(g[t]), t)
    for s in range(t + 1):
        np.testing.assert_allclose(bound[s], g[t] * np.prod(f.norms[-1, s + 1 : t + 1]))
    assert np.all(g <= bound * (1 + 1e-5))
    gru = RNNLM(random_params("gru", 10, 4))
    assert step_factors(gru, run_trace(gru, trace.tokens, None)).forget is None
