"""The Memory view draws the engine's numbers: median and quartile curves of every model and
path, and the span table; it computes in the background and can be cancelled."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.vocab import Vocab
from rnnviz.engine.memory import memory_curves
from rnnviz.engine.network import RNNLM
from rnnviz.engine.params import random_params
from rnnviz.session import Workspace
from rnnviz.session.memory import stream_ids
from rnnviz.ui.memory_view import FLOOR, MemoryView, curve_paths, path_stats

WORDS = ("<eos>", "<unk>", *(f"w{i}" for i in range(12)))
TEXT = "\n".join(" ".join(f"w{(i * 5 + j) % 12}" for j in range(i % 6 + 2)) for i in range(60))


def _model(cell: str, seed: int) -> LoadedModel:
    p = random_params(cell, len(WORDS), 8, layers=2, seed=seed, scale=0.9)
    return LoadedModel(p, Vocab(WORDS), "word", "rnnviz", meta={"name": f"{cell}-{seed}"})


@pytest.fixture
def view(qtbot: Any, tmp_path: Path) -> MemoryView:
    corpus = tmp_path / "corpus.txt"
    corpus.write_text(TEXT)
    ws = Workspace()
    ws.text = "w1 w2 w3"
    ws.add_model(_model("lstm", 1))
    ws.add_model(_model("gru", 2))
    v = MemoryView(ws)
    qtbot.addWidget(v)
    v.corpus = corpus
    v.tokens.setValue(80)
    v.distance.setValue(15)
    return v


def test_curves_are_the_engines_numbers(qtbot: Any, view: MemoryView) -> None:
    view.checks["lower"].setChecked(True)
    view.checks["input"].setChecked(True)
    view.compute()
    qtbot.waitUntil(lambda: view.idle, timeout=30000)
    assert sorted(view.results) == [0, 1]
    rows = 0
    for i, session in enumerate(view.workspace.models):
        m = session.model
        assert m is not None
        ids, _ = stream_ids(TEXT, m, 80)
        want = memory_curves(RNNLM(m.params), ids, 15)
        for p in curve_paths(want):
            q = path_stats(want, p)
            med, lo, hi = view.curves[(i, p.path, p.layer)]
            np.testing.assert_array_equal(med.xData, np.arange(16))
            for item, arr in ((med, q.median), (lo, q.q25), (hi, q.q75)):
                np.testing.assert_allclose(item.yData, np.maximum(arr, FLOOR), rtol=1e-12)
            label = view.table.item(rows, 1).text()
            assert view.table.item(rows, 0).text() == session.name
            assert int(view.table.item(rows, 2).text()) == int(np.asarray(q.span)), label
            rows += 1
    assert view.table.rowCount() == rows == 5 + 3  # lstm: h, h, c, c, input; gru: h, h, input
    names = [item.text for _, item in view.legend.items]
    assert names == ["lstm-1", "gru-2"]


def test_toggles_hide_paths_and_new_settings_recompute(qtbot: Any, view: MemoryView) -> None:
    view.compute()
    qtbot.waitUntil(lambda: view.idle, timeout=30000)
    assert set(view.curves) == {(0, "h", 1), (0, "c", 1), (1, "h", 1)}  # top h and c by default
    view.checks["c"].setChecked(False)
    assert set(view.curves) == {(0, "h", 1), (1, "h", 1)}
    view.distance.setValue(10)
    view.compute()
    qtbot.waitUntil(lambda: view.idle, timeout=30000)
    assert view.curves[(0, "h", 1)][0].xData.shape == (11,)


def test_cancel_and_errors(qtbot: Any, view: MemoryView) -> None:
    view.tokens.setValue(3000)
    view.distance.setValue(400)
    view.corpus.write_text(TEXT * 20)
    view.compute()
    assert not view.idle and view.cancel_button.isEnabled()
    view.cancel()
    assert view.idle and not view.cancel_button.isEnabled()
    view.queue.pool.waitForDone(30000)
    view.tokens.setValue(10)
    view.compute()  # 10 tokens are too few for D = 400: one line, no crash
    qtbot.waitUntil(lambda: view.idle, timeout=30000)
    assert "too few" in view.status.text() and view.results == {}


def test_the_window_tab_computes_the_shipped_corpus_when_shown(qtbot: Any) -> None:
    """``--panel Memory`` opens the tab; showing it computes the default corpus."""
    from rnnviz import app
    from rnnviz.session.memory import DEFAULT_CORPUS
    from tests.ui.conftest import DEMO

    window, error = app.build_window(app.parse_args([str(DEMO), "--panel", "Memory"]))
    try:
        assert error is None
        assert window.tabs.tabText(window.tabs.currentIndex()) == "Memory"
        view = window.tabs.currentWidget()
        assert isinstance(view, MemoryView) and view.corpus == DEFAULT_CORPUS
        view.distance.setValue(20)
        view.tokens.setValue(200)
        window.show()
        qtbot.waitUntil(lambda: 0 in view.results and view.idle, timeout=60000)
        m = window.session.model
        assert m is not None
        ids, _ = stream_ids(DEFAULT_CORPUS.read_text(), m, 200)
        want = memory_curves(RNNLM(m.params), ids, 20)
        assert want.c is not None
        np.testing.assert_allclose(view.curves[(0, "c", 1)][0].yData, want.c.median[1])
    finally:
        window.shutdown()
        window.deleteLater()


def test_replacing_a_model_recomputes(qtbot: Any, view: MemoryView) -> None:
    view.resize(900, 500)
    view.show()  # shown: computes by itself
    qtbot.waitUntil(lambda: view.idle and len(view.results) == 2, timeout=30000)
    old = view.results[1]
    new = _model("rnn_tanh", 7)
    view.workspace.models[1].set_model(new)
    qtbot.waitUntil(lambda: view.idle and 1 in view.results and view.results[1] is not old,
                    timeout=30000)
    ids, _ = stream_ids(TEXT, new, 80)
    want = memory_curves(RNNLM(new.params), ids, 15)
    np.testing.assert_array_equal(view.results[1].h.median, want.h.median)
    assert view.table.item(view.table.rowCount() - 1, 0).text() == "rnn_tanh-7"


def test_window_shutdown_stops_a_running_computation(qtbot: Any, view: MemoryView) -> None:
    view.tokens.setValue(3000)
    view.distance.setValue(400)
    view.corpus.write_text(TEXT * 20)
    view.compute()
    job = view.job
    assert job is not None
    view.shutdown()  # cancels and waits: the thread is done when it returns
    assert view.queue.pool.activeThreadCount() == 0 and view.idle and job.is_cancelled


def test_a_model_without_memory_curves_does_not_stop_the_others(qtbot: Any, settings: Any) -> None:
    """CBOW opened first, an RNN beside it: the RNN's curves are computed (equal to the
    engine's), and the status line says why CBOW has none."""
    from rnnviz.checkpoints.loader import load_model
    from rnnviz.engine.cbow_params import random_cbow
    from rnnviz.session.memory import DEFAULT_CORPUS
    from rnnviz.ui.main_window import MainWindow
    from tests.ui.conftest import DEMO

    base = load_model(DEMO)
    cbow = LoadedModel(random_cbow(len(base.vocab.tokens), 8, 3, seed=1), base.vocab, "word",
                       "rnnviz", "random-cbow.safetensors", {"name": "random-cbow"})
    ws = Workspace()
    ws.text = "the cat sat"
    ws.add_model(cbow)
    ws.add_model(base)
    win = MainWindow(ws, settings=settings)
    qtbot.addWidget(win)
    try:
        win.show()
        view = win.findChild(MemoryView)
        view.distance.setValue(10)
        view.tokens.setValue(120)
        assert win.show_panel("Memory")
        view.compute()
        qtbot.waitUntil(lambda: view.idle and 1 in view.results, timeout=60000)
        assert 0 not in view.results
        assert "memory curves work on RNN, LSTM, GRU and RWKV language models; random-cbow is a " \
            "CBOW model" in view.status.full_text()
        ids, _ = stream_ids(DEFAULT_CORPUS.read_text(), base, 120)
        want = memory_curves(RNNLM(base.params), ids, 10)
        compared = 0
        for p in curve_paths(want):
            if (1, p.path, p.layer) in view.curves:
                med = view.curves[(1, p.path, p.layer)][0]
                np.testing.assert_allclose(med.yData, np.maximum(path_stats(want, p).median,
                                                                 FLOOR), rtol=1e-12)
                compared += 1
        assert compared >= 1
        assert not any(key[0] == 0 for key in view.curves)  # nothing drawn for CBOW
    finally:
        win.shutdown()
