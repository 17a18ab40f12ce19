"""The window with several models: columns per model, the overlay of gradient curves on one axis
(curve data equal the engine's rows), stepping together, the traced word, closing a model."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from rnnviz.checkpoints.loader import load_model
from rnnviz.session import Workspace
from rnnviz.ui.columns import ModelColumns
from rnnviz.ui.gradient_compare import CompareGradientView
from rnnviz.ui.main_window import MainWindow
from tests.ui.conftest import DEMO, REPO

PTB = [REPO / "resources" / "models" / f"ptb-{n}.safetensors" for n in ("rnn", "gru", "lstm")]
TEXT = "Tom was watching TV in his home. Mary came into the room. Mary said hi to"


@pytest.fixture
def window(qtbot: Any, settings: Any) -> Iterator[MainWindow]:
    ws = Workspace()
    paths = PTB if all(p.exists() for p in PTB) else [DEMO, DEMO, DEMO]
    ws.text = TEXT
    for p in paths:
        ws.add_model(load_model(p))
    win = MainWindow(ws, settings=settings)
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    yield win
    win.shutdown()


def test_three_models_get_a_column_each_and_step_together(window: MainWindow) -> None:
    heat = window.panes[0].view
    assert isinstance(heat, ModelColumns) and len(heat.views) == 3
    assert [v.session for v in heat.views] == window.workspace.models  # type: ignore[attr-defined]
    window.session.step(3)
    assert [s.cursor for s in window.workspace.models] == [3, 3, 3]
    assert " vs " in window.windowTitle()


def test_overlay_curves_equal_every_models_gradient_row(window: MainWindow, qtbot: Any) -> None:
    ws = window.workspace
    ws.end()
    ws.set_traced_word("tom")
    window.runners.run_blocking()
    compare = window.panes[2].view.compare  # type: ignore[attr-defined]
    assert isinstance(compare, CompareGradientView)
    compare.redraw()
    for i, s in enumerate(ws.models):
        row = s.gradient_row(s.cursor)
        x, y = compare.curves[(i, "h")].xData, compare.curves[(i, "h")].yData
        expect = row.h[-1]
        d = np.arange(len(expect))[::-1]
        keep = expect > 0
        np.testing.assert_array_equal(x, d[keep])
        np.testing.assert_array_equal(y, expect[keep])
        assert s.prediction().target_word == "tom"
    assert "tom" in compare.describe()
    lo, hi = compare.plot.getViewBox().viewRange()[1]
    every = np.concatenate([a.ravel() for s in ws.models for a in
                            (s.store(None).h[-1], s.store(None).inputs)])
    every = every[np.isfinite(every) & (every > 0)]
    assert lo <= np.log10(every.min()) + 1e-6 and hi >= np.log10(every.max()) - 1e-6


def test_closing_a_model_removes_its_column_and_curves(window: MainWindow) -> None:
    window.models_menu.close_model(1)
    heat = window.panes[0].view
    assert isinstance(heat, ModelColumns) and len(heat.views) == 2
    compare = window.panes[2].view.compare  # type: ignore[attr-defined]
    assert sorted({i for i, _ in compare.curves}) == [0, 1]
    window.models_menu.close_model(1)
    assert len(window.workspace.models) == 1
    assert window.panes[2].view.stack.currentIndex() == 0  # type: ignore[attr-defined]


def test_compare_with_a_bad_file_keeps_every_model(window: MainWindow, qtbot: Any,
                                                  tmp_path: Any, monkeypatch: Any) -> None:
    from PySide6.QtWidgets import QMessageBox

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(str(a[2])))
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"not a model")
    with qtbot.waitSignal(window.open_finished, timeout=10000) as sig:
        window.open_file(str(bad), add=True)
    assert sig.args == [False] and len(window.workspace.models) == 3 and len(shown) == 1
    assert "\n" not in shown[0]


def test_clicking_a_bar_traces_that_word_in_every_model(window: MainWindow, qtbot: Any) -> None:
    from PySide6.QtCore import QPointF, Qt

    window.workspace.end()
    soft = window.softmax
    word = soft.words[2]  # type: ignore[attr-defined]
    vb = soft.plot.getViewBox()  # type: ignore[attr-defined]
    scene_pos = vb.mapViewToScene(QPointF(0.0001, 2.0))
    view_pos = soft.graphics.mapFromScene(scene_pos)  # type: ignore[attr-defined]
    qtbot.mouseClick(soft.graphics.viewport(), Qt.MouseButton.LeftButton,  # type: ignore
                     pos=view_pos)
    assert window.workspace.traced is not None and window.workspace.traced.word == word
    for s in window.workspace.models:
        assert s.prediction().target_word == word and s.prediction().chosen
    box = window.panes[2].view.traced  # type: ignore[attr-defined]
    assert word in box.text()
    box.reset.click()
    assert window.workspace.traced is None


def test_shared_scale_one_range_for_every_gradient_view(window: MainWindow, qtbot: Any) -> None:
    """Two models' GradientViews: the same y range and matrix levels, equal to the log10
    min/max of every computed norm of both stores (recomputed here from the arrays)."""
    from rnnviz.ui.gradient import GradientView

    ws = window.workspace
    ws.remove_model(2)
    ws.set_shared_scale(True)
    views = [GradientView(s) for s in ws.models]
    for v in views:
        qtbot.addWidget(v)
    for t in range(ws.length):
        ws.set_cursor(t)
        for s in ws.models:  # every row computed, so the range is final
            s.gradient_row(s.cursor, s.truncate)
    for s in ws.models:
        s.gradients_changed.emit()
    vals = []
    for s in ws.models:
        st = s.store(s.truncate)
        assert st.ready.all()
        for m in [st.h[-1], st.inputs] + ([st.c[-1]] if st.c is not None else []):
            vals.append(m[np.tril_indices(m.shape[0])])  # s <= t: the computed entries
    allv = np.concatenate(vals)
    allv = allv[allv > 0]
    hi = np.log10(allv.max())
    lo = max(np.log10(allv.min()), hi - 16)
    if hi - lo < 1:
        lo, hi = (lo + hi) / 2 - 0.5, (lo + hi) / 2 + 0.5
    ranges = [tuple(v.curve_plot.getViewBox().viewRange()[1]) for v in views]
    levels = [tuple(v.colorbar.levels()) for v in views]
    for r, lv in zip(ranges, levels, strict=True):
        assert r == pytest.approx((lo, hi), abs=1e-6)
        assert lv == pytest.approx((lo, hi), abs=1e-6)
    ws.set_cursor(3)  # fixed: stepping changes nothing
    assert tuple(views[0].curve_plot.getViewBox().viewRange()[1]) == pytest.approx(ranges[0])
    ws.set_shared_scale(False)  # auto: a model's own whole-decade span
    assert views[0].scale_box.currentData() is False
    own = views[0].curve_plot.getViewBox().viewRange()[1]
    assert own[0] == pytest.approx(round(own[0])) and own[1] == pytest.approx(round(own[1]))
