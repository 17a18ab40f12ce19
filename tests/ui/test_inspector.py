"""Unit inspector: the coloured text holds a fresh engine run's values of the selected unit, the
corpus index is built by a background job and its top contexts load a passage, pinned rows, and a
heatmap click selects a unit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6 import QtCore

from rnnviz.checkpoints.loader import load_model
from rnnviz.corpus.contexts import top_contexts
from rnnviz.engine.network import RNNLM
from rnnviz.session import Workspace
from rnnviz.session.workspace import UnitRef
from rnnviz.ui import colormaps as cm
from rnnviz.ui.coloured_text import value_colours
from rnnviz.ui.inspector import UnitInspector
from tests.conftest import REPO

PARENS = REPO / "resources" / "models" / "parens-lstm.safetensors"
EXCERPT = REPO / "resources" / "corpus" / "parens-heldout.txt"


def indexed(qtbot, view: UnitInspector, path: Path = EXCERPT) -> None:  # type: ignore[no-untyped-def]
    """Index ``path`` (the job may already be under way or done) and wait for it."""
    view.set_corpus(str(path))
    qtbot.waitUntil(lambda: view.index is not None and view.corpus_path == str(path)
                    and view._job is None, timeout=60_000)
TEXT = "ab(c(d)e)((f)g)h\n(a(b(c)))"


@pytest.fixture
def inspector(qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
    ws = Workspace()
    ws.add_model(load_model(PARENS))
    ws.set_text(TEXT)
    view = UnitInspector(ws, cache_dir=str(tmp_path / "cache"))  # builds the bundled excerpt's
    qtbot.addWidget(view)
    view.resize(1300, 420)
    return ws, view


def engine_unit(kind: str, layer: int, unit: int) -> np.ndarray:
    model = load_model(PARENS)
    recs = RNNLM(model.params).run([t.id for t in model.tokenize(TEXT)])
    if kind == "h":
        return np.array([r.h[layer, unit] for r in recs])
    if kind == "c":
        return np.array([r.c[layer, unit] for r in recs])  # type: ignore[index]
    return np.array([r.gates[kind][layer, unit] for r in recs])


@pytest.mark.parametrize(("kind", "unit"), [("c", 7), ("h", 3), ("f", 11)])
def test_coloured_values_equal_the_engine(inspector, kind: str, unit: int) -> None:
    ws, view = inspector
    ws.set_selected_unit(UnitRef(0, kind, 0, unit))
    want = engine_unit(kind, 0, unit)
    np.testing.assert_allclose(view.values, want, rtol=1e-5, atol=1e-6)
    lo, hi = view.levels
    assert lo <= want.min() and want.max() <= hi
    # the colour of every character is the diverging map at its engine value
    expect = cm.diverging().map(np.clip((want - lo) / (hi - lo), 0, 1), mode="byte")
    np.testing.assert_array_equal(value_colours(view.values, view.levels), expect)
    page = view.text_view.toHtml()
    for rgba in expect[:5]:
        assert f"#{rgba[0]:02x}{rgba[1]:02x}{rgba[2]:02x}" in page
    assert view.layer_spin.value() == 1 and view.unit_spin.value() == unit  # 1-based layers


def test_index_job_contexts_and_loading_a_passage(qtbot, inspector, tmp_path: Path) -> None:
    ws, view = inspector
    ws.set_selected_unit(UnitRef(0, "c", 0, 7))
    assert view.hist_note.scene() is not None and not view.hist_cursor.isVisible()
    indexed(qtbot, view)
    assert view.index is not None and view.corpus is not None
    # the histogram is the unit's values over the indexed corpus; no "not indexed" note
    counts, edges = np.histogram(view.index.series("c", 0, 7), bins=60)
    np.testing.assert_array_equal(view.hist_curve.yData, counts)
    np.testing.assert_allclose(view.hist_curve.xData, edges)
    assert view.hist_note.scene() is None and view.hist_cursor.isVisible()
    high, low = top_contexts(view.index, "c", 0, 7, 20, 10)
    assert [c.position for c in view.high] == [c.position for c in high]
    assert [c.position for c in view.low] == [c.position for c in low]
    assert f"ctx:{high[0].position}" in view.contexts_view.toHtml()
    pos = high[0].position
    view.load_context(pos)
    lo = max(0, pos - 10)
    assert ws.text == "".join(view.corpus.tokens[lo:pos + 11])
    assert ws.cursor == pos - lo


def test_pinned_units_are_rows(inspector) -> None:
    ws, view = inspector
    ws.pin_unit(UnitRef(0, "c", 0, 7))
    ws.pin_unit(UnitRef(0, "h", 0, 2))
    page = view.pinned_view.toHtml()
    assert "c unit 7" in page and "h unit 2" in page
    want = engine_unit("h", 0, 2)
    colours = value_colours(want, (-1.0, 1.0))  # h is tanh-bounded
    assert f"#{colours[3][0]:02x}{colours[3][1]:02x}{colours[3][2]:02x}" in page
    ws.unpin_unit(UnitRef(0, "c", 0, 7))
    assert "c unit 7" not in view.pinned_view.toHtml()


def test_heatmap_click_selects_the_unit(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6 import QtCore

    from rnnviz.ui.heatmap import HiddenStateView

    ws = Workspace()
    ws.add_model(load_model(PARENS))
    ws.set_text(TEXT)
    ws.end()
    view = HiddenStateView(ws.models[0])
    qtbot.addWidget(view)
    view.resize(800, 500)
    view.show()
    qtbot.waitExposed(view)
    vb = view.plots[0].getViewBox()
    scene_pos = vb.mapViewToScene(QtCore.QPointF(4, 9))

    class Click:
        def scenePos(self) -> QtCore.QPointF:
            return scene_pos

    view._on_clicked(Click())
    assert ws.selected_unit == UnitRef(0, "h", 0, 9)


def test_match_panel_ranks_the_inspectors_index(qtbot, inspector) -> None:
    from rnnviz.corpus import match as mt
    from rnnviz.ui.match_panel import MatchPanel

    ws, view = inspector
    panel = MatchPanel(ws)
    qtbot.addWidget(panel)
    assert "Press Match" in panel.results_view.toPlainText()  # says how to use it
    ws.set_selected_unit(UnitRef(0, "c", 0, 7))
    indexed(qtbot, view)
    panel.threshold.setValue(0.3)
    panel.below.setChecked(False)
    panel.set_span(10, 13)
    states = ws.models[0].trace.states("c")[0]  # type: ignore[union-attr]
    want = (states[10:13] >= 0.3).all(axis=0)
    np.testing.assert_array_equal(panel.selected, want)
    panel.run_match()
    assert panel.matches is not None and view.index is not None
    layer = view.index.layer("c", 0)
    scores = mt.match_scores(layer, want, 3, 0.3)
    assert panel.matches.scores[0] == scores.max()
    assert len(panel.matches.positions) == 50
    hist = panel.matches.length_histogram()
    xs = np.flatnonzero(hist)
    bars = panel.length_bars.opts
    np.testing.assert_array_equal(bars["x"], xs)
    np.testing.assert_array_equal(bars["height"], hist[xs])
    assert int(np.sum(bars["height"])) == 50
    assert "Top 50 matches" in panel.results_view.toPlainText()
    p = int(panel.matches.positions[0])
    panel.load_match(p, 3)
    lo = max(0, p - 10)
    assert ws.cursor == p + 2 - lo


def test_finder_tab_ranks_units_and_opens_one(qtbot, inspector) -> None:
    from rnnviz.corpus.finder import rank_units
    from rnnviz.corpus.labels import make_label

    ws, view = inspector
    indexed(qtbot, view)
    view.label_box.setCurrentText("depth")
    assert view.track.yData is not None and len(view.track.yData) == len(view.values)
    depth = make_label("depth", [t.text for t in ws.models[0].trace.tokens], "char").values
    lo, hi = view.values.min(), view.values.max()  # the label scaled into the unit's range
    np.testing.assert_allclose(view.track.yData, lo + (depth - depth.min()) / np.ptp(depth)
                               * (hi - lo), rtol=1e-6)
    assert view.line.getPlotItem().titleLabel.text == \
        "grey: label 'depth' (Find units), scaled"
    view.find_units()
    qtbot.waitUntil(lambda: len(view.found) == 10, timeout=30_000)
    assert view.corpus is not None and view.index is not None
    want = rank_units(view.index, make_label("depth", view.corpus.tokens, "char"), 10)[:10]
    assert [(u.kind, u.layer, u.unit) for u in view.found] == [
        (u.kind, u.layer, u.unit) for u in want]
    assert abs(view.found[0].r) >= 0.9
    view._on_finder_link(QtCore.QUrl("unit:0"))
    best = view.found[0]
    assert ws.selected_unit == UnitRef(0, best.kind, best.layer, best.unit)


def test_word_model_contexts_load_as_words(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.corpus.helpers import word_corpus, word_model

    model = word_model(tmp_path, "gru", layers=2, hidden=6)
    ws = Workspace()
    ws.add_model(model)
    ws.set_text("the cat sat on a mat")
    view = UnitInspector(ws, cache_dir=str(tmp_path / "cache"))
    qtbot.addWidget(view)
    ws.set_selected_unit(UnitRef(0, "h", 1, 4))
    np.testing.assert_allclose(
        view.values, [r.h[1, 4] for r in RNNLM(model.params).run(
            [t.id for t in model.tokenize("the cat sat on a mat")])], rtol=1e-5, atol=1e-6)
    corpus_file = word_corpus(tmp_path, lines=40)
    indexed(qtbot, view, corpus_file)
    assert view.corpus is not None and view.corpus.tokenizer == "word"
    p = view.low[0].position
    view.load_context(p)
    lo = max(0, p - 10)
    assert [t.text for t in ws.models[0].trace.tokens] == list(  # type: ignore[union-attr]
        view.corpus.tokens[lo:p + 11])
    assert ws.cursor == p - lo


def test_a_backward_models_contexts_load_in_text_order(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A backward model indexes each corpus line reversed (its reading order); a passage it
    loads is put back into text order, so that the model reads the corpus's tokens again, and
    the cursor sits on the context's token."""
    import dataclasses

    from tests.corpus.helpers import word_corpus, word_model

    fwd = word_model(tmp_path, "gru", layers=1, hidden=6)
    model = dataclasses.replace(fwd, meta={**fwd.meta, "direction": "backward"})
    ws = Workspace()
    ws.add_model(model)
    ws.set_text("the cat sat on a mat")
    view = UnitInspector(ws, cache_dir=str(tmp_path / "cache"))
    qtbot.addWidget(view)
    ws.set_selected_unit(UnitRef(0, "h", 0, 2))
    corpus_file = word_corpus(tmp_path, lines=40)
    indexed(qtbot, view, corpus_file)
    assert view.corpus is not None
    first = corpus_file.read_text().splitlines()[0].split()
    assert list(view.corpus.tokens[:len(first) + 1]) == [*first[::-1], "<eos>"]
    p = view.high[0].position
    view.load_context(p)
    lo, hi = max(0, p - 10), min(len(view.corpus), p + 11)
    session = ws.models[0]
    assert ws.text == " ".join(view.corpus.tokens[lo:hi][::-1])
    assert [t.text for t in session.trace.tokens] == list(view.corpus.tokens[lo:hi])
    assert session.trace.tokens[session.cursor].text == view.corpus.tokens[p]
    shown = view.contexts_view.toPlainText()  # contexts read in text order too
    words = list(view.corpus.tokens[view.high[0].start:view.high[0].stop])[::-1]
    assert " ".join(words) in " ".join(shown.split())


def test_cancelling_the_index_build_leaves_no_index(qtbot, inspector, tmp_path: Path) -> None:
    _, view = inspector
    qtbot.waitUntil(lambda: view._job is None, timeout=60_000)  # the bundled excerpt's build
    corpus = tmp_path / "long.txt"
    corpus.write_text(make_parens_text(60_000))
    view.set_corpus(str(corpus))
    view.cancel_index()
    qtbot.waitUntil(lambda: view._job is None, timeout=60_000)
    assert view.index is None and view.status.text() == "indexing cancelled"
    assert view.progress.isHidden()
    assert not list((tmp_path / "cache" / "index").glob(".*tmp*"))


def make_parens_text(n: int) -> str:
    from tests.corpus.helpers import make_parens

    return str(make_parens().generate(n, seed=11))


def test_the_corpus_a_model_was_given_is_remembered(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QSettings

    corpus = tmp_path / "mine.txt"
    corpus.write_text(make_parens_text(3000))
    QSettings().setValue("corpus/parens-lstm", str(corpus))
    ws = Workspace()
    ws.add_model(load_model(PARENS))
    ws.set_text(TEXT)
    view = UnitInspector(ws, cache_dir=str(tmp_path / "cache"))
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.index is not None, timeout=60_000)
    assert view.corpus_path == str(corpus) and view.corpus is not None
    assert "".join(view.corpus.tokens) == corpus.read_text()


def test_selecting_a_unit_of_another_model_indexes_that_models_corpus(qtbot, inspector) -> None:
    ws, view = inspector
    indexed(qtbot, view)
    first = view.index
    ws.add_model(load_model(PARENS))  # a second copy: another model object, same file
    ws.set_selected_unit(UnitRef(1, "c", 0, 7))
    qtbot.waitUntil(lambda: view.index is not None and view.index is not first
                    and view._job is None, timeout=60_000)
    assert view._index_for is not None and view._index_for[0] == id(ws.models[1].model)
    assert view.index.directory == first.directory  # same file and corpus: the cached index
    np.testing.assert_allclose(view.values, engine_unit("c", 0, 7), rtol=1e-5, atol=1e-6)
