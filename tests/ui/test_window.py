"""The main window driven like a user would: typing, keys, buttons, clicks, playback, jobs."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import Qt

from rnnviz.engine.bptt import default_targets, gradient_norms
from rnnviz.engine.network import RNNLM
from tests.ui.conftest import SENTENCE


def press(qtbot: Any, win: Any, key: Qt.Key, times: int = 1) -> None:
    """Key presses where the user's focus is (the stepper, unless the sentence box has it)."""
    target = win.focusWidget() or win
    for _ in range(times):
        qtbot.keyClick(target, key)


def test_window_shows_model_and_first_step(window: Any) -> None:
    s = window.session
    assert "demo LSTM" in window.windowTitle()
    assert window.panel.value("Cell") == "LSTM"
    assert window.panel.value("Layers") == "2"
    assert s.cursor == 0 and s.text == SENTENCE
    assert window.step_label.text().startswith(f"step 1 of {s.length}")
    assert len(window.strip.chips.tokens) == s.length
    titles = [p.title.text() for p in window.panes]
    assert titles == ["Hidden state", "Next-word prediction", "Gradient flow back in time"]


def test_typing_then_right_n_times(window: Any, qtbot: Any) -> None:
    edit = window.sentence.edit
    edit.clear()
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    edit.setFocus()
    qtbot.keyClicks(edit, "the stock market fell sharply as investors worried")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    s = window.session
    assert s.text == "the stock market fell sharply as investors worried"
    assert [t.text for t in s.trace.tokens][:3] == ["the", "stock", "market"]
    assert s.cursor == 0 and not edit.hasFocus()
    press(qtbot, window, Qt.Key.Key_Right, 5)
    assert s.cursor == 5
    assert window.strip.chips.current == 5
    assert window.step_label.text().startswith(f"step 6 of {s.length}")
    assert f"“{s.trace.tokens[5].text}”" in window.step_label.text()
    loss = float(s.trace.losses[5])
    assert f"{loss:.3f}" in window.step_label.text()
    assert_views_hold_a_fresh_engine_run(window)


def assert_views_hold_a_fresh_engine_run(win: Any) -> None:
    """The views' item data equal a new engine run of the same ids (not the session's cache)."""
    s = win.session
    t = s.cursor
    engine = RNNLM(s.model.params)
    recs = engine.run([tok.id for tok in s.trace.tokens])
    targets, _ = default_targets(recs)
    grads = gradient_norms(engine, recs, targets)
    for k, image in enumerate(win.heatmap.images):
        want = np.stack([r.h[k] for r in recs[: t + 1]])
        np.testing.assert_allclose(image.image, want, rtol=1e-6, atol=1e-7)
    top = np.argsort(-recs[t].probs, kind="stable")[: s.top_k]
    np.testing.assert_allclose(win.softmax.bars.opts["width"], recs[t].probs[top], rtol=1e-6)
    assert win.softmax.words == [s.model.vocab.tokens[i] for i in top]
    for k, curve in enumerate(win.gradient.curves):
        np.testing.assert_array_equal(curve.xData, np.arange(t + 1))
        np.testing.assert_allclose(curve.yData, grads.h[k, t, : t + 1], rtol=1e-5, atol=1e-9)


def assert_views_show_step(win: Any) -> None:
    """The three views hold the engine's numbers for the session's current step."""
    s = win.session
    t = s.cursor
    states = s.trace.states(s.state_kind)
    for k, image in enumerate(win.heatmap.images):
        np.testing.assert_array_equal(image.image, states[k, : t + 1])
    pred = s.prediction()
    np.testing.assert_array_equal(win.softmax.bars.opts["width"], pred.probs)
    assert win.softmax.words == pred.words
    row = s.gradient_row(t, s.truncate)
    for k, curve in enumerate(win.gradient.curves):
        y = row.h[k]
        np.testing.assert_array_equal(curve.yData, y[np.isfinite(y) & (y > 0)])


def test_views_follow_the_session(window: Any, qtbot: Any) -> None:
    """Window-level wiring: keys, clicks and options reach all three views."""
    s = window.session
    press(qtbot, window, Qt.Key.Key_Right, 4)
    assert s.cursor == 4
    assert_views_show_step(window)
    press(qtbot, window, Qt.Key.Key_Left)
    assert_views_show_step(window)
    chips = window.strip.chips
    qtbot.mouseClick(chips, Qt.MouseButton.LeftButton, pos=chips.chip_rect(7).center())
    assert_views_show_step(window)
    s.set_top_k(4)
    s.set_state_kind("c")
    s.set_truncate(3)
    press(qtbot, window, Qt.Key.Key_End)
    assert len(window.softmax.bars.opts["width"]) == 4
    assert_views_show_step(window)
    window.sentence.edit.setText("the stock market fell")
    window.sentence.apply()
    press(qtbot, window, Qt.Key.Key_Right, 2)
    assert_views_show_step(window)


def test_keys_stay_with_the_sentence_box_while_typing(window: Any, qtbot: Any) -> None:
    edit = window.sentence.edit
    edit.setFocus()
    edit.setCursorPosition(5)
    qtbot.keyClick(edit, Qt.Key.Key_Left)
    qtbot.keyClick(edit, Qt.Key.Key_Space)
    assert edit.cursorPosition() == 5  # Left moved the text cursor, Space typed a space
    assert window.session.cursor == 0 and not window.transport.playing
    qtbot.keyClick(edit, Qt.Key.Key_Escape)
    assert not edit.hasFocus()
    press(qtbot, window, Qt.Key.Key_Right)
    assert window.session.cursor == 1


def test_back_home_end_keys_and_buttons(window: Any, qtbot: Any) -> None:
    s, tr = window.session, window.transport
    press(qtbot, window, Qt.Key.Key_End)
    assert s.cursor == s.length - 1
    press(qtbot, window, Qt.Key.Key_Left, 2)
    assert s.cursor == s.length - 3
    press(qtbot, window, Qt.Key.Key_Home)
    assert s.cursor == 0
    assert not tr.back.isEnabled() and tr.forward.isEnabled()
    qtbot.mouseClick(tr.forward, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(tr.forward, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(tr.back, Qt.MouseButton.LeftButton)
    assert s.cursor == 1
    qtbot.mouseClick(tr.last, Qt.MouseButton.LeftButton)
    assert s.cursor == s.length - 1 and not tr.forward.isEnabled()
    qtbot.mouseClick(tr.first, Qt.MouseButton.LeftButton)
    assert s.cursor == 0


def test_play_runs_to_the_end_and_stops(window: Any, qtbot: Any) -> None:
    s, tr = window.session, window.transport
    tr.set_interval_ms(5)
    press(qtbot, window, Qt.Key.Key_Space)
    assert tr.playing
    qtbot.waitUntil(lambda: s.cursor == s.length - 1 and not tr.playing, timeout=5000)
    press(qtbot, window, Qt.Key.Key_Space)  # at the end, play starts again from the start
    assert tr.playing and s.cursor == 0
    press(qtbot, window, Qt.Key.Key_Space)
    assert not tr.playing


def test_speed_sets_the_interval(window: Any) -> None:
    window.transport.rate.setValue(20)
    assert window.transport.timer.interval() == 50


def test_clicking_a_token_jumps_there(window: Any, qtbot: Any) -> None:
    chips = window.strip.chips
    qtbot.mouseClick(chips, Qt.MouseButton.LeftButton, pos=chips.chip_rect(3).center())
    assert window.session.cursor == 3 and chips.current == 3
    qtbot.mouseClick(chips, Qt.MouseButton.LeftButton, pos=chips.chip_rect(0).center())
    assert window.session.cursor == 0


def test_oov_tokens_are_marked_with_the_typed_word(window: Any) -> None:
    from rnnviz.ui.token_strip import tooltip

    window.sentence.edit.setText("the zyzzyvas sat")
    assert window.sentence.apply()
    tokens = window.session.trace.tokens
    assert tokens[1].oov and not tokens[0].oov
    assert "zyzzyvas" in tooltip(1, tokens[1]) and "out of vocabulary" in tooltip(1, tokens[1])
    assert "out of vocabulary" not in tooltip(0, tokens[0])


def test_empty_sentence_shows_an_inline_error_and_keeps_everything(window: Any) -> None:
    s = window.session
    trace, text = s.trace, s.text
    window.sentence.edit.setText("   ")
    assert not window.sentence.apply()
    assert window.sentence.error.isVisibleTo(window) and window.sentence.error.text()
    assert s.trace is trace and s.text == text
    assert window.sentence.edit.text() == "   "  # what was typed is not lost
    window.sentence.edit.setText("the dog")
    assert window.sentence.apply() and not window.sentence.error.isVisibleTo(window)


def test_example_picker_runs_the_example(window: Any) -> None:
    picker = window.sentence.picker
    assert picker.count() > 1
    from rnnviz.session.examples import Example
    i = next(i for i in range(picker.count()) if isinstance(picker.itemData(i), Example)
             and not picker.itemData(i).models and not picker.itemData(i).target)
    window.sentence._picked(i)
    assert window.session.text == picker.itemData(i).text and window.session.cursor == 0


def test_saliency_colours_follow_the_gradient_row(window: Any, qtbot: Any) -> None:
    s = window.session
    press(qtbot, window, Qt.Key.Key_Right, 3)
    window.strip.saliency.setChecked(True)
    assert s.saliency
    w = window.strip.chips.weights
    assert w is not None and w.shape == (4,)
    inputs = s.gradient_row(3).inputs
    assert np.argmax(w) == np.argmax(inputs)
    window.strip.saliency.setChecked(False)
    assert window.strip.chips.weights is None


def test_gradient_matrix_fills_in_the_background(window: Any, qtbot: Any) -> None:
    qtbot.waitUntil(window.runner.complete, timeout=10000)
    qtbot.waitUntil(lambda: not window.runner.busy and not window.progress.isVisible())
    store = window.session.store(None)
    assert store.complete and np.isfinite(store.h[:, -1, :]).all()


def test_truncation_change_fills_the_truncated_store(window: Any, qtbot: Any) -> None:
    window.session.set_truncate(3)
    qtbot.waitUntil(lambda: window.session.store(3).complete, timeout=10000)
    qtbot.waitUntil(window.runner.complete, timeout=10000)


def test_changing_the_sentence_cancels_stale_work(window: Any, qtbot: Any) -> None:
    s = window.session
    s.set_text(" ".join(["the cat sat on the mat ."] * 60))  # ~420 tokens
    window.runner.start()
    stale = list(window.runner._active.values())
    assert stale and window.progress.isVisibleTo(window)
    s.set_text("a new sentence")
    assert all(job.is_cancelled for job in stale)
    qtbot.waitUntil(lambda: window.runner.complete() and not window.runner.busy, timeout=20000)
    assert all(job.finished.wait(20) for job in stale)
    assert s.store(None).complete and s.store(None).h.shape[1] == s.length


def test_rows_arrive_in_chunks_and_equal_the_engine(window: Any, qtbot: Any,
                                                    monkeypatch: Any) -> None:
    from rnnviz.ui import workers

    monkeypatch.setattr(workers, "CHUNK_ROWS", 4)
    s = window.session
    deliveries: list[int] = []
    s.gradients_changed.connect(lambda: deliveries.append(int(s.store(None).ready.sum())))
    s.set_text(SENTENCE + " " + SENTENCE)
    qtbot.waitUntil(lambda: window.runner.complete() and not window.runner.busy, timeout=20000)
    assert len(deliveries) >= s.length // 4 and deliveries == sorted(deliveries)
    store = s.store(None)
    ref = store.compute(0, s.length)
    # chunks use the batched sweep or single chains: the same numbers up to float32 rounding
    np.testing.assert_allclose(store.h, ref.h, rtol=1e-5)
    np.testing.assert_allclose(store.inputs, ref.inputs, rtol=1e-5)
