"""``rnnviz analyze`` and ``inspect``: output equals torch; bad input exits 2 with one line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rnnviz.checkpoints import native
from rnnviz.checkpoints.vocab import Vocab
from rnnviz.cli import main
from rnnviz.engine.params import CELLS, random_params
from tests.engine.torch_ref import reference

TOL = {"rtol": 1e-5, "atol": 1e-5}
WORDS = (*tuple(f"w{i}" for i in range(27)), "<unk>", "<eos>")


def _write(tmp_path: Path, cell: str, tied: bool) -> Path:
    p = random_params(cell, len(WORDS), 10, layers=2, embedding=6, tied=tied, seed=4, scale=0.7)
    path = tmp_path / f"{cell}-{tied}.safetensors"
    native.save(path, p, Vocab(WORDS), "word", {"name": "test"})
    return path


def _analyze(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict:
    assert main(["analyze", *args]) == 0
    return json.loads(capsys.readouterr().out)


def _nan(x: object) -> float:
    return np.nan if x is None else float(x)  # type: ignore[arg-type]


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("tied", [False, True])
@pytest.mark.parametrize("truncate", [0, 3])
def test_analyze_matches_torch(tmp_path: Path, capsys: pytest.CaptureFixture[str], cell: str,
                               tied: bool, truncate: int) -> None:
    path = _write(tmp_path, cell, tied)
    text = "w1 w5 w9 nosuchword w2 w2 w20 w7"
    doc = _analyze([str(path), "--text", text, "--top-k", "4", "--truncate", str(truncate)],
                   capsys)
    params = native.load(path).params
    ids = doc["token_ids"]
    assert doc["tokens"][3] == "<unk>" and doc["oov"] == [False] * 3 + [True] + [False] * 4
    targets = [*ids[1:], doc["steps"][-1]["target_id"]]
    ref = reference(params, ids, targets, truncate or None)
    assert doc["model"] == {"cell": cell, "layers": 2, "hidden_size": 10, "embedding_size":
                            10 if tied else 6, "vocab_size": len(WORDS), "tied": tied,
                            "format": "rnnviz", "kind": "rnn", "direction": "forward",
                            "task": "lm"}
    probs = np.exp(ref.logits - ref.logits.max(1, keepdims=True))
    probs /= probs.sum(1, keepdims=True)
    for t, step in enumerate(doc["steps"]):
        np.testing.assert_allclose(step["hidden"], ref.h[:, t], **TOL)
        if cell == "lstm":
            np.testing.assert_allclose(step["cell"], ref.c[:, t], **TOL)  # type: ignore[index]
        else:
            assert step["cell"] is None
        order = np.argsort(-probs[t], kind="stable")[:4]
        assert [e["id"] for e in step["top_k"]] == order.tolist()
        assert [e["token"] for e in step["top_k"]] == [WORDS[i] for i in order]
        np.testing.assert_allclose([e["prob"] for e in step["top_k"]], probs[t][order], **TOL)
        last = t == len(ids) - 1
        assert step["target_is_prediction"] is last
        assert step["target_id"] == (int(np.argmax(ref.logits[t])) if last else ids[t + 1])
        if last:
            assert step["next_token_prob"] is None
        else:
            np.testing.assert_allclose(step["next_token_prob"], probs[t][ids[t + 1]], **TOL)
        np.testing.assert_allclose(step["loss"], -np.log(probs[t][targets[t]]), **TOL)
    g = np.array([[[_nan(x) for x in row] for row in layer] for layer in doc["grad_norms"]])
    np.testing.assert_allclose(g, ref.grad_h, equal_nan=True, **TOL)
    e = np.array([[_nan(x) for x in row] for row in doc["input_grad_norms"]])
    np.testing.assert_allclose(e, ref.grad_in, equal_nan=True, **TOL)
    assert doc["grad_norms"][0][0][1] is None  # s > t is null


def test_ids_and_prime(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, "gru", False)
    doc = _analyze([str(path), "--ids", "3,14,15", "--prime", "w1 w2", "--json", "-"], capsys)
    assert doc["tokens"] == ["w3", "w14", "w15"] and doc["token_ids"] == [3, 14, 15]
    plain = _analyze([str(path), "--ids", "3,14,15"], capsys)
    assert doc["steps"][0]["hidden"] != plain["steps"][0]["hidden"]


def test_json_file_output(tmp_path: Path) -> None:
    path = _write(tmp_path, "rnn_relu", True)
    out = tmp_path / "out.json"
    assert main(["analyze", str(path), "--text", "w1 w2", "--json", str(out)]) == 0
    assert len(json.loads(out.read_text())["steps"]) == 2


@pytest.mark.parametrize("args, needle", [
    (["analyze", "{path}", "--ids", "1,999"], "outside the vocabulary"),
    (["analyze", "{path}", "--ids", "1,x"], "bad --ids"),
    (["analyze", "{path}", "--text", "   "], "no tokens"),
    (["analyze", "{path}", "--text", "w1", "--top-k", "0"], "--top-k"),
    (["analyze", "{missing}", "--text", "w1"], "no such file"),
    (["analyze", "{junk}", "--text", "w1"], ""),
    (["inspect", "{junk}"], ""),
])
def test_bad_input_exits_2_with_one_line(tmp_path: Path, args: list[str], needle: str) -> None:
    path = _write(tmp_path, "lstm", False)
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json at all}")
    argv = [a.format(path=path, missing=tmp_path / "nope.pt", junk=junk) for a in args]
    out = subprocess.run([sys.executable, "-m", "rnnviz", *argv], capture_output=True, text=True)
    assert out.returncode == 2
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rnnviz: error: "), out.stderr
    assert needle in lines[0]


def test_inspect_prints_the_summary_and_provenance(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    p = random_params("gru", len(WORDS), 8, layers=3, seed=1)
    path = tmp_path / "m.safetensors"
    native.save(path, p, Vocab(WORDS), "word", {"name": "tiny", "provenance": {"seed": 9}})
    assert main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert "gru" in out and "3 x 8 units" in out and f"{len(WORDS)} tokens" in out
    assert '{"seed": 9}' in out and "tiny" in out
