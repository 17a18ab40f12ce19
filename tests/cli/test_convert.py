"""``rnnviz convert``: every supported input becomes a native file with the same parameters,
its vocabulary and provenance."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
import torch

from rnnviz.checkpoints import native
from rnnviz.checkpoints.loader import VocabOptions, load_model
from rnnviz.cli import main
from rnnviz.engine.params import named_arrays
from tests.checkpoints.helpers import (
    book_params,
    example_model,
    save_book,
    save_module,
    write_vocab,
)


def _inputs(tmp_path: Path) -> dict[str, Path]:
    model = example_model(tmp_path, "RNN_RELU", ntoken=29, tied=True)
    sd = tmp_path / "sd.pt"
    torch.save(model.state_dict(), sd)
    return {
        "dlfs2": save_book(book_params("BetterRnnlm"), tmp_path / "BetterRnnlm.pkl"),
        "pytorch-state-dict": sd,
        "pytorch-module": save_module(model, tmp_path / "module.pt"),
    }


@pytest.mark.parametrize("fmt", ["dlfs2", "pytorch-state-dict", "pytorch-module"])
def test_convert_round_trip(tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    src = _inputs(tmp_path)[fmt]
    vocab = write_vocab(tmp_path / "vocab.txt", 29)
    out = tmp_path / "out.safetensors"
    assert main(["convert", str(src), str(out), "--vocab", str(vocab), "--cell", "rnn_relu"]) == 0
    assert "wrote" in capsys.readouterr().out
    original = load_model(src, VocabOptions(vocab_file=str(vocab), cell="rnn_relu"))
    converted = native.load(out)
    assert converted.format == "rnnviz"
    assert converted.vocab == original.vocab
    assert converted.params.cell == original.params.cell
    for name, arr in named_arrays(original.params).items():
        assert np.array_equal(named_arrays(converted.params)[name], arr), name
    meta = converted.meta
    assert meta["source_file"] == src.name and meta["source_format"] == fmt
    assert meta["source_sha256"] == hashlib.sha256(src.read_bytes()).hexdigest()


def test_module_file_keeps_its_relu_without_flag(tmp_path: Path) -> None:
    src = _inputs(tmp_path)["pytorch-module"]
    out = tmp_path / "out.safetensors"
    vocab = write_vocab(tmp_path / "vocab.txt", 29)
    assert main(["convert", str(src), str(out), "--vocab", str(vocab)]) == 0
    assert native.load(out).params.cell == "rnn_relu"


def test_convert_records_notices(tmp_path: Path) -> None:
    src = save_book(book_params("Rnnlm", v=10000, d=2, h=2), tmp_path / "Rnnlm.pkl")
    out = tmp_path / "out.safetensors"
    assert main(["convert", str(src), str(out)]) == 0
    meta = native.load(out).meta
    assert meta["source_class"] == "Rnnlm" and meta["name"] == "Rnnlm"
    assert any("PTB" in n for n in meta["conversion_notes"])


@pytest.mark.parametrize("case", ["suffix", "no-vocab", "same-file"])
def test_convert_errors_exit_2(tmp_path: Path, case: str,
                               capsys: pytest.CaptureFixture[str]) -> None:
    src = _inputs(tmp_path)["pytorch-state-dict"]
    vocab = ["--vocab", str(write_vocab(tmp_path / "vocab.txt", 29))]
    args = {"suffix": [str(src), str(tmp_path / "out.pt"), *vocab],
            "no-vocab": [str(src), str(tmp_path / "out.safetensors")],
            "same-file": [str(src), str(src), *vocab]}[case]
    if case == "same-file":
        same = tmp_path / "same.safetensors"
        assert main(["convert", str(src), str(same), *vocab]) == 0
        args = [str(same), str(same)]
        capsys.readouterr()
    assert main(["convert", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rnnviz: error: ") and err.count("\n") == 1
