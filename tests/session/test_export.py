"""View data export: CSV and NPZ hold exactly the arrays and labels the views show."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from rnnviz.checkpoints.loader import load_model
from rnnviz.session import Session
from rnnviz.session.analysis import analyze
from rnnviz.session.export import (
    ViewData,
    gradient_matrix,
    gradient_row,
    hidden_states,
    next_word,
    write_csv,
    write_npz,
)

TEXT = "the cat sat on the mat ."


@pytest.fixture(scope="module")
def session() -> Session:
    s = Session()
    s.set_model(load_model("demo-lstm"))
    s.set_text(TEXT)
    s.set_cursor(4)
    return s


def _read_csv(path: Path) -> tuple[list[str], list[str], np.ndarray]:
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    values = np.array([[float(x) if x else np.nan for x in r[1:]] for r in rows[1:]])
    return rows[0], [r[0] for r in rows[1:]], values


def test_hidden_states_csv_and_npz(session: Session, tmp_path: Path) -> None:
    data = hidden_states(session, "c")
    files = write_csv(tmp_path / "heat.csv", data)
    assert [f.name for f in files] == ["heat-c_layer1.csv", "heat-c_layer2.csv"]
    assert session.trace is not None
    want = session.trace.states("c")
    tokens = [f"{t}:{tok.text}" for t, tok in enumerate(session.trace.tokens)]
    for k, f in enumerate(files):
        header, labels, values = _read_csv(f)
        assert header[1:] == [f"unit {u}" for u in range(want.shape[2])] and labels == tokens
        np.testing.assert_array_equal(values.astype(np.float32), want[k])
    npz = np.load(write_npz(tmp_path / "heat.npz", data), allow_pickle=False)
    np.testing.assert_array_equal(npz["c_layer2"], want[1])
    assert list(npz["c_layer2__rows"]) == tokens


def test_next_word_bars(session: Session, tmp_path: Path) -> None:
    data = next_word(session, k=5)
    (f,) = write_csv(tmp_path / "bars.csv", data)
    _, words, values = _read_csv(f)
    assert session.trace is not None and session.model is not None
    probs = session.trace.records[4].probs
    top = np.argsort(-probs, kind="stable")[:5]
    assert words == [session.model.vocab.tokens[i] for i in top]
    np.testing.assert_array_equal(values[:, 0].astype(np.float32), probs[top])


def test_gradient_curves_and_matrices_match_the_analysis(session: Session,
                                                        tmp_path: Path) -> None:
    assert session.model is not None and session.trace is not None
    ref = analyze(session.model, session.trace.tokens)
    row = gradient_row(session)
    np.testing.assert_allclose(row.arrays["h"], ref.grad_norms[:, 4, :5].T, rtol=1e-5)
    np.testing.assert_allclose(row.arrays["inputs"], ref.input_grad_norms[4, :5], rtol=1e-5)
    store = session.store(None)
    store.put(store.compute(0, session.trace.length))  # what the background job does
    mats = gradient_matrix(session)
    npz = np.load(write_npz(tmp_path / "g", mats), allow_pickle=False)
    np.testing.assert_allclose(npz["h_layer2"], ref.grad_norms[1], rtol=1e-5)
    np.testing.assert_allclose(npz["c_layer1"], ref.cell_grad_norms[0], rtol=1e-5)
    _, _, values = _read_csv(write_csv(tmp_path / "m.csv", mats)[0])
    assert np.isnan(values[0, 1]) and np.allclose(values[1, :2], ref.grad_norms[0, 1, :2])


def test_labels_must_fit() -> None:
    with pytest.raises(ValueError, match="labels do not match"):
        ViewData("x", {"a": np.zeros((2, 3))}, {"a": (("r0", "r1"), ("c0", "c1"))})
