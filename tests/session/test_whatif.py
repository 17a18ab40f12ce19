"""The what-if layer: suffix reruns equal whole separate runs, differences equal two runs."""

from __future__ import annotations

import numpy as np
import pytest

from rnnviz.engine.bptt import default_targets, gradient_rows, losses
from rnnviz.engine.intervention import Intervention, UnitEdit
from rnnviz.session import SessionError
from rnnviz.session.whatif import make_intervention, parse_units, whatif_of
from tests.session.test_workspace import three_models


def _logp(z: np.ndarray, y: int) -> float:
    z = z.astype(np.float64)
    return float(z[y] - z.max() - np.log(np.exp(z - z.max()).sum()))


@pytest.mark.parametrize("edit", ["replace", "insert", "delete", "none"])
@pytest.mark.parametrize("with_iv", [False, True])
def test_what_if_run_equals_separate_runs(edit: str, with_iv: bool) -> None:
    ws = three_models("the cat sat on the mat the dog ran")
    w = whatif_of(ws)
    assert whatif_of(ws) is w
    seen: list[int] = []
    w.changed.connect(lambda: seen.append(1))
    if edit == "replace":
        w.edit_token(1, "dog")
    elif edit == "insert":
        w.edit_token(2, "a", insert=True)
    elif edit == "delete":
        w.edit_token(3, None)
    iv = make_intervention([(0, 3), (1, 7)], "clamp", 0.5, "h", 4, False) if with_iv \
        else Intervention()
    w.set_intervention(iv)
    if edit == "none" and not with_iv:
        assert w.run(0) is None
        return
    assert seen
    for i, s in enumerate(ws.models):
        run = w.run(i)
        assert run is not None and s.engine is not None and s.base is not None
        text = w.edited_text if w.edited_text is not None else ws.text
        ids = [t.id for t in s.tokenize(text)]
        whole = s.engine.run(ids, intervention=iv)  # from scratch, no reuse
        np.testing.assert_allclose(np.stack([r.logits for r in run.edited.records]),
                                   np.stack([r.logits for r in whole]), rtol=1e-6, atol=1e-6)
        targets, _ = default_targets(whole)
        np.testing.assert_allclose(run.edited.losses, losses(whole, targets), rtol=1e-6)
        orig = s.engine.run([t.id for t in s.base.tokens])
        for t, to in enumerate(run.diff.mapping):
            if to is None:
                continue
            np.testing.assert_allclose(run.diff.delta_hidden[:, t], whole[t].h - orig[to].h,
                                       atol=1e-6)
            if t + 1 < len(ids) and to + 1 < len(orig) and ids[t + 1] == orig[to + 1].token_id:
                want = _logp(whole[t].logits, ids[t + 1]) - _logp(orig[to].logits, ids[t + 1])
                np.testing.assert_allclose(run.diff.delta_logp[t], want, atol=1e-5)
        row = w.gradient_row(i, len(ids) - 1)
        assert row is not None
        ref = gradient_rows(s.engine, whole, targets, len(ids) - 1, len(ids))
        np.testing.assert_allclose(row.h, ref.h, rtol=1e-5, atol=1e-7, equal_nan=True)
    assert w.run(0) is w.run(0)  # cached
    ws.set_text("the dog sat")  # a new text drops the cached runs and the edit
    assert w._runs == {} and w.edited_text is None
    assert w.intervention == iv


def test_parse_units_and_bad_input() -> None:
    assert parse_units("1:17, 2:0,", 2, 20) == [(0, 17), (1, 0)]
    for bad in ("3:1", "1:20", "x", "1-2", "0:1"):
        with pytest.raises(SessionError):
            parse_units(bad, 2, 20)
    ws = three_models()
    with pytest.raises(SessionError, match="cell state"):
        whatif_of(ws).set_intervention(Intervention((UnitEdit(0, 1, state="c"),)))
    with pytest.raises(SessionError):
        whatif_of(ws).edit_token(40, "dog")


def test_equations_name_where_the_edit_applies() -> None:
    from rnnviz.session.whatif import equations

    assert "c_s" in equations("lstm") and "after the cell update" in equations("gru")
    assert "tanh" in equations("rnn_tanh") and "RNN, LSTM and GRU" in equations("rwkv7")
