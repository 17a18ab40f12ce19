"""Export of what the views show: CSV and NPZ hold the plot items' own numbers (equal to the
engine's), images are written at 1x/2x and as SVG, the whole window too."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rnnviz.session import Session
from rnnviz.ui import export
from rnnviz.ui.gradient import GradientView
from rnnviz.ui.heatmap import HiddenStateView
from rnnviz.ui.softmax import SoftmaxView
from tests.ui.conftest import SENTENCE


def _session(demo_model: Any) -> Session:
    s = Session()
    s.set_model(demo_model)
    s.set_text(SENTENCE)
    s.step(5)
    return s


def test_softmax_bars_export_the_engines_top_k(qtbot: Any, demo_model: Any,
                                              tmp_path: Path) -> None:
    s = _session(demo_model)
    view = export.attach(SoftmaxView(s))
    qtbot.addWidget(view)
    pred = s.prediction()
    out = tmp_path / "bars.csv"
    export.export_data(view, out)
    with open(out, encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["kind"] == "bars"]
    assert [r["label"] for r in rows] == pred.words
    np.testing.assert_allclose([float(r["value"]) for r in rows], pred.probs, rtol=1e-6)
    export.export_data(view, tmp_path / "bars.npz")
    npz = np.load(tmp_path / "bars.npz")
    key = next(k for k in npz.files if k.endswith("/value"))
    np.testing.assert_allclose(npz[key], pred.probs, rtol=1e-6)
    tokens = next(k for k in npz.files if k.startswith("tokens/"))
    assert list(npz[tokens]) == [t.text for t in s.trace.tokens]  # type: ignore[union-attr]


def test_gradient_and_heatmap_exports_equal_the_engine(qtbot: Any, demo_model: Any,
                                                      tmp_path: Path) -> None:
    s = _session(demo_model)
    grad = export.attach(GradientView(s))
    heat = export.attach(HiddenStateView(s))
    for w in (grad, heat):
        qtbot.addWidget(w)
    row = s.gradient_row(s.cursor)
    items = export.collect(grad)
    curves = [i.arrays["y"] for i in items if i.kind == "curve"]
    assert any(c.shape == row.h[-1].shape and np.allclose(c, row.h[-1]) for c in curves)
    images = [i.arrays["image"] for i in export.collect(heat) if i.kind == "image"]
    states = s.trace.states("h")  # type: ignore[union-attr]
    flat = {tuple(np.round(img.ravel()[:5], 6)) for img in images}
    want = {tuple(np.round(states[k, : s.cursor + 1].ravel()[:5], 6)) for k in range(2)}
    assert want <= flat


def test_images_at_two_scales_and_svg(qtbot: Any, demo_model: Any, tmp_path: Path) -> None:
    from PySide6.QtGui import QImage

    s = _session(demo_model)
    view = export.attach(SoftmaxView(s))
    qtbot.addWidget(view)
    view.resize(400, 300)
    export.save_image(view, tmp_path / "a.png")
    export.save_image(view, tmp_path / "a@2x.png")
    export.save_image(view, tmp_path / "a.svg")
    one, two = QImage(str(tmp_path / "a.png")), QImage(str(tmp_path / "a@2x.png"))
    assert (one.width(), two.width()) == (400, 800)
    text = (tmp_path / "a.svg").read_text(encoding="utf-8")
    assert text.lstrip().startswith("<?xml") and "<svg" in text


@pytest.mark.qt_log_ignore("This plugin does not support")  # offscreen: menus cannot raise
def test_a_right_click_on_a_plot_opens_the_export_menu(qtbot: Any, demo_model: Any) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMenu

    s = _session(demo_model)
    view = export.attach(GradientView(s))
    qtbot.addWidget(view)
    view.resize(500, 400)
    view.show()
    qtbot.mouseClick(view.graphics.viewport(), Qt.MouseButton.RightButton,
                     pos=view.graphics.viewport().rect().center())
    menus = [m for m in view.findChildren(QMenu) if m.isVisible()]
    assert len(menus) == 1
    assert [a.text() for a in menus[0].actions()] == ["Save image…", "Copy image",
                                                      "Export data…"]
    menus[0].close()
