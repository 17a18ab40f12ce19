"""The Examples picker: sections as headers, notes as tooltips; an example naming models opens
exactly those bundled models side by side, runs its text, goes to the last step and traces its
target; a model that cannot open is one status line and the models opened before stay."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from rnnviz.session.examples import EXAMPLES_PATH, Example, parse_example_entries

CLASSIC = "Tom was watching TV in his home. Mary came into the room. Mary said hi to"


def picker_rows(window: Any) -> list[tuple[str, Any, bool, Any]]:
    p = window.sentence.picker
    model = p.model()
    return [(p.itemText(i), p.itemData(i), bool(model.item(i).flags() & Qt.ItemFlag.ItemIsEnabled),
             p.itemData(i, Qt.ItemDataRole.ToolTipRole)) for i in range(p.count())]


def test_picker_shows_sections_as_disabled_headers_and_notes_as_tooltips(window: Any) -> None:
    rows = picker_rows(window)
    headers = [text for text, data, enabled, _ in rows[1:] if data is None]
    titles: list[str] = []  # sections with a word-level line, read from the file here
    section = ""
    for line in EXAMPLES_PATH.read_text().splitlines():
        if line.startswith("##"):
            section = line.lstrip("#").strip()
        elif line.strip() and not line.startswith("#") and not line.startswith("char:") \
                and section not in titles:
            titles.append(section)
    assert headers == titles  # every section of the file, in order (demo model: word level)
    assert all(not enabled for _, data, enabled, _ in rows[1:] if data is None)
    classic = next(r for r in rows if isinstance(r[1], Example) and r[1].text == CLASSIC)
    assert classic[2] and "many words back" in classic[3] and "ptb-rnn, ptb-gru, ptb-lstm" \
        in classic[3]
    agree = next(r for r in rows if isinstance(r[1], Example) and "chairman of" in r[1].text)
    assert "agrees with" in agree[3]


def test_classic_example_opens_three_models_at_the_last_step_tracing_tom(window: Any,
                                                                         qtbot: Any) -> None:
    rows = picker_rows(window)
    index = next(i for i, r in enumerate(rows) if isinstance(r[1], Example)
                 and r[1].text == CLASSIC and len(r[1].models) == 3)
    with qtbot.waitSignal(window.examples_opener.finished, timeout=60000) as blocker:
        window.sentence.picker.activated.emit(index)
    assert blocker.args[0] == []
    ws = window.workspace
    assert [s.name for s in ws.models] == ["ptb-rnn", "ptb-gru", "ptb-lstm"]
    assert ws.text == CLASSIC
    n = len(CLASSIC.replace(".", " . ").split())  # the PTB tokenizer splits off the periods
    assert ws.length == n and ws.cursor == n - 1
    assert ws.traced is not None and ws.traced.word == "tom" and ws.traced.step == n - 1


def test_a_model_that_cannot_open_is_one_line_and_the_others_stay(window: Any,
                                                                  qtbot: Any) -> None:
    example = parse_example_entries("#! models: ptb-gru no-such-model\nthe cat sat on the mat")[0]
    with qtbot.waitSignal(window.examples_opener.finished, timeout=60000) as blocker:
        window.examples_opener.open(example)
    errors = blocker.args[0]
    assert len(errors) == 1 and "no-such-model" in errors[0] and "\n" not in errors[0]
    assert [s.name for s in window.workspace.models] == ["ptb-gru"]
    assert window.workspace.text == "the cat sat on the mat"
    assert "no-such-model" in window.statusBar().currentMessage()
