"""The layout checks of test_layout (no overlapping controls, no cut labels, no overlapping tick
labels, no sliver plots) at 1024x640, 1366x768 and 1920x1080 with the tutorials' other systems
open: a backward LM beside a forward one, CBOW beside an RNN, a two-layer bidirectional LM, a
classifier (with its Classes tab in front). Random parameters where no bundled file exists; a
kind whose engine is not built yet skips with that reason."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pyqtgraph as pg
import pytest
from PySide6 import QtWidgets

from rnnviz.checkpoints.loader import load_model
from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.vocab import Vocab
from rnnviz.engine.factory import NotForThisModel, build_engine
from rnnviz.session import Workspace
from rnnviz.ui.main_window import MainWindow
from rnnviz.ui.softmax import ValueLabel
from tests.ui.conftest import DEMO, REPO
from tests.ui.overlap import cut_captions, escaping_items, overlaps, tick_label_rects
from tests.ui.test_layout import (
    MIN_PLOT,
    SIZES,
    axes_of,
    cut_labels,
    global_rect,
    name,
    on_screen,
    visible_leaves,
)

MODELS = REPO / "resources" / "models"
TEXT = "the man bit the dog and the dog ran into the room ."


def bundled_or_demo(stem: str) -> LoadedModel:
    path = MODELS / f"{stem}.safetensors"
    return load_model(path if path.exists() else DEMO)


def backward_lm() -> LoadedModel:
    path = MODELS / "ptb-lstm-backward.safetensors"
    if path.exists():
        return load_model(path)
    m = bundled_or_demo("ptb-lstm")
    return dataclasses.replace(m, meta={**m.meta, "direction": "backward",
                                        "name": m.name + "-backward"})


def random_kind(kind: str, vocab: Vocab) -> LoadedModel:
    """A model of a new kind with random parameters over ``vocab``."""
    from rnnviz.engine.bidir_params import random_bidir
    from rnnviz.engine.cbow_params import random_cbow
    from rnnviz.engine.classifier_params import ClassifierParams
    from rnnviz.engine.params import random_params

    v = len(vocab.tokens)
    if kind == "cbow":
        params: Any = random_cbow(v, 16, 4, seed=1)
    elif kind == "bidir":
        params = random_bidir("gru", v, 12, layers=2, seed=2)
    else:
        net = dataclasses.replace(random_params("gru", v, 12, layers=1, seed=3),
                                  decoder_w=random_params("gru", 2, 12, seed=4).decoder_w,
                                  decoder_b=random_params("gru", 2, 12, seed=4).decoder_b,
                                  output_size=2)
        params = ClassifierParams(net, ("real order", "shuffled"))
    return LoadedModel(params, vocab, "word", "rnnviz", f"random-{kind}.safetensors",
                       {"name": f"random-{kind}"})


def models_for(kind: str) -> list[LoadedModel]:
    base = bundled_or_demo("ptb-rnn")
    if kind == "backward":
        return [bundled_or_demo("ptb-lstm"), backward_lm()]
    stem = {"cbow": "ptb-cbow", "classifier": "ptb-order-bigru"}.get(kind)
    new = load_model(MODELS / f"{stem}.safetensors") if stem and \
        (MODELS / f"{stem}.safetensors").exists() else random_kind(kind, base.vocab)
    try:
        build_engine(new.params)
    except NotForThisModel as e:
        pytest.skip(f"{kind}: {e}")
    # CBOW beside the RNN it is compared with; a bidirectional net (its → and ← maps side by
    # side) and a classifier (with the Classes tab) alone
    return [base, new] if kind == "cbow" else [new]


@pytest.fixture(params=["backward", "cbow", "bidir", "classifier"])
def window(request: Any, qtbot: Any, settings: Any) -> Iterator[MainWindow]:
    ws = Workspace()
    ws.text = TEXT
    for m in models_for(request.param):
        ws.add_model(m)
    win = MainWindow(ws, settings=settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    if request.param == "classifier":
        win.show_panel("Classes")
    yield win
    win.shutdown()


@pytest.fixture(params=SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def sized(request: pytest.FixtureRequest, window: Any, qtbot: Any) -> Any:
    window.resize(*request.param)
    qtbot.wait(50)
    window.runners.run_blocking()
    window.workspace.set_cursor(5)
    qtbot.wait(50)
    assert (window.width(), window.height()) == request.param
    return window


def test_no_overlaps_cuts_or_slivers(sized: Any) -> None:
    leaves = visible_leaves(sized)
    assert overlaps([(name(w), global_rect(w)) for w in leaves], slack=1.0) == []
    assert cut_labels(leaves) == []
    for axis in axes_of(sized):
        assert overlaps(tick_label_rects(axis)) == [], axis.orientation
    for view in sized.findChildren(QtWidgets.QGraphicsView):
        if not view.isVisible() or on_screen(view).isEmpty():
            continue
        assert cut_captions(view) == []
        assert escaping_items(view, ValueLabel) == []
        for item in view.scene().items():
            if isinstance(item, pg.ViewBox) and item.isVisible() and \
                    not isinstance(item.parentItem(), pg.ColorBarItem):
                rect = item.sceneBoundingRect()
                assert rect.height() >= MIN_PLOT and rect.width() >= MIN_PLOT, rect


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_bidirectional_pair_of_maps_stands_on_one_line(qtbot: Any, settings: Any,
                                                          size: tuple[int, int]) -> None:
    """The → and ← maps of a bidirectional layer have the same top and bottom (the caption
    under the pair does not shorten one of them), and only a multi-layer net's top row says
    '(top)'."""
    from rnnviz.ui.heatmap import HiddenStateView

    base = bundled_or_demo("ptb-rnn")
    for layers, model in ((2, random_kind("bidir", base.vocab)),
                          (1, bundled_or_demo("ptb-order-bigru"))):
        try:
            build_engine(model.params)
        except NotForThisModel as e:
            pytest.skip(f"bidir: {e}")
        ws = Workspace()
        ws.text = TEXT
        ws.add_model(model)
        win = MainWindow(ws, settings=settings)
        qtbot.addWidget(win)
        win.show()
        qtbot.waitExposed(win)
        win.resize(*size)
        qtbot.wait(50)
        win.runners.run_blocking()
        heat = win.findChildren(HiddenStateView)[0]
        if len(heat.plots) != 2 * layers:
            win.shutdown()
            continue  # the bundled file is not the bidirectional classifier
        for fwd, rev in zip(heat.plots[::2], heat.plots[1::2], strict=True):
            a = fwd.getViewBox().sceneBoundingRect()
            b = rev.getViewBox().sceneBoundingRect()
            assert abs(a.top() - b.top()) <= 1 and abs(a.bottom() - b.bottom()) <= 1, (a, b)
        tops = ["(top)" in p.getAxis("left").labelText for p in heat.plots]
        assert tops == ([False, False, True, True] if layers == 2 else [False, False])
        win.shutdown()


@pytest.mark.parametrize("kind", ["backward", "cbow", "bidir", "classifier"])
def test_japanese_captions_and_check_boxes_fit_at_1024x640(qtbot: Any, settings: Any,
                                                           kind: str) -> None:
    """Under the Japanese catalogue (wider glyphs), at the smallest size: no axis caption is
    cut or runs under a neighbour, no check box or one-line label is cut."""
    from rnnviz.ui import i18n

    models = models_for(kind)
    assert i18n.install("ja")
    try:
        ws = Workspace()
        ws.text = TEXT
        for m in models:
            ws.add_model(m)
        win = MainWindow(ws, settings=settings)
        qtbot.addWidget(win)
        win.show()
        qtbot.waitExposed(win)
        win.resize(1024, 640)
        qtbot.wait(50)
        win.runners.run_blocking()
        win.workspace.set_cursor(5)
        qtbot.wait(50)
        assert cut_labels(visible_leaves(win)) == []
        captions = [a.labelText for a in axes_of(win) if a.orientation == "bottom"]
        assert any(c.startswith("トークン") for c in captions), captions  # really Japanese
        assert not any(c.startswith("トークン") and c.endswith("…") for c in captions), captions
        for view in win.findChildren(QtWidgets.QGraphicsView):
            if view.isVisible() and not on_screen(view).isEmpty():
                assert cut_captions(view) == []
                assert escaping_items(view, ValueLabel) == []
        win.shutdown()
    finally:
        i18n.install("en")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("kind", ["backward", "cbow", "bidir"])
def test_each_model_gradient_columns_fit(qtbot: Any, settings: Any, kind: str,
                                         size: tuple[int, int]) -> None:
    """Gradient flow back in time → Each model, two models side by side (the new kind beside
    ptb-rnn where it is alone): no cut check box or label, no axis caption cut or running
    under another plot, no overlapping tick labels."""
    models = models_for(kind)
    if len(models) == 1:
        models = [bundled_or_demo("ptb-rnn"), *models]
    ws = Workspace()
    ws.text = TEXT
    for m in models:
        ws.add_model(m)
    win = MainWindow(ws, settings=settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    try:
        win.resize(*size)
        qtbot.wait(50)
        assert win.show_panel("Gradient flow back in time")
        pane = win.panes[2].view
        pane.tabs.setCurrentWidget(pane.columns)  # type: ignore[attr-defined]
        win.runners.run_blocking()
        win.workspace.set_cursor(5)
        qtbot.wait(50)
        win.runners.run_blocking()
        leaves = visible_leaves(win)
        assert cut_labels(leaves) == []
        for axis in axes_of(win):
            assert overlaps(tick_label_rects(axis)) == [], axis.orientation
        for view in win.findChildren(QtWidgets.QGraphicsView):
            if view.isVisible() and not on_screen(view).isEmpty():
                assert cut_captions(view) == []
    finally:
        win.shutdown()
