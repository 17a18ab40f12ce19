"""``analyze --target-word`` and the Jacobian figures of ``analyze --json``, against torch."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rnnviz.checkpoints import native
from rnnviz.checkpoints.vocab import Vocab
from rnnviz.cli import main
from rnnviz.engine.params import CELLS, random_params
from tests.engine.test_jacobian import torch_norms
from tests.engine.torch_ref import reference

WORDS = (*tuple(f"w{i}" for i in range(23)), "<unk>", "<eos>")
TEXT = "w3 w1 w4 w1 w5 w9 w2 w6 w5"


def _write(tmp_path: Path, cell: str) -> Path:
    p = random_params(cell, len(WORDS), 9, layers=2, embedding=6, seed=11, scale=0.8)
    path = tmp_path / f"{cell}.safetensors"
    native.save(path, p, Vocab(WORDS), "word", {"name": "test"})
    return path


def _analyze(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict:
    assert main(["analyze", *args]) == 0
    return json.loads(capsys.readouterr().out)


def _arr(x: list) -> np.ndarray:
    return np.array(x, dtype=float)  # None -> nan


@pytest.mark.parametrize("cell", CELLS)
def test_target_word_traces_the_chosen_word(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            cell: str) -> None:
    path = _write(tmp_path, cell)
    doc = _analyze([str(path), "--text", TEXT, "--target-word", "w17"], capsys)
    params = native.load(path).params
    ids = doc["token_ids"]
    chosen = WORDS.index("w17")
    ref = reference(params, ids, [*ids[1:], chosen])
    last = doc["steps"][-1]
    assert last["target_id"] == chosen and last["target_is_choice"] is True
    assert last["target_is_prediction"] is False
    assert not any(s["target_is_choice"] for s in doc["steps"][:-1])
    logp = ref.logits[-1] - np.log(np.exp(ref.logits[-1] - ref.logits[-1].max()).sum()) \
        - ref.logits[-1].max()
    np.testing.assert_allclose(last["loss"], -logp[chosen], rtol=1e-5)
    t = len(ids) - 1
    for k in range(2):
        np.testing.assert_allclose(_arr(doc["grad_norms"][k][t])[: t + 1], ref.grad_h[k, t],
                                   rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(_arr(doc["input_grad_norms"][t]), ref.grad_in[t], rtol=1e-4,
                               atol=1e-7)
    if cell == "lstm":
        assert ref.grad_c is not None
        np.testing.assert_allclose(_arr(doc["cell_grad_norms"][1][t]), ref.grad_c[1, t],
                                   rtol=1e-4, atol=1e-7)
    default = _analyze([str(path), "--text", TEXT], capsys)
    assert default["steps"][-1]["target_id"] != chosen  # the choice changed the traced loss
    assert default["grad_norms"][1][t] != doc["grad_norms"][1][t]
    assert default["grad_norms"][1][t - 1] == doc["grad_norms"][1][t - 1]


@pytest.mark.parametrize("cell", CELLS)
def test_jacobian_norms_in_json(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                cell: str) -> None:
    path = _write(tmp_path, cell)
    doc = _analyze([str(path), "--text", TEXT], capsys)
    params = native.load(path).params
    norms = doc["jacobian_norms"]
    assert len(norms) == 2 and all(len(r) == len(doc["tokens"]) and r[0] is None for r in norms)
    want = torch_norms(params, doc["token_ids"])
    np.testing.assert_allclose(_arr(norms)[:, 1:], want[:, 1:], rtol=1e-4)
    if cell == "lstm":
        f = reference(params, doc["token_ids"], doc["token_ids"]).gates["f"]
        np.testing.assert_allclose(doc["forget_gate_mean"], f.mean(axis=2), rtol=1e-5)
    else:
        assert doc["forget_gate_mean"] is None


@pytest.mark.parametrize("word, needle", [("nosuchword", "not in the vocabulary"),
                                          ("w1 w2", "is 2 tokens")])
def test_bad_target_word(tmp_path: Path, capsys: pytest.CaptureFixture[str], word: str,
                         needle: str) -> None:
    path = _write(tmp_path, "gru")
    assert main(["analyze", str(path), "--text", TEXT, "--target-word", word]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0]
