"""with_target: a chosen traced word at any step, its loss and gradients against torch."""

from __future__ import annotations

import numpy as np
import pytest

from rnnviz.checkpoints.vocab import Vocab, ids_to_tokens
from rnnviz.engine.bptt import gradient_rows
from rnnviz.engine.network import RNNLM
from rnnviz.engine.params import random_params
from rnnviz.session.trace import run_trace, with_target
from tests.engine.torch_ref import reference

IDS = [2, 7, 1, 8, 2, 8, 1, 8]


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn_tanh"])
def test_chosen_target_mid_sentence(cell: str) -> None:
    p = random_params(cell, 12, 7, layers=2, embedding=4, seed=2, scale=0.9)
    net = RNNLM(p)
    vocab = Vocab(tuple(f"w{i}" for i in range(12)))
    trace = run_trace(net, ids_to_tokens(IDS, vocab), None)
    t, word = 4, 11
    chosen = with_target(trace, t, word)
    assert chosen.records is trace.records and trace.targets[t] == IDS[t + 1]  # original intact
    assert chosen.targets[t] == word and chosen.is_choice(t) and not trace.is_choice(t)
    assert not chosen.target_is_prediction[t]
    targets = [*IDS[1:], int(np.argmax(trace.records[-1].probs))]
    targets[t] = word
    ref = reference(p, IDS, targets)
    z = ref.logits[t] - ref.logits[t].max()
    np.testing.assert_allclose(chosen.losses[t], np.log(np.exp(z).sum()) - z[word], rtol=1e-5)
    np.testing.assert_array_equal(np.delete(chosen.losses, t), np.delete(trace.losses, t))
    rows = gradient_rows(net, chosen.records, chosen.targets, t, t + 1)
    for k in range(2):
        np.testing.assert_allclose(rows.h[k, 0, : t + 1], ref.grad_h[k, t, : t + 1], rtol=1e-4)
    np.testing.assert_allclose(rows.inputs[0, : t + 1], ref.grad_in[t, : t + 1], rtol=1e-4)
    # the chosen step no longer counts as a known next word in the perplexity
    keep = [s for s in range(t + 1) if s != t]
    np.testing.assert_allclose(chosen.perplexity(t), np.exp(trace.losses[keep].mean()))
    back = with_target(chosen, t, None)
    np.testing.assert_array_equal(back.targets, trace.targets)
    np.testing.assert_allclose(back.losses, trace.losses)
    assert not back.is_choice(t)


def test_last_step_reset_is_the_top_guess() -> None:
    p = random_params("gru", 9, 5, seed=4)
    trace = run_trace(RNNLM(p), ids_to_tokens([1, 2, 3], Vocab(tuple("abcdefghi"))), None)
    last = trace.length - 1
    chosen = with_target(trace, last, 0)
    assert chosen.targets[last] == 0 and not chosen.target_is_prediction[last]
    back = with_target(chosen, last, None)
    assert back.targets[last] == int(np.argmax(trace.records[-1].probs))
    assert back.target_is_prediction[last]
    with pytest.raises(ValueError):
        with_target(trace, 0, 9)
    with pytest.raises(IndexError):
        with_target(trace, 3, 1)
