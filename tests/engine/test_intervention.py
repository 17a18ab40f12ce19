"""Intervened forward runs and their gradient norms equal a torch model edited the same way."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rnnviz.engine.bptt import default_targets, gradient_norms, gradient_rows
from rnnviz.engine.intervention import Intervention, LayerReset, UnitEdit
from rnnviz.engine.network import RNNLM
from rnnviz.engine.params import CELLS, ModelParams, random_params
from tests.engine.test_parity import assert_close
from tests.engine.torch_intervened import intervened_reference

IDS = [1, 5, 9, 2, 2, 17, 7, 11, 0, 3]


def _check(p: ModelParams, ids: list[int], iv: Intervention) -> None:
    model = RNNLM(p)
    recs = model.run(ids, intervention=iv)
    targets, _ = default_targets(recs)
    ref = intervened_reference(p, ids, list(targets), iv)
    assert_close(np.stack([r.logits for r in recs]), ref.logits)
    assert_close(np.stack([r.h for r in recs], axis=1), ref.h)
    if ref.c is not None:
        assert_close(np.stack([r.c for r in recs], axis=1), ref.c)  # type: ignore[misc]
    g = gradient_norms(model, recs, targets)
    assert_close(g.h, ref.grad_h)
    assert_close(g.inputs, ref.grad_in)
    if ref.grad_c is not None:
        assert g.c is not None
        assert_close(g.c, ref.grad_c)
    for t in (0, len(ids) - 1):  # one row at a time (the path used when a token is appended)
        row = gradient_rows(model, recs, targets, t, t + 1)
        assert_close(row.h[:, 0], ref.grad_h[:, t])


CASES = {
    "ablate h from 3": Intervention((UnitEdit(0, 2, "ablate", step=3),)),
    "clamp both at 4 only": Intervention((UnitEdit(1, 5, "clamp", 0.8, "both", 4, True),)),
    "scale c from 2, two units": Intervention((UnitEdit(0, 1, "scale", -1.5, "c", 2),
                                              UnitEdit(1, 0, "scale", 2.0, "h", 0))),
    "reset layer 1 at 5": Intervention(resets=(LayerReset(0, 5),)),
    "composed edits on one unit": Intervention((UnitEdit(1, 3, "scale", 3.0, "both", 1),
                                               UnitEdit(1, 3, "clamp", -0.25, "h", 6, True))),
}


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("name", sorted(CASES))
def test_intervened_run_matches_torch(cell: str, name: str) -> None:
    iv = CASES[name]
    if cell != "lstm":  # c exists only in an LSTM
        iv = Intervention(tuple(UnitEdit(e.layer, e.unit, e.op, e.value,
                                         "h" if e.state == "c" else e.state, e.step, e.only)
                                for e in iv.edits), iv.resets)
    p = random_params(cell, 20, 8, layers=2, embedding=6, seed=3, scale=0.8)
    _check(p, IDS, iv)


@st.composite
def edits(draw: st.DrawFn) -> tuple[ModelParams, list[int], Intervention]:
    cell = draw(st.sampled_from(CELLS))
    layers, hidden = draw(st.integers(1, 3)), draw(st.integers(1, 8))
    p = random_params(cell, 12, hidden, layers=layers, embedding=5,
                      seed=draw(st.integers(0, 2**31)), scale=draw(st.floats(0.1, 1.2)))
    ids = draw(st.lists(st.integers(0, 11), min_size=1, max_size=9))
    states = ["h", "c", "both"] if cell == "lstm" else ["h", "both"]
    unit_edit = st.builds(UnitEdit, st.integers(0, layers - 1), st.integers(0, hidden - 1),
                          st.sampled_from(["ablate", "clamp", "scale"]), st.floats(-2, 2),
                          st.sampled_from(states), st.integers(0, 8), st.booleans())
    resets = st.builds(LayerReset, st.integers(0, layers - 1), st.integers(0, 8))
    iv = Intervention(tuple(draw(st.lists(unit_edit, max_size=4))),
                      tuple(draw(st.lists(resets, max_size=1))))
    return p, ids, iv


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits())
def test_random_interventions_match_torch(case: tuple[ModelParams, list[int],
                                                      Intervention]) -> None:
    _check(*case)


def test_ablating_at_one_step_changes_only_what_flows_from_it() -> None:
    p = random_params("lstm", 20, 8, layers=2, seed=2, scale=0.8)
    model = RNNLM(p)
    clean = model.run(IDS)
    cut = model.run(IDS, intervention=Intervention((UnitEdit(0, 4, step=5, only=True),)))
    for t in range(5):
        np.testing.assert_array_equal(cut[t].logits, clean[t].logits)
    assert cut[5].h[0, 4] == 0.0 and clean[5].h[0, 4] != 0.0
    assert cut[6].h[0, 4] != 0.0  # not ablated after s
    assert not np.allclose(cut[7].logits, clean[7].logits)


def test_run_from_a_later_start_applies_edits_by_text_position() -> None:
    p = random_params("gru", 20, 8, layers=2, seed=2)
    model = RNNLM(p)
    iv = Intervention((UnitEdit(1, 3, "clamp", 0.5, step=6),))
    whole = model.run(IDS, intervention=iv)
    head = model.run(IDS[:4], intervention=iv)
    tail = model.run(IDS[4:], head[-1].state, intervention=iv, start=4)
    np.testing.assert_allclose(np.stack([r.logits for r in head + tail]),
                               np.stack([r.logits for r in whole]), rtol=1e-6, atol=1e-6)
    logits, _ = model.forward(np.array([IDS]), intervention=iv)
    np.testing.assert_allclose(logits[0], np.stack([r.logits for r in whole]), rtol=1e-5,
                               atol=1e-5)


def test_bad_edits_are_refused_with_a_message() -> None:
    model = RNNLM(random_params("gru", 10, 4, layers=1))
    with pytest.raises(ValueError, match="does not exist"):
        model.run([1, 2], intervention=Intervention((UnitEdit(1, 0),)))
    with pytest.raises(ValueError, match="cell state"):
        model.run([1, 2], intervention=Intervention((UnitEdit(0, 0, state="c"),)))
    with pytest.raises(ValueError, match="unknown operation"):
        UnitEdit(0, 0, "zero")  # type: ignore[arg-type]


def test_describe_numbers_layers_and_steps_from_one() -> None:
    iv = Intervention((UnitEdit(0, 17), UnitEdit(1, 42, "clamp", 1.5, "both", 3, True)),
                      (LayerReset(1, 4),))
    assert iv.describe() == ("ablate h of unit 1:17 from step 1 on; clamp to 1.5 h and c of "
                             "unit 2:42 at step 4; reset layer 2 to zero at step 5")
