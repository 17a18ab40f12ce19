"""analyze's what-if blocks and ``generate``: every number against torch or separate runs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rnnviz.checkpoints import native
from rnnviz.checkpoints.vocab import Vocab
from rnnviz.cli import main
from rnnviz.engine.intervention import Intervention, LayerReset, UnitEdit
from rnnviz.engine.params import random_params
from tests.engine.torch_intervened import intervened_reference
from tests.engine.torch_ref import torch_forward_logits

TOL = {"rtol": 1e-5, "atol": 1e-5}
WORDS = (*tuple(f"w{i}" for i in range(27)), "<unk>", "<eos>")
TEXT = "w1 w5 w9 w3 w2 w2 w20 w7"


def _write(tmp_path: Path, cell: str = "lstm") -> Path:
    p = random_params(cell, len(WORDS), 10, layers=2, embedding=6, seed=4, scale=0.9)
    path = tmp_path / f"{cell}.safetensors"
    native.save(path, p, Vocab(WORDS), "word", {"name": "test"})
    return path


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict:
    assert main(args) == 0
    return json.loads(capsys.readouterr().out)


def _logp(z: np.ndarray) -> np.ndarray:
    z = z - z.max(-1, keepdims=True)
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


def _nan(a: list) -> np.ndarray:
    return np.array(json.loads(json.dumps(a).replace("null", "NaN")), dtype=float)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize(("flags", "iv"), [
    (["--ablate", "1:3,2:7", "--ablate-from", "2"],
     Intervention((UnitEdit(0, 3, step=2), UnitEdit(1, 7, step=2)))),
    (["--clamp", "2:1=0.75", "--state", "both", "--ablate-at", "4"],
     Intervention((UnitEdit(1, 1, "clamp", 0.75, "both", 4, True),))),
    (["--ablate", "1:0", "--scale", "2:9=-2", "--reset", "1@5"],
     Intervention((UnitEdit(0, 0), UnitEdit(1, 9, "scale", -2.0)), (LayerReset(0, 5),))),
])
def test_intervened_analyze_matches_an_edited_torch_model(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], cell: str, flags: list[str],
        iv: Intervention) -> None:
    path = _write(tmp_path, cell)
    doc = _run(["analyze", str(path), "--text", TEXT, "--top-k", "29", *flags], capsys)
    ids = doc["token_ids"]
    targets = [*ids[1:], doc["steps"][-1]["target_id"]]
    ref = intervened_reference(native.load(path).params, ids, targets, iv)
    probs = np.exp(_logp(ref.logits))
    for t, step in enumerate(doc["steps"]):
        np.testing.assert_allclose(step["hidden"], ref.h[:, t], **TOL)
        got = {e["id"]: e["prob"] for e in step["top_k"]}
        np.testing.assert_allclose([got[i] for i in range(29)], probs[t], **TOL)
    np.testing.assert_allclose(_nan(doc["grad_norms"]), ref.grad_h, equal_nan=True, **TOL)
    np.testing.assert_allclose(_nan(doc["input_grad_norms"]), ref.grad_in, equal_nan=True, **TOL)
    if cell == "lstm":
        np.testing.assert_allclose(_nan(doc["cell_grad_norms"]), ref.grad_c, equal_nan=True,
                                   **TOL)
    assert doc["intervention"]["description"] == iv.describe()
    clean = _run(["analyze", str(path), "--text", TEXT], capsys)  # the effect = two runs
    for t, step in enumerate(doc["intervention_effect"]["steps"][:-1]):
        nxt = ids[t + 1]
        want = np.log(probs[t][nxt]) - np.log(clean["steps"][t]["next_token_prob"])
        np.testing.assert_allclose(step["delta_logp"], want, **TOL)
        np.testing.assert_allclose(doc["intervention_effect"]["delta_hidden"][t],
                                   np.array(doc["steps"][t]["hidden"])
                                   - np.array(clean["steps"][t]["hidden"]), **TOL)


@pytest.mark.parametrize(("edited", "mapping"), [
    ("w1 w5 w8 w3 w2 w2 w20 w7", [0, 1, 2, 3, 4, 5, 6, 7]),  # replace: w8 lines up with w9
    ("w1 w5 w9 w11 w3 w2 w2 w20 w7", [0, 1, 2, None, 3, 4, 5, 6, 7]),  # insert
    ("w1 w5 w3 w2 w2 w20 w7", [0, 1, 3, 4, 5, 6, 7]),  # delete
])
def test_compare_text_equals_two_separate_runs(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str],
                                               edited: str, mapping: list) -> None:
    path = _write(tmp_path)
    doc = _run(["analyze", str(path), "--text", TEXT, "--compare-text", edited], capsys)
    a = _run(["analyze", str(path), "--text", TEXT], capsys)
    b = _run(["analyze", str(path), "--text", edited], capsys)
    cmp = doc["compare"]
    assert [s["original_step"] for s in cmp["steps"]] == mapping
    assert cmp["tokens"] == b["tokens"]
    for t, to in enumerate(mapping):
        step = cmp["steps"][t]
        if to is None:
            assert step["delta_logp"] is None and cmp["delta_hidden"][t] is None
            continue
        np.testing.assert_allclose(cmp["delta_hidden"][t], np.array(b["steps"][t]["hidden"])
                                   - np.array(a["steps"][to]["hidden"]), **TOL)
        last = t == len(mapping) - 1
        same_next = not last and b["tokens"][t + 1] == a["tokens"][to + 1]
        if same_next:
            want = (np.log(b["steps"][t]["next_token_prob"])
                    - np.log(a["steps"][to]["next_token_prob"]))
            np.testing.assert_allclose(step["delta_logp"], want, **TOL)
            np.testing.assert_allclose(step["delta_loss"], -want, **TOL)
        else:
            assert step["delta_logp"] is None
        if not last:
            np.testing.assert_allclose(step["delta_loss"],
                                       b["steps"][t]["loss"] - a["steps"][to]["loss"], **TOL)


def test_attribution_sums_to_the_torch_logit_and_ablation_effect_to_reruns(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path)
    params = native.load(path).params
    doc = _run(["analyze", str(path), "--text", TEXT, "--attribute", "w4", "--contrast", "w11",
                "--attribute-layer", "1"], capsys)
    att = doc["attribution"]
    ids = doc["token_ids"]
    z = torch_forward_logits(params, ids)[-1]
    np.testing.assert_allclose(sum(u["contribution"] for u in att["units"]) + att["bias"],
                               z[4] - z[11], **TOL)
    np.testing.assert_allclose(att["logit"], z[4] - z[11], **TOL)
    assert sorted(u["unit"] for u in att["units"]) == list(range(10))
    assert att["layer"] == 2 and att["ablation_layer"] == 1 and att["position"] == len(ids) - 1
    t = len(ids) - 1
    for j in range(10):
        ref = intervened_reference(params, ids, [0] * len(ids),
                                   Intervention((UnitEdit(0, j, step=t, only=True),)))
        lp, lp0 = _logp(ref.logits[t]), _logp(z.astype(np.float64))
        np.testing.assert_allclose(att["ablation_effect"][j],
                                   (lp[4] - lp[11]) - (lp0[4] - lp0[11]), atol=2e-5)


@pytest.mark.parametrize("bad", [["--ablate", "0:1"], ["--ablate", "1:99"], ["--clamp", "1:2"],
                                 ["--ablate", "x"], ["--contrast", "w1"], ["--reset", "3@1"],
                                 ["--attribute", "nosuchword"], ["--ablate-from", "-1",
                                                                 "--ablate", "1:1"]])
def test_bad_what_if_flags_give_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         bad: list[str]) -> None:
    path = _write(tmp_path, "gru")
    assert main(["analyze", str(path), "--text", TEXT, *bad]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rnnviz: error:") and err.count("\n") == 1


def test_generate_greedy_and_beam_match_torch(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path)
    params = native.load(path).params
    doc = _run(["generate", str(path), "--prompt", "w1 w2", "--tokens", "5", "--json", "-"],
               capsys)
    ids = doc["prompt_ids"]
    for tok, lp in zip(doc["token_ids"], doc["logps"], strict=True):
        z = _logp(torch_forward_logits(params, ids)[-1].astype(np.float64))
        assert tok == int(np.argmax(z))
        np.testing.assert_allclose(lp, z[tok], **TOL)
        ids = [*ids, tok]
    assert doc["text"] == " ".join(["w1", "w2", *doc["tokens"]])
    beam = _run(["generate", str(path), "--prompt", "w1 w2", "--tokens", "4", "--beam", "3",
                 "--json", "-"], capsys)
    nodes = beam["beam"]["nodes"]
    for node in nodes[1:]:
        path_ids, i = [], node["index"]
        while i:
            path_ids.insert(0, nodes[i]["token_id"])
            i = nodes[i]["parent"]
        z = _logp(torch_forward_logits(params, [*doc["prompt_ids"], *path_ids]).astype(float))
        want = sum(z[1 + k][path_ids[k]] for k in range(len(path_ids)))
        np.testing.assert_allclose(node["logp"], want, **TOL)
    np.testing.assert_allclose(beam["total_logp"], nodes[beam["beam"]["final"][0]]["logp"],
                               **TOL)


def test_generate_same_seed_same_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path)
    args = ["generate", str(path), "--prompt", "w1", "--tokens", "15", "--temperature", "1.5"]
    texts = []
    for seed in ("3", "3", "4"):
        assert main([*args, "--seed", seed, "--top-p", "0.95"]) == 0
        texts.append(capsys.readouterr().out)
    assert texts[0] == texts[1] != texts[2]
    assert main([*args, "--top-p", "0"]) == 2
