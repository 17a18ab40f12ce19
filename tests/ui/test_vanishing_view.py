"""'Why it vanishes' draws the engine's step-Jacobian norms, forget-gate products and the
chain-rule bound at the cursor (checked against separate engine calls)."""

from __future__ import annotations

from typing import Any

import numpy as np

from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.vocab import Vocab
from rnnviz.engine.bptt import gradient_rows
from rnnviz.engine.jacobian import forget_product, jacobian_norms
from rnnviz.engine.params import random_params
from rnnviz.session import Workspace
from rnnviz.ui.vanishing_view import VanishingView

WORDS = ("<eos>", "<unk>", *(f"w{i}" for i in range(12)))


def _model(cell: str, seed: int) -> LoadedModel:
    p = random_params(cell, len(WORDS), 9, layers=2, seed=seed, scale=0.9)
    return LoadedModel(p, Vocab(WORDS), "word", "rnnviz", meta={"name": f"{cell}-{seed}"})


def test_curves_are_the_engines_numbers(qtbot: Any) -> None:
    ws = Workspace()
    ws.text = "w1 w5 w2 w9 w3 w3 w7 w0 w11 w4"
    ws.add_model(_model("lstm", 1))
    ws.add_model(_model("gru", 2))
    view = VanishingView(ws)
    qtbot.addWidget(view)
    view.resize(1200, 500)
    view.show()
    qtbot.waitUntil(lambda: view.idle and len(view.factors) == 2, timeout=30000)
    ws.set_cursor(6)
    for i, s in enumerate(ws.models):
        assert s.engine is not None and s.trace is not None
        want = jacobian_norms(s.engine, s.trace.records)
        for k in range(2):
            np.testing.assert_allclose(view.items[("norm", i, f"layer {k}")].yData,
                                       want[k, 1:], rtol=1e-12)
            # x is the 1-based step the status bar names: J_t of step index t at t + 1
            assert np.array_equal(view.items[("norm", i, f"layer {k}")].xData,
                                  np.arange(2, want.shape[1] + 1))
        t = s.cursor
        assert t == 6
        assert [line.value() for line in view.cursor_lines] == [7, 7]
        rows = gradient_rows(s.engine, s.trace.records, s.trace.targets, t, t + 1)
        g = rows.h[-1, 0, : t + 1].astype(np.float64) ** 2
        if rows.c is not None:
            g += rows.c[-1, 0, : t + 1].astype(np.float64) ** 2
        g = np.sqrt(g)
        np.testing.assert_allclose(view.items[("gradient", i, "top")].yData, g[::-1], rtol=1e-6)
        bound = [g[t] * np.prod(want[-1, s_ + 1 : t + 1]) for s_ in range(t + 1)]
        np.testing.assert_allclose(view.items[("bound", i, "top")].yData, bound[::-1],
                                   rtol=1e-6)
        assert np.all(g <= np.array(bound) * (1 + 1e-5))
    view.since.setValue(4)  # 1-based: the product since step index 3
    f = ws.models[0].trace.states("f")  # type: ignore[union-attr]
    prod = forget_product(f, 3).mean(axis=2)
    np.testing.assert_allclose(view.items[("product", 0, "layer 1")].yData, prod[1, 3:],
                               rtol=1e-12)
    np.testing.assert_allclose(view.items[("product", 0, "layer 1")].yData[1],
                               f[1, 4].mean(), rtol=1e-6)
    np.testing.assert_allclose(view.items[("forget", 0, "layer 0")].yData, f[0].mean(axis=1),
                               rtol=1e-6)
    assert ("forget", 1, "layer 0") not in view.items  # the GRU has no forget gate
    labels = [item.text for _, item in view.legend.items]
    assert labels == ["lstm-1", "gru-2", "thin: lower layers"]
    assert view.no_lstm.scene() is None  # an LSTM is open: no "no LSTM" note


def test_without_an_lstm_the_forget_plot_says_why_it_is_empty(qtbot: Any) -> None:
    ws = Workspace()
    ws.text = "w1 w5 w2 w9 w3"
    ws.add_model(_model("gru", 2))
    view = VanishingView(ws)
    qtbot.addWidget(view)
    view.resize(1000, 500)
    view.show()
    qtbot.waitUntil(lambda: view.idle and len(view.factors) == 1, timeout=30000)
    assert not any(key[0] in ("forget", "product") for key in view.items)
    assert view.no_lstm.scene() is view.forget_plot.scene()
    assert "no LSTM" in view.no_lstm.textItem.toPlainText()
    (x0, x1), (y0, y1) = view.forget_plot.viewRange()
    assert x0 < 1 and x1 > 5 and y0 < -2 and -0.1 < y1 < 0.5  # steps 1..5, f from 0.01 to 1


def test_a_deleted_view_hears_nothing(qtbot: Any) -> None:
    ws = Workspace()
    ws.text = "w1 w2 w3"
    ws.add_model(_model("gru", 3))
    before = len(ws.models[0].trace_changed)
    view = VanishingView(ws)
    assert len(ws.models[0].trace_changed) == before + 1
    view.deleteLater()
    qtbot.waitUntil(lambda: len(ws.models[0].trace_changed) == before, timeout=5000)
    ws.models[0].set_text("w4 w5 w6 w7")  # would reach the deleted widget if still linked
