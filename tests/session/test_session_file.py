"""Session files: a workspace round-trips through .rnnviz.json; bad files give one line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rnnviz.checkpoints import native
from rnnviz.checkpoints.loader import VocabOptions, load_model
from rnnviz.checkpoints.vocab import Vocab
from rnnviz.engine.params import random_params
from rnnviz.session import Session, UnitRef
from rnnviz.session.session_file import (
    FORMAT,
    SessionFileError,
    capture,
    open_session,
    read,
    save_session,
    to_json,
)

WORDS = ("<eos>", "<unk>", "the", "cat", "sat", "on", "a", "mat", "dog", "ran", ",", ".")


def _workspace(tmp_path: Path) -> Session:
    """demo-lstm (bundled, by name) beside a word GRU in tmp_path, with every option changed."""
    gru = tmp_path / "models" / "gru.safetensors"
    gru.parent.mkdir()
    native.save(gru, random_params("gru", len(WORDS), 6, layers=2, seed=5), Vocab(WORDS), "words")
    s = Session()
    s.set_model(load_model("demo-lstm"))
    s.workspace.add_model(load_model(gru, VocabOptions(tokenizer="ptb")))
    ws = s.workspace
    ws.set_prime("a dog ran")
    ws.set_text("the cat sat on the mat , the dog ran .")
    ws.set_truncate(3)
    ws.set_top_k(7)
    ws.set_saliency(True)
    ws.set_shared_scale(False)
    ws.set_state_kind("c")
    ws.set_cursor(4)
    ws.set_traced_word("dog", 4)
    ws.pin_unit(UnitRef(1, "h", 1, 3))
    ws.set_selected_unit(UnitRef(0, "c", 0, 2))
    return s


def test_round_trip_restores_everything(tmp_path: Path) -> None:
    s = _workspace(tmp_path)
    path = tmp_path / "lesson.rnnviz.json"
    save_session(path, s.workspace, views={"heatmap": {"show_input": True}})
    doc = json.loads(path.read_text())
    assert doc["format"] == FORMAT and doc["version"] == 1
    assert doc["models"][0]["path"] == "demo-lstm"  # bundled: by name
    assert doc["models"][1]["tokenizer"] == "ptb"

    fresh = Session()
    fresh.set_model(load_model("demo-lstm"))
    sf = open_session(path, fresh.workspace)
    a, b = s.workspace, fresh.workspace
    assert [m.model.path for m in b.models] == [m.model.path for m in a.models]
    assert b.models[1].model.tokenizer == "ptb"
    for name in ("text", "prime", "cursor", "truncate", "top_k", "state_kind", "saliency",
                 "shared_scale", "traced", "selected_unit", "pinned_units"):
        assert getattr(b, name) == getattr(a, name), name
    assert sf.views == {"heatmap": {"show_input": True}}
    assert to_json(capture(b, sf.views)) == doc
    for ma, mb in zip(a.models, b.models, strict=True):  # the same numbers, primed the same way
        assert ma.trace is not None and mb.trace is not None
        np.testing.assert_array_equal(ma.trace.states("h"), mb.trace.states("h"))
        np.testing.assert_array_equal(ma.trace.targets, mb.trace.targets)


def test_models_are_found_beside_a_moved_session(tmp_path: Path) -> None:
    s = _workspace(tmp_path)
    save_session(tmp_path / "s.rnnviz.json", s.workspace)
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    (tmp_path / "models" / "gru.safetensors").rename(moved / "gru.safetensors")
    (tmp_path / "s.rnnviz.json").rename(moved / "s.rnnviz.json")
    fresh = Session()
    fresh.set_model(load_model("demo-lstm"))
    open_session(moved / "s.rnnviz.json", fresh.workspace)
    assert fresh.workspace.models[1].model.path == str(moved / "gru.safetensors")


@pytest.mark.parametrize(("content", "says"), [
    ("not json {", "not JSON"),
    ("[1, 2]", "not a session file"),
    (json.dumps({"format": FORMAT, "version": 2, "models": []}), "newer rnnviz"),
    (json.dumps({"format": FORMAT, "version": 1, "models": []}), "1 to 4 models"),
    (json.dumps({"format": FORMAT, "version": 1, "models": [{"path": 3}]}), "path must be"),
    (json.dumps({"format": FORMAT, "version": 1, "models": [{"path": "demo-lstm"}],
                 "options": {"state_kind": "x"}}), "state_kind must be"),
    (json.dumps({"format": FORMAT, "version": 1, "models": [{"path": "no/such.pt"}]}),
     r"model 1 \(no/such.pt\): no such file"),
    ("[" * 100000, "not JSON"),
])
def test_bad_files_give_one_line_and_change_nothing(tmp_path: Path, content: str,
                                                    says: str) -> None:
    path = tmp_path / "bad.rnnviz.json"
    path.write_text(content)
    s = Session()
    s.set_model(load_model("demo-lstm"))
    s.workspace.set_text("the cat sat")
    with pytest.raises(SessionFileError, match=says) as err:
        open_session(path, s.workspace)
    assert "\n" not in str(err.value)
    assert s.workspace.text == "the cat sat" and len(s.workspace.models) == 1


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SessionFileError, match="cannot read"):
        read(tmp_path / "none.rnnviz.json")
