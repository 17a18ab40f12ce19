"""The What if and Continue panels: their plot items hold the engine's numbers (recomputed here
from separate runs), and clicking a beam node makes that branch the text."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from rnnviz.checkpoints.loader import load_model
from rnnviz.engine.bptt import default_targets, gradient_rows
from rnnviz.engine.generate import beam_search
from rnnviz.engine.intervention import Intervention, UnitEdit
from rnnviz.session import Workspace
from rnnviz.session.whatif import whatif_of
from rnnviz.ui.beam_tree import BeamTreeView
from rnnviz.ui.main_window import MainWindow
from rnnviz.ui.whatif import WhatIfView
from tests.ui.conftest import DEMO

TEXT = "the one who is here was good and they are"


@pytest.fixture
def ws(qtbot: Any) -> Workspace:
    w = Workspace()
    w.add_model(load_model(DEMO))
    w.set_text(TEXT)
    return w


def _logp(z: np.ndarray, y: int) -> float:
    z = z.astype(np.float64)
    return float(z[y] - z.max() - np.log(np.exp(z - z.max()).sum()))


def test_what_if_bars_equal_two_separate_runs(qtbot: Any, ws: Workspace) -> None:
    view = WhatIfView(ws)
    qtbot.addWidget(view)
    ws.set_cursor(1)
    view.word_box.setCurrentText("two")
    view._replace()  # "the two who is here ..."
    lead = ws.models[0]
    assert lead.engine is not None and lead.model is not None
    a = [t.id for t in lead.model.tokenize(TEXT)]
    b = [t.id for t in lead.model.tokenize("the two who is here was good and they are")]
    ra, rb = lead.engine.run(a), lead.engine.run(b)
    want = {t: _logp(rb[t].logits, b[t + 1]) - _logp(ra[t].logits, a[t + 1])
            for t in range(1, len(a) - 1)}  # step 0 predicts the edited word itself
    x, h = view.logp_bars.opts["x"], view.logp_bars.opts["height"]
    assert list(x) == sorted(want)
    np.testing.assert_allclose(h, [want[t] for t in sorted(want)], atol=1e-5)
    _, ly = view.loss_curve.getData()
    np.testing.assert_allclose(ly[0], _logp(ra[0].logits, a[1]) - _logp(rb[0].logits, b[1]),
                               atol=1e-5)
    top = len(ra[0].h) - 1
    img = view.dh_image.image  # (H, T): what if minus original, top layer
    np.testing.assert_allclose(img, np.stack([rb[t].h[top] - ra[t].h[top]
                                              for t in range(len(a))], axis=1), atol=1e-6)
    assert "two" in view.status.text()


def test_interventions_from_the_typed_unit_list(qtbot: Any, ws: Workspace) -> None:
    view = WhatIfView(ws)
    qtbot.addWidget(view)
    view.units_edit.setText("1:3, 2:5")
    view.op_box.setCurrentText("clamp")
    view.value_spin.setValue(0.5)
    view.when_box.setCurrentIndex(0)
    view.step_spin.setValue(3)  # from step 3 as the UI counts = index 2
    view.state_box.setCurrentText("both")
    view._apply()
    iv = Intervention((UnitEdit(0, 3, "clamp", 0.5, "both", 2), UnitEdit(1, 5, "clamp", 0.5,
                                                                         "both", 2)))
    assert whatif_of(ws).intervention == iv
    lead = ws.models[0]
    assert lead.engine is not None and lead.base is not None
    ids = [t.id for t in lead.base.tokens]
    clean, cut = lead.engine.run(ids), lead.engine.run(ids, intervention=iv)
    x, h = view.logp_bars.opts["x"], view.logp_bars.opts["height"]
    want = [_logp(cut[t].logits, ids[t + 1]) - _logp(clean[t].logits, ids[t + 1])
            for t in range(len(ids) - 1)]
    np.testing.assert_allclose(h, [want[int(t)] for t in x], atol=1e-5)
    assert np.allclose(h[:2], 0.0) and not np.allclose(h[2:], 0.0)
    ws.set_cursor(len(ids) - 1)
    targets, _ = default_targets(cut)
    t = len(ids) - 1
    ref = gradient_rows(lead.engine, cut, targets, t, t + 1)
    shown = view.grad_curves[1].getData()[1]  # log10 (the axis is logarithmic)
    np.testing.assert_allclose(10.0 ** shown, ref.h[-1, 0, : t + 1], rtol=1e-5)
    view.units_edit.setText("9:1")
    view._apply()
    assert "layers are 1..2" in view.status.text()
    whatif_of(ws).clear()
    assert len(view.logp_bars.opts["x"]) == 0


def test_beam_tree_nodes_equal_the_engine_and_clicking_takes_the_branch(qtbot: Any,
                                                                        ws: Workspace) -> None:
    view = BeamTreeView(ws)
    qtbot.addWidget(view)
    view.method_box.setCurrentText("beam search")
    view.tokens_spin.setValue(3)
    view.width_spin.setValue(2)
    view.generate()  # on the worker thread
    qtbot.waitUntil(lambda: view.idle, timeout=10000)
    lead = ws.models[0]
    assert lead.base is not None and lead.engine is not None and view.result is not None
    last = lead.base.records[-1]
    tree = beam_search(lead.engine, last.state, last.logits, 3, 2)
    assert [(n.token, n.parent) for n in view.result.tree.nodes] == \
        [(n.token, n.parent) for n in tree.nodes]
    pts = view.scatter.points()
    assert sorted(int(p.data()) for p in pts) == list(range(len(tree.nodes)))
    for p in pts:
        node = tree.nodes[int(p.data())]
        assert p.pos().x() == node.depth
        assert f"{node.logp:.2f}" in view.labels[node.index].textItem.toPlainText()
    best = tree.final[0]
    words = [lead.model.vocab.tokens[i] for i in tree.path(best)]  # type: ignore[union-attr]
    view._clicked(None, [next(p for p in pts if int(p.data()) == best)])
    assert ws.text == TEXT + " " + " ".join(words)
    assert whatif_of(ws).history == [TEXT]
    view.back_btn.click()
    assert ws.text == TEXT


def test_a_backward_lead_writes_before_the_text(qtbot: Any) -> None:
    """A backward model continues from its state after reading the text back to its first
    word: the beam tree is the engine's from the reversed text, grows to the left, and the
    branch taken goes before the text in reading order."""
    import dataclasses

    from rnnviz.engine.factory import build_engine

    m = load_model(DEMO)
    back = dataclasses.replace(m, meta={**m.meta, "direction": "backward",
                                        "name": "demo-backward"})
    ws = Workspace()
    ws.add_model(back)
    ws.set_text(TEXT)
    view = BeamTreeView(ws)
    qtbot.addWidget(view)
    assert view.go.isEnabled() and "writes before the text" in view.status.text()
    view.method_box.setCurrentText("beam search")
    view.tokens_spin.setValue(3)
    view.width_spin.setValue(2)
    view.generate()
    qtbot.waitUntil(lambda: view.idle, timeout=10000)
    assert view.result is not None and view.result.backward
    engine = build_engine(back.params)
    ids = [t.id for t in back.tokenize(TEXT)][::-1]  # read from the last word to the first
    last = engine.run(ids)[-1]
    tree = beam_search(engine, last.state, last.logits, 3, 2)
    assert [(n.token, n.parent) for n in view.result.tree.nodes] == \
        [(n.token, n.parent) for n in tree.nodes]
    np.testing.assert_allclose([n.logp for n in view.result.tree.nodes],
                               [n.logp for n in tree.nodes], rtol=1e-5, atol=1e-6)
    for p in view.scatter.points():
        assert p.pos().x() == -tree.nodes[int(p.data())].depth  # to the left of the text
    best = tree.final[0]
    words = [back.vocab.tokens[i] for i in tree.path(best)]  # the order it wrote them in
    view.take(best)
    assert ws.text == " ".join(words[::-1]) + " " + TEXT
    view.back_btn.click()
    assert ws.text == TEXT


def test_greedy_chain_and_same_seed_same_text(qtbot: Any, ws: Workspace) -> None:
    view = BeamTreeView(ws)
    qtbot.addWidget(view)
    view.method_box.setCurrentText("sample")
    view.tokens_spin.setValue(6)
    view.seed_spin.setValue(5)
    view.generate()
    qtbot.waitUntil(lambda: view.idle, timeout=10000)
    first = view.result
    view.generate()
    qtbot.waitUntil(lambda: view.idle, timeout=10000)
    assert first is not None and view.result is not None
    assert view.result.branch(view.result.best()) == first.branch(first.best())
    assert [n.depth for n in first.tree.nodes] == list(range(7))


@pytest.fixture
def window(qtbot: Any, ws: Workspace, settings: Any) -> Iterator[MainWindow]:
    win = MainWindow(ws, settings=settings)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    yield win
    win.shutdown()


def test_panels_are_tabs_of_the_window(window: MainWindow) -> None:
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert "What if" in titles and "Continue" in titles and "Units" in titles
    view = window.tabs.widget(titles.index("What if"))
    assert isinstance(view, WhatIfView)


def test_unit_attribution_bars_equal_the_decoder_products(qtbot: Any, ws: Workspace) -> None:
    from rnnviz.ui.attribution import UnitAttributionView

    view = UnitAttributionView(ws)
    what = WhatIfView(ws)
    qtbot.addWidget(view)
    qtbot.addWidget(what)
    ws.set_cursor(3)  # after "is": the next word is "here"
    view.contrast_edit.setText("there")
    view.layer_box.setCurrentIndex(0)
    view.refresh()
    lead = ws.models[0]
    assert lead.engine is not None and lead.model is not None and view.result is not None
    ids = [t.id for t in lead.model.tokenize(TEXT)]
    recs = lead.engine.run(ids)
    y, b = lead.model.vocab.get("here"), lead.model.vocab.get("there")
    p = lead.engine.params
    full = (p.decoder_w[y] - p.decoder_w[b]).astype(float) * recs[3].h[-1]
    np.testing.assert_allclose(view.contrib_bars.opts["width"], full[view.contrib_units],
                               rtol=1e-5, atol=1e-7)
    assert len(view.contrib_units) == 12 and full[view.contrib_units[0]] == full.max()
    np.testing.assert_allclose(full.sum() + p.decoder_b[y] - p.decoder_b[b],
                               recs[3].logits[y] - recs[3].logits[b], rtol=1e-5, atol=1e-5)
    eff = view.effect_bars.opts["height"]
    for j in (0, 7, 63):
        cut = lead.engine.run(ids, intervention=Intervention((UnitEdit(0, j, step=3,
                                                                       only=True),)))[3]
        want = (_logp(cut.logits, y) - _logp(cut.logits, b)) - (
            _logp(recs[3].logits, y) - _logp(recs[3].logits, b))
        np.testing.assert_allclose(eff[j], want, atol=2e-5)
    view.select(1, view.contrib_units[0])  # a selected unit can join the What if list
    assert what.units_edit.text() == ""
    what.add_selected.click()
    assert what.units_edit.text() == f"2:{view.contrib_units[0]}"


def test_each_model_of_the_workspace_can_be_shown(qtbot: Any) -> None:
    from tests.session.test_workspace import three_models

    ws3 = three_models("the cat sat on the mat the dog ran")
    view = WhatIfView(ws3)
    qtbot.addWidget(view)
    assert view.model_box.count() == 3
    whatif_of(ws3).set_intervention(Intervention((UnitEdit(0, 2, step=1),)))
    for index in (2, 1):
        view.model_box.setCurrentIndex(index)
        view._model_picked(index)
        s = ws3.models[index]
        assert s.engine is not None and s.base is not None
        ids = [t.id for t in s.base.tokens]
        clean = s.engine.run(ids)
        cut = s.engine.run(ids, intervention=whatif_of(ws3).intervention)
        want = [_logp(cut[t].logits, ids[t + 1]) - _logp(clean[t].logits, ids[t + 1])
                for t in range(len(ids) - 1)]
        np.testing.assert_allclose(view.logp_bars.opts["height"], want, atol=1e-5)


def test_dh_layer_choice(qtbot: Any, ws: Workspace) -> None:
    view = WhatIfView(ws)
    qtbot.addWidget(view)
    whatif_of(ws).edit_token(1, "two")
    assert view.dh_layer_box.count() == 2 and view.dh_layer_box.currentIndex() == 1
    view.dh_layer_box.setCurrentIndex(0)
    view.refresh()
    run = whatif_of(ws).run(0)
    assert run is not None
    np.testing.assert_allclose(view.dh_image.image, np.nan_to_num(run.diff.delta_hidden[0]).T)


def test_hover_line_names_the_step_and_its_numbers(qtbot: Any, ws: Workspace) -> None:
    view = WhatIfView(ws)
    qtbot.addWidget(view)
    whatif_of(ws).edit_token(1, "two")
    run = whatif_of(ws).run(0)
    assert run is not None
    line = view.describe_step(run, 3, unit=5.2)
    assert line.startswith("step 4: after 'is'") and "next 'here'" in line
    assert f"Δ log p {run.diff.delta_logp[3]:+.3f}" in line
    assert f"Δh 2:5 = {run.diff.delta_hidden[1, 3, 5]:+.3f}" in line
    assert view.describe_step(run, 99) == ""


def test_character_model_edits_and_continues(qtbot: Any) -> None:
    from tests.ui.conftest import REPO

    path = REPO / "resources" / "models" / "shakespeare-char-lstm.safetensors"
    if not path.exists():
        pytest.skip("the bundled character model is absent")
    ws = Workspace()
    ws.add_model(load_model(path))
    ws.set_text("ROMEO: I am here")
    view, beam = WhatIfView(ws), BeamTreeView(ws)
    qtbot.addWidget(view)
    qtbot.addWidget(beam)
    whatif_of(ws).edit_token(7, "u")  # "ROMEO: u am here"
    assert whatif_of(ws).edited_text == "ROMEO: u am here"
    lead = ws.models[0]
    assert lead.engine is not None and lead.model is not None
    a = [t.id for t in lead.model.tokenize("ROMEO: I am here")]
    b = [t.id for t in lead.model.tokenize("ROMEO: u am here")]
    ra, rb = lead.engine.run(a), lead.engine.run(b)
    x, h = view.logp_bars.opts["x"], view.logp_bars.opts["height"]
    want = {t: _logp(rb[t].logits, b[t + 1]) - _logp(ra[t].logits, a[t + 1])
            for t in range(len(a) - 1) if t != 6}
    assert list(x) == sorted(want)
    np.testing.assert_allclose(h, [want[t] for t in sorted(want)], atol=1e-5)
    beam.method_box.setCurrentText("greedy")
    beam.tokens_spin.setValue(8)
    beam.generate()
    qtbot.waitUntil(lambda: beam.idle, timeout=10000)
    assert beam.result is not None
    chars = [lead.model.vocab.tokens[i] for i in beam.result.tree.path(beam.result.best())]
    assert beam.result.branch(beam.result.best()) == "ROMEO: I am here" + "".join(chars)
