"""RWKV-4 and RWKV-7: logits and every gradient norm equal a float64 torch reference (autograd)."""

from __future__ import annotations

import numpy as np
import pytest

from rnnviz.engine.bptt import Cancelled, default_targets
from rnnviz.engine.factory import build_engine, engine_gradient_rows, has_state_grad
from rnnviz.engine.rwkv import RwkvLM
from rnnviz.engine.rwkv_params import random_rwkv_params
from tests.engine import rwkv_torch_ref as ref

CELLS = ("rwkv4", "rwkv7")
IDS = [1, 5, 3, 7, 2, 9, 4, 4, 0]


def rel_err(actual: np.ndarray, desired: np.ndarray) -> float:
    """Largest deviation relative to the array's scale."""
    return float(np.abs(actual - desired).max() / max(np.abs(desired).max(), 1e-12))


def make(cell: str, layers: int = 2, seed: int = 1) -> RwkvLM:
    engine = build_engine(random_rwkv_params(cell, 11, 8, layers=layers, head_size=4, seed=seed))
    assert isinstance(engine, RwkvLM)
    return engine


@pytest.mark.parametrize("cell", CELLS)
def test_logits_equal_torch(cell: str) -> None:
    model = make(cell, layers=3)
    recs = model.run(IDS)
    tr = ref.run(dict(model.params.arrays), cell, IDS)
    want = np.stack([t.detach().numpy() for t in tr.logits])
    assert rel_err(np.stack([r.logits for r in recs]), want) < 1e-5
    assert np.allclose(recs[-1].probs.sum(), 1.0, atol=1e-5)


@pytest.mark.parametrize("cell", CELLS)
def test_state_carries_across_runs_and_batched_forward(cell: str) -> None:
    model = make(cell)
    whole = model.run(IDS)
    first = model.run(IDS[:4])
    rest = model.run(IDS[4:], first[-1].state)
    assert rel_err(rest[-1].logits, whole[-1].logits) < 1e-6
    batch = np.array([IDS, IDS[::-1]])
    logits, _ = model.forward(batch)
    assert rel_err(logits[0], np.stack([r.logits for r in whole])) < 1e-5
    back = model.run(IDS[::-1])
    assert rel_err(logits[1], np.stack([r.logits for r in back])) < 1e-5


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("truncate", [None, 3])
def test_gradient_norms_equal_autograd(cell: str, truncate: int | None) -> None:
    model = make(cell, layers=2, seed=3)
    recs = model.run(IDS)
    targets, _ = default_targets(recs)
    rows = engine_gradient_rows(model, recs, targets, 0, len(IDS), truncate)
    assert rows.c is not None
    tr = ref.run(dict(model.params.arrays), cell, IDS, truncate)
    for t in range(len(IDS)):
        gh, gc, ge = ref.grad_norms(tr, t, int(targets[t]))
        assert rel_err(rows.h[:, t, : t + 1], gh) < 1e-5
        assert rel_err(rows.c[:, t, : t + 1], gc) < 1e-5
        assert rel_err(rows.inputs[t, : t + 1], ge) < 1e-5
        assert np.isnan(rows.h[:, t, t + 1:]).all()
    if truncate:  # outside t's block the gradient is exactly zero, inside it is not
        assert rows.inputs[7, 5] == 0.0 and rows.inputs[7, 6] > 0.0


@pytest.mark.parametrize("cell", CELLS)
def test_incremental_rows_equal_the_full_matrix(cell: str) -> None:
    model = make(cell)
    recs = model.run(IDS)
    targets, _ = default_targets(recs)
    full = engine_gradient_rows(model, recs, targets, 0, len(IDS))
    part = engine_gradient_rows(model, recs, targets, 4, 7)
    np.testing.assert_allclose(part.h, full.h[:, 4:7], rtol=1e-5, equal_nan=True)
    assert part.c is not None and full.c is not None
    np.testing.assert_allclose(part.c, full.c[:, 4:7], rtol=1e-5, equal_nan=True)
    np.testing.assert_allclose(part.inputs, full.inputs[4:7], rtol=1e-5, equal_nan=True)


def test_progress_can_cancel() -> None:
    model = make("rwkv7")
    recs = model.run(IDS)
    targets, _ = default_targets(recs)
    seen: list[float] = []

    def stop_at_half(f: float) -> bool:
        seen.append(f)
        return f < 0.5

    with pytest.raises(Cancelled):
        engine_gradient_rows(model, recs, targets, 0, len(IDS), None, stop_at_half)
    assert 0.5 <= seen[-1] < 1.0


def test_state_gradient_flag() -> None:
    assert has_state_grad(make("rwkv4"))
    assert make("rwkv7").zero_state().wkv.shape == (2, 1, 2, 4, 4)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("truncate", [None, 4])
def test_single_rows_by_chain_equal_the_sweep(cell: str, truncate: int | None) -> None:
    """Rows of one target go block by block over all steps (the chain); they equal the sweep."""
    model = make(cell, layers=3, seed=7)
    recs = model.run(IDS)
    targets, _ = default_targets(recs)
    full = engine_gradient_rows(model, recs, targets, 0, len(IDS), truncate)
    assert full.c is not None
    for t in range(len(IDS)):
        one = engine_gradient_rows(model, recs, targets, t, t + 1, truncate)
        assert one.c is not None
        np.testing.assert_allclose(one.h[:, 0], full.h[:, t], rtol=1e-5, atol=1e-9,
                                   equal_nan=True)
        np.testing.assert_allclose(one.c[:, 0], full.c[:, t], rtol=1e-5, atol=1e-9,
                                   equal_nan=True)
        np.testing.assert_allclose(one.inputs[0], full.inputs[t], rtol=1e-5, atol=1e-9,
                                   equal_nan=True)


@pytest.mark.parametrize(("cell", "name", "shape"), [
    ("rwkv4", "blocks.1.ffn.value.weight", (8, 5)),
    ("rwkv4", "blocks.0.att.time_first", (3,)),
    ("rwkv7", "blocks.1.att.w2", (4, 3)),
    ("rwkv7", "blocks.0.att.key.weight", (8, 7)),
])
def test_wrong_shapes_are_named(cell: str, name: str, shape: tuple[int, ...]) -> None:
    from rnnviz.engine.params import ParamError
    from rnnviz.engine.rwkv_params import RwkvParams

    arrays = dict(random_rwkv_params(cell, 11, 8, layers=2, head_size=4).arrays)
    arrays[name] = np.zeros(shape, np.float32)
    with pytest.raises(ParamError, match=name.replace(".", r"\.")):
        RwkvParams(cell, arrays)
