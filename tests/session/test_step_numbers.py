"""The filled cell equations of one unit reproduce torch's values for every cell type."""

from __future__ import annotations

import numpy as np
import pytest

from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.vocab import Vocab
from rnnviz.engine.params import random_params
from rnnviz.session import Session, SessionError
from rnnviz.session.step_numbers import fill
from tests.engine.torch_ref import reference

WORDS = ("the", "cat", "sat", "on", "mat", "<eos>", "<unk>", "a", "dog", "ran")


@pytest.mark.parametrize("cell", ["rnn_tanh", "rnn_relu", "lstm", "gru"])
def test_filled_equations_equal_torch(cell: str) -> None:
    p = random_params(cell, len(WORDS), 9, layers=2, seed=4, scale=0.7)
    s = Session()
    s.set_model(LoadedModel(p, Vocab(WORDS), "word", "rnnviz", "m.safetensors"))
    s.set_text("the cat sat on the mat a dog ran")
    assert s.trace is not None
    ids = [t.id for t in s.trace.tokens]
    ref = reference(p, ids, [int(x) for x in s.trace.targets])
    rng = np.random.default_rng(0)
    for _ in range(12):
        layer, unit, t = int(rng.integers(2)), int(rng.integers(9)), int(rng.integers(len(ids)))
        lines = {f.name: f for f in fill(s, layer, unit, t)}
        assert lines["h"].value == pytest.approx(ref.h[layer, t, unit], rel=1e-5, abs=1e-6)
        assert f"h_t[{unit}]" in lines["h"].text
        if ref.c is not None:
            assert lines["c"].value == pytest.approx(ref.c[layer, t, unit], rel=1e-5, abs=1e-6)
        for name, arr in ref.gates.items():
            assert lines[name].value == pytest.approx(arr[layer, t, unit], rel=1e-5, abs=1e-6)


def test_a_unit_outside_the_model_is_refused() -> None:
    p = random_params("gru", len(WORDS), 4, layers=1, seed=1)
    s = Session()
    s.set_model(LoadedModel(p, Vocab(WORDS), "word", "rnnviz", "m.safetensors"))
    s.set_text("the cat")
    with pytest.raises(SessionError):
        fill(s, 1, 0, 0)
    with pytest.raises(SessionError):
        fill(s, 0, 4, 0)
