"""The Python API: rnnviz.load(...).analyze(...) gives the arrays that ``rnnviz analyze --json``
writes, and ``import rnnviz`` stays light."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import rnnviz
from rnnviz.checkpoints.errors import CheckpointError
from rnnviz.cli import main as cli_main
from tests.conftest import REPO

TEXT = "the stock market fell sharply in new york ."


def _nan(x: object) -> np.ndarray:
    """JSON lists with null -> float array with NaN."""
    return np.array(x, dtype=object).astype(float)


@pytest.mark.parametrize("truncate", [None, 3])
def test_arrays_equal_the_cli_json(truncate: int | None,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    m = rnnviz.load("demo-lstm")
    r = m.analyze(TEXT, truncate=truncate, top_k=5)
    args = ["analyze", "demo-lstm", "--text", TEXT, "--top-k", "5", "--json", "-"]
    assert cli_main([*args, "--truncate", str(truncate or 0)]) == 0
    out = capsys.readouterr().out
    doc = json.loads(out)
    assert r.to_json() == out.strip()
    layers, steps, hidden = m.params.num_layers, len(doc["tokens"]), m.params.hidden_size
    assert r.tokens == doc["tokens"] and steps == 9
    for layer in range(layers):
        assert r.hidden[layer].shape == (steps, hidden)
        np.testing.assert_array_equal(r.hidden[layer], [s["hidden"][layer] for s in doc["steps"]])
        assert r.cell is not None
        np.testing.assert_array_equal(r.cell[layer], [s["cell"][layer] for s in doc["steps"]])
    assert r.probs.shape == (steps, len(m.vocab))
    for t, step in enumerate(doc["steps"]):
        ids = [p["id"] for p in step["top_k"]]
        np.testing.assert_array_equal(r.probs[t, ids], [p["prob"] for p in step["top_k"]])
        assert ids == list(np.argsort(-r.probs[t], kind="stable")[:5])
    assert r.grad_norms.shape == (layers, steps, steps)
    np.testing.assert_array_equal(r.grad_norms, _nan(doc["grad_norms"]))
    np.testing.assert_array_equal(r.cell_grad_norms, _nan(doc["cell_grad_norms"]))
    np.testing.assert_array_equal(r.input_grad_norms, _nan(doc["input_grad_norms"]))
    assert np.isnan(r.grad_norms[0, 0, 1]) and not np.isnan(r.grad_norms[0, 1, 0])


def test_probs_are_a_softmax_of_the_engine_and_ids_work() -> None:
    m = rnnviz.load("demo-lstm")
    r = m.analyze(TEXT)
    np.testing.assert_allclose(r.probs.sum(axis=1), 1.0, rtol=1e-5)
    recs = m.engine().run(list(r.token_ids))
    np.testing.assert_allclose(r.probs, np.stack([x.probs for x in recs]), rtol=1e-6)
    again = m.analyze(list(r.token_ids))
    np.testing.assert_array_equal(again.grad_norms, r.grad_norms)


def test_path_and_options(tmp_path: object) -> None:
    path = REPO / "resources" / "models" / "shakespeare-char-lstm.safetensors"
    m = rnnviz.load(str(path))
    assert m.tokenizer == "char" and m.analyze("To be").tokens == list("To be")
    assert rnnviz.load("demo-lstm", tokenizer="words").tokenizer == "words"
    with pytest.raises(CheckpointError, match="no such file"):
        rnnviz.load("no-such-model")


def test_import_rnnviz_stays_light() -> None:
    code = ("import sys, rnnviz; print(sorted(m for m in ('numpy', 'torch', 'PySide6', "
            "'rnnviz.api', 'rnnviz.engine') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=REPO).stdout
    assert out.strip() == "[]"


def test_intervene_ablates_and_identity_scale_changes_nothing() -> None:
    m = rnnviz.load("demo-lstm")
    plain = m.analyze(TEXT)
    cut = m.intervene(TEXT, units=[(0, 5), (1, 2)], step=2)
    assert np.all(cut.hidden[0][2:, 5] == 0) and np.all(cut.hidden[1][2:, 2] == 0)
    np.testing.assert_array_equal(cut.hidden[:, :2], plain.hidden[:, :2])  # before the edit
    assert not np.allclose(cut.probs[2:], plain.probs[2:])
    same = m.intervene(TEXT, units=[(0, 5)], op="scale", value=1.0)
    np.testing.assert_allclose(same.probs, plain.probs, rtol=1e-6)


def test_compare_and_memory() -> None:
    from rnnviz.api import compare

    word, char = rnnviz.load("demo-lstm"), rnnviz.load("shakespeare-char-lstm")
    a, b = compare([word, char], "the market was")
    assert a.tokens == ["the", "market", "was"] and b.tokens == list("the market was")
    curves = word.memory(" ".join(["the market was new ."] * 40), tokens=200, max_distance=10)
    assert curves.max_distance == 10 and curves.tokens > 0
