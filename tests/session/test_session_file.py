"""Session files: a round trip restores models, text, cursor, traced word, selection and options
exactly; bad files are one line and leave the workspace alone."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rnnviz.checkpoints.loader import load_model
from rnnviz.session import UnitRef, Workspace
from rnnviz.session import session_file as sf
from tests.conftest import REPO

DEMO = REPO / "resources" / "models" / "demo-lstm.safetensors"
GRU = REPO / "resources" / "models" / "ptb-gru.safetensors"


def _workspace() -> Workspace:
    ws = Workspace()
    ws.add_model(load_model(DEMO))
    if GRU.exists():
        ws.add_model(load_model(GRU))
    ws.set_text("the cat sat on the mat and the dog ran")
    ws.set_truncate(3)
    ws.set_top_k(7)
    ws.set_state_kind("f")
    ws.set_saliency(True)
    ws.set_shared_scale(False)
    ws.set_unit_sort("variance")
    ws.set_cursor(5)
    ws.set_traced_word("dog")
    ws.set_selected_unit(UnitRef(0, "c", 1, 17))
    ws.pin_unit(UnitRef(0, "h", 0, 3))
    return ws


def test_a_session_round_trips(tmp_path: Path) -> None:
    ws = _workspace()
    path = tmp_path / "lesson.rnnviz.json"
    sf.write(sf.capture(ws, sf.entries(ws), {"tab": "Help"}), path)
    spec = sf.read(path)
    back = Workspace()
    back.add_model(load_model(DEMO))
    sf.install(spec, back, [load_model(m.path) for m in spec.models])
    paths = [s.model.path for s in back.models if s.model is not None]
    assert paths == [s.model.path for s in ws.models if s.model is not None]
    for attr in ("text", "cursor", "truncate", "top_k", "state_kind", "saliency", "shared_scale",
                 "unit_sort", "traced", "selected_unit", "pinned_units"):
        assert getattr(back, attr) == getattr(ws, attr), attr
    for a, b in zip(ws.models, back.models, strict=True):
        assert a.trace is not None and b.trace is not None
        np.testing.assert_array_equal(a.trace.targets, b.trace.targets)
        np.testing.assert_array_equal(a.trace.states("h"), b.trace.states("h"))
    assert spec.views == {"tab": "Help"}


def test_relative_model_paths_survive_moving_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "a"
    folder.mkdir()
    model = folder / "m.safetensors"
    model.write_bytes(DEMO.read_bytes())
    ws = Workspace()
    ws.add_model(load_model(model))
    ws.set_text("the cat")
    sf.write(sf.capture(ws, sf.entries(ws)), folder / "s.rnnviz.json")
    moved = tmp_path / "b"
    folder.rename(moved)
    assert sf.read(moved / "s.rnnviz.json").models[0].path == str(moved / "m.safetensors")


@pytest.mark.parametrize("content, says", [
    ("{not json", "is not JSON"),
    ('{"format": "other"}', "not an rnnviz session"),
    ('{"format": "rnnviz-session", "version": 99}', "version 99"),
    ('{"format": "rnnviz-session", "version": 1, "models": []}', "1 to 4 models"),
    ('{"format": "rnnviz-session", "version": 1, "models": [{"path": 3}]}', "wrong type"),
    ('{"format": "rnnviz-session", "version": 1, "models": [{"path": "x"}], '
     '"options": {"top_k": "ten"}}', "top_k"),
])
def test_bad_files_are_one_line(tmp_path: Path, content: str, says: str) -> None:
    path = tmp_path / "bad.rnnviz.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(sf.SessionFileError) as err:
        sf.read(path)
    assert says in str(err.value) and "\n" not in str(err.value)


def test_a_session_whose_text_a_model_cannot_read_changes_nothing(tmp_path: Path) -> None:
    ws = Workspace()
    ws.add_model(load_model(DEMO))
    ws.set_text("the cat")
    before = ws.models[0].trace
    spec = sf.SessionSpec([sf.ModelEntry(str(DEMO))], text="   ")
    with pytest.raises(sf.SessionFileError):
        sf.install(spec, ws, [load_model(DEMO)])
    assert ws.models[0].trace is before and ws.text == "the cat"
