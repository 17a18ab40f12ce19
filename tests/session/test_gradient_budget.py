"""A text too long for its T x T matrices gets a row-only store: the same rows as a dense store,
bounded memory, no front-to-back fill."""

from __future__ import annotations

import numpy as np
import pytest

from rnnviz.engine.network import RNNLM
from rnnviz.engine.params import random_params
from rnnviz.session import gradients
from rnnviz.session.gradients import GradientStore, dense_bytes
from rnnviz.session.trace import run_trace


@pytest.fixture
def setup() -> tuple[RNNLM, object]:
    model = RNNLM(random_params("lstm", 30, 8, layers=2, seed=5))
    rng = np.random.default_rng(0)
    trace = run_trace(model, list(map(_tok, rng.integers(0, 30, 60))), None, None)
    return model, trace


def _tok(i: int) -> object:
    from rnnviz.checkpoints.vocab import Token

    return Token(f"w{i}", int(i), False)


def test_dense_bytes_formula() -> None:
    assert dense_bytes(2, True, 1000) == 5 * 1000 * 1000 * 4
    assert dense_bytes(1, False, 10) == 2 * 10 * 10 * 4


@pytest.mark.parametrize("truncate", [None, 7])
def test_row_only_store_serves_the_dense_rows(setup: tuple, truncate: int | None) -> None:
    model, trace = setup
    dense = GradientStore(model, trace, truncate)
    sparse = GradientStore(model, trace, truncate, budget=1000)
    assert dense.dense and not sparse.dense and sparse.h.size == 0
    assert sparse.missing_job() is None  # never filled front to back
    for t in (0, 13, 59):
        a, b = dense.row(t), sparse.row(t)
        np.testing.assert_array_equal(a.h, b.h)
        np.testing.assert_array_equal(a.c, b.c)
        np.testing.assert_array_equal(a.inputs, b.inputs)
    assert sparse.ready.sum() == 3
    sparse.put(sparse.compute(20, 24))
    np.testing.assert_allclose(sparse.row(22).h, dense.row(22).h, rtol=1e-5)  # batched rows


def test_rows_beyond_the_budget_are_dropped(setup: tuple, monkeypatch: pytest.MonkeyPatch
                                            ) -> None:
    model, trace = setup
    monkeypatch.setattr(gradients, "ROWS_BUDGET", 3 * 5 * 60 * 4)  # about 3 long rows
    store = GradientStore(model, trace, None, budget=1000)
    for t in range(40, 60):
        store.row(t)
    kept = store.kept_rows()
    assert 1 <= len(kept) <= 4 and store.ready.sum() == len(kept)
    assert kept[-1].t == 59  # the most recent stays
    assert sum(r.h.nbytes + r.inputs.nbytes + r.c.nbytes for r in kept) <= gradients.ROWS_BUDGET


def test_rows_carry_over_to_a_row_only_store(setup: tuple) -> None:
    model, trace = setup
    old = GradientStore(model, trace, None)
    old.put(old.compute(0, 10))
    new = GradientStore(model, trace, None, budget=1000)
    valid = np.ones(trace.length, bool)
    new.adopt_rows(old, valid)
    assert new.ready[:10].all() and not new.ready[10:].any()
    np.testing.assert_array_equal(new.row(9).h, old.row(9).h)
