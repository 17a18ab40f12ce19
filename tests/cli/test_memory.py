"""``rnnviz memory``: several models in one run, every path against torch autograd; the corpus
stream is the one ``rnnviz eval`` reads; bad input exits 2 with one line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rnnviz.checkpoints import native
from rnnviz.checkpoints.loader import load_model
from rnnviz.checkpoints.vocab import Vocab
from rnnviz.cli import main
from rnnviz.cli.eval import corpus_ids
from rnnviz.engine.memory import memory_span
from rnnviz.engine.params import random_params
from rnnviz.session.memory import stream_ids
from tests.conftest import PTB, need
from tests.engine.test_memory import ref_band, ref_stats
from tests.engine.torch_ref import reference

WORDS = (*tuple(f"w{i}" for i in range(20)), "<unk>", "<eos>")
CORPUS = "w1 w2 w3 w4\n w5 nosuch w7\nw8 w9 w10 w11 w12 w1\n w3 w3 w19 w0 w4 w6\nw2 w2\n"


def _write(tmp_path: Path, cell: str, layers: int, seed: int) -> Path:
    p = random_params(cell, len(WORDS), 8, layers=layers, embedding=6, seed=seed, scale=0.9)
    path = tmp_path / f"{cell}.safetensors"
    native.save(path, p, Vocab(WORDS), "word", {"name": cell})
    return path


def test_several_models_match_torch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = [_write(tmp_path, c, n, s) for c, n, s in
             (("rnn_tanh", 1, 1), ("lstm", 2, 2), ("gru", 2, 3))]
    data = tmp_path / "corpus.txt"
    data.write_text(CORPUS)
    n_tok, d_max = 24, 8
    argv = ["memory", *map(str, files), "--data", str(data), "--tokens", str(n_tok),
            "--max-distance", str(d_max)]
    assert main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["data"] == str(data) and doc["tokens"] == n_tok and doc["max_distance"] == d_max
    assert [m["file"] for m in doc["models"]] == [str(f) for f in files]
    # the stream as an independent reading: each line's words, then <eos>; OOV -> <unk>
    words = [w for line in CORPUS.splitlines() for w in [*line.split(), "<eos>"]][:n_tok]
    ids = [WORDS.index(w) if w in WORDS else WORDS.index("<unk>") for w in words]
    for path, entry in zip(files, doc["models"], strict=True):
        params = native.load(path).params
        ref = reference(params, ids, [*ids[1:], 0])
        assert entry["cell"] == params.cell
        paths = {"h": list(ref.grad_h), "c": None if ref.grad_c is None else list(ref.grad_c)}
        for name, grads in paths.items():
            if grads is None:
                assert entry["median"][name] is None and entry["span"][name] is None
                continue
            for k, g in enumerate(grads):
                want = ref_stats(ref_band(g, d_max))
                for stat in ("median", "q25", "q75"):
                    assert len(entry[stat][name][k]) == d_max + 1
                    np.testing.assert_allclose(entry[stat][name][k], want[stat], rtol=1e-3)
                assert entry["span"][name][k] == int(memory_span(want["median"]))
        want_in = ref_stats(ref_band(ref.grad_in, d_max))
        for stat in ("median", "q25", "q75"):
            np.testing.assert_allclose(entry[stat]["input"], want_in[stat], rtol=1e-3)
        assert entry["span"]["input"] == int(memory_span(want_in["median"]))


def test_stream_is_evals_reading(tmp_path: Path) -> None:
    data = tmp_path / "corpus.txt"
    data.write_text(CORPUS)
    model = load_model(_write(tmp_path, "gru", 1, 0))
    ids, oov = stream_ids(CORPUS, model)
    want, want_oov = corpus_ids(str(data), model)
    np.testing.assert_array_equal(ids, want)
    assert oov == want_oov == 1
    np.testing.assert_array_equal(stream_ids(CORPUS, model, 7)[0], want[:7])


def test_ptb_stream_is_evals_reading() -> None:
    valid = need(PTB / "ptb.valid.txt")
    model = load_model(Path(__file__).resolve().parents[2] / "resources" / "models"
                       / "ptb-gru.safetensors")
    text = valid.read_text()
    np.testing.assert_array_equal(stream_ids(text, model, 3000)[0],
                                  corpus_ids(str(valid), model)[0][:3000])


@pytest.mark.parametrize("extra, needle", [
    (["--tokens", "5", "--max-distance", "4"], "too few"),
    (["--max-distance", "-1"], "--max-distance"),
    (["--tokens", "1"], "--tokens"),
])
def test_bad_input_exits_2_with_one_line(tmp_path: Path, extra: list[str], needle: str) -> None:
    path = _write(tmp_path, "lstm", 1, 0)
    data = tmp_path / "corpus.txt"
    data.write_text(CORPUS)
    out = subprocess.run([sys.executable, "-m", "rnnviz", "memory", str(path), "--data",
                          str(data), *extra], capture_output=True, text=True)
    assert out.returncode == 2 and out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rnnviz: error: ") and needle in lines[0]


def test_missing_corpus(tmp_path: Path) -> None:
    path = _write(tmp_path, "gru", 1, 0)
    out = subprocess.run([sys.executable, "-m", "rnnviz", "memory", str(path), "--data",
                          str(tmp_path / "nope.txt")], capture_output=True, text=True)
    assert out.returncode == 2 and "nope.txt" in out.stderr and len(out.stderr.splitlines()) == 1


@pytest.mark.parametrize("name", ["ptb-rnn", "ptb-lstm"])
def test_bundled_model_on_the_shipped_corpus_matches_torch(
        name: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Real weights (float32 engine against float64 torch) over 36 tokens, D = 20."""
    repo = Path(__file__).resolve().parents[2]
    path = repo / "resources" / "models" / f"{name}.safetensors"
    corpus = repo / "resources" / "memory_corpus.txt"
    assert main(["memory", str(path), "--data", str(corpus), "--tokens", "36",
                 "--max-distance", "20"]) == 0
    entry = json.loads(capsys.readouterr().out)["models"][0]
    model = load_model(path)
    ids = stream_ids(corpus.read_text(), model, 36)[0].tolist()
    ref = reference(model.params, ids, [*ids[1:], 0])
    grads = {"h": ref.grad_h, "c": ref.grad_c}
    for path_name, g in grads.items():
        for k in range(model.params.num_layers if g is not None else 0):
            want = ref_stats(ref_band(g[k], 20))  # type: ignore[index]
            for stat in ("median", "q25", "q75"):
                np.testing.assert_allclose(entry[stat][path_name][k], want[stat], rtol=1e-3)
    want_in = ref_stats(ref_band(ref.grad_in, 20))
    np.testing.assert_allclose(entry["median"]["input"], want_in["median"], rtol=1e-3)
