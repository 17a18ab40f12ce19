"""The RWKV state panel: a/b of RWKV-4 and per-head S of RWKV-7 equal the engine's state."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg

from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.vocab import Vocab
from rnnviz.engine.rwkv_params import random_rwkv_params
from rnnviz.session import Workspace
from rnnviz.ui.rwkv_state import RwkvStatePanel

WORDS = tuple(f"w{i}" for i in range(12))


def rwkv_model(cell: str) -> LoadedModel:
    params = random_rwkv_params(cell, len(WORDS), 8, layers=2, head_size=4, seed=3)
    return LoadedModel(params, Vocab(WORDS), "word", "rnnviz", "", {"name": f"tiny-{cell}"})


def images(panel: RwkvStatePanel) -> list[pg.ImageItem]:
    """The data images in the scene (a colour bar's own gradient image aside)."""
    shown = [i for i in panel.glw.scene().items() if isinstance(i, pg.ImageItem)]
    assert all(any(i is j for j in shown) for i in panel.images)
    return list(panel.images)


def test_panel_draws_v4_average_and_v7_heads(qtbot: Any) -> None:
    ws = Workspace()
    ws.text = "w1 w2 w3 w4 w5"
    ws.add_model(rwkv_model("rwkv4"))
    panel = RwkvStatePanel(ws)
    qtbot.addWidget(panel)
    ws.end()
    session = ws.models[0]
    assert "RWKV-4" in panel.info.text()
    (img,) = images(panel)
    st = session.trace.records[2].state  # type: ignore[union-attr]
    a, b = st.wkv[0, 0, 0], st.wkv[0, 0, 1]  # type: ignore[attr-defined]
    np.testing.assert_allclose(img.image[2], a / b, rtol=1e-6)  # column = step
    assert img.pos().x() == -0.5 and panel.cursor_lines[0].value() == session.cursor  # centred
    ws.add_model(rwkv_model("rwkv7"))
    panel.model_box.setCurrentIndex(1)
    panel.model_box.activated.emit(1)
    panel.layer.setValue(2)
    assert "RWKV-7" in panel.info.text()
    imgs = images(panel)
    assert len(imgs) == 2 + 1  # two heads of 4 and the decay heatmap
    s7 = ws.models[1]
    want = s7.trace.records[s7.cursor].state.wkv[1, 0]  # type: ignore[union-attr, attr-defined]
    shown = sorted((i.image for i in imgs if i.image.shape == (4, 4)), key=lambda m: m.sum())
    for got, m in zip(shown, sorted(want, key=lambda m: m.sum()), strict=True):
        np.testing.assert_allclose(got, m.T, rtol=1e-6)


def test_window_runs_an_rwkv_model_beside_an_lstm(qtbot: Any, settings: Any) -> None:
    from rnnviz.checkpoints.loader import load_model
    from rnnviz.ui.main_window import MainWindow
    from tests.ui.conftest import DEMO

    ws = Workspace()
    lstm = load_model(DEMO)
    ws.text = " ".join(lstm.vocab.tokens[5:12])
    ws.add_model(lstm)
    params = random_rwkv_params("rwkv7", len(lstm.vocab), 8, layers=2, head_size=4, seed=1)
    ws.add_model(LoadedModel(params, lstm.vocab, lstm.tokenizer, "rnnviz", "", {"name": "r7"}))
    win = MainWindow(ws, settings=settings)
    qtbot.addWidget(win)
    win.show()
    ws.end()
    win.runners.run_blocking()
    for s in ws.models:  # every model's gradient row is there, RWKV's with its state norms
        row = s.gradient_row(s.cursor)
        assert np.isfinite(row.h).all() and row.h[-1, -1] > 0
    assert ws.models[1].gradient_row(ws.models[1].cursor).c is not None
    win.shutdown()


def test_single_model_gradient_view_draws_rwkv_state_curves(qtbot: Any) -> None:
    """The plain gradient view offers RWKV's WKV state as its second path: the dashed curves
    hold the engine's ||d l_t / d S_s|| of each layer."""
    from rnnviz.ui.gradient import GradientView

    ws = Workspace()
    ws.text = "w1 w2 w3 w4 w5 w6"
    session = ws.add_model(rwkv_model("rwkv7"))
    view = GradientView(session)
    qtbot.addWidget(view)
    assert view.c_check.isEnabled() and view.c_check.text() == "WKV state S"
    view.c_check.setChecked(True)
    ws.end()
    row = session.gradient_row(session.cursor)
    assert row.c is not None
    for k, curve in enumerate(view.c_curves):
        keep = row.c[k] > 0
        np.testing.assert_allclose(curve.yData, row.c[k][keep], rtol=1e-6)
    assert view.matrix_box.findData("c0") >= 0
