"""Corrupt, truncated, wrong-type and lying files: always a one-line CheckpointError (exit 2 in the
CLI), never a traceback, a hang or a huge allocation."""

from __future__ import annotations

import json
import pickle
import struct
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rnnviz.checkpoints import native
from rnnviz.checkpoints.errors import CheckpointError
from rnnviz.checkpoints.loader import VocabOptions, load_model
from rnnviz.cli import main
from rnnviz.engine.params import random_params
from tests.checkpoints.crafted import (
    FakeStorage,
    Reduce,
    fake_tensor,
    numpy_array_record,
    write_module_zip,
    write_torch_zip,
)
from tests.checkpoints.helpers import (
    book_params,
    example_model,
    save_book,
    save_module,
    write_vocab,
)

FUZZ = settings(max_examples=25, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Valid files of every format (small), as bytes to corrupt."""
    d = tmp_path_factory.mktemp("valid")
    model = example_model(d, "LSTM", ntoken=23)
    torch.save(model.state_dict(), d / "sd.pt")
    save_module(model, d / "module.pt")
    save_book(book_params("Rnnlm", v=23), d / "book.pkl")
    from rnnviz.checkpoints.vocab import Vocab
    native.save(d / "n.safetensors", random_params("gru", 23, 4),
                Vocab(tuple(f"w{i}" for i in range(23))), "word")
    names = ("sd.pt", "module.pt", "book.pkl", "n.safetensors")
    return {n: (d / n).read_bytes() for n in names}


def _expect_error_or_model(path: Path, vocab: Path) -> None:
    """Loading either works (a flip in float data) or raises CheckpointError, quickly."""
    start = time.perf_counter()
    try:
        load_model(path, VocabOptions(vocab_file=str(vocab)))
    except CheckpointError as e:
        assert "\n" not in str(e) and str(e)
    assert time.perf_counter() - start < 10


def _write(tmp_path: Path, name: str, data: bytes) -> tuple[Path, Path]:
    path = tmp_path / name
    path.write_bytes(data)
    return path, write_vocab(tmp_path / "v.txt", 23)


@pytest.mark.parametrize("name", ["sd.pt", "module.pt", "book.pkl", "n.safetensors"])
def test_valid_files_load(tmp_path: Path, corpus: dict[str, bytes], name: str) -> None:
    path, vocab = _write(tmp_path, name, corpus[name])
    assert load_model(path, VocabOptions(vocab_file=str(vocab))).params.vocab_size == 23


@pytest.mark.parametrize("name", ["sd.pt", "module.pt", "book.pkl", "n.safetensors"])
@FUZZ
@given(frac=st.floats(0, 0.999))
def test_truncated(tmp_path: Path, corpus: dict[str, bytes], name: str, frac: float) -> None:
    data = corpus[name]
    path, vocab = _write(tmp_path, name, data[: int(len(data) * frac)])
    with pytest.raises(CheckpointError):
        load_model(path, VocabOptions(vocab_file=str(vocab)))


@pytest.mark.parametrize("name", ["sd.pt", "module.pt", "book.pkl", "n.safetensors"])
@FUZZ
@given(flips=st.lists(st.tuples(st.floats(0, 0.999), st.integers(0, 7)), min_size=1, max_size=4))
def test_bit_flipped(tmp_path: Path, corpus: dict[str, bytes], name: str,
                     flips: list[tuple[float, int]]) -> None:
    data = bytearray(corpus[name])
    for frac, bit in flips:
        data[int(len(data) * frac)] ^= 1 << bit
    _expect_error_or_model(*_write(tmp_path, name, bytes(data)))


@pytest.mark.parametrize("data", [
    b"",
    b"hello world\n",
    b"\x89PNG\r\n\x1a\n" + bytes(64),
    json.dumps({"a": 1}).encode(),
    pickle.dumps(12345),
    pickle.dumps("a string"),
    pickle.dumps({"encoder.weight": [1.0, 2.0]}),
    pickle.dumps([1, 2, 3]),
    pickle.dumps(None),
    struct.pack("<Q", 2**40) + b"{}",
    b"PK\x03\x04" + bytes(40),
    b"\x80",
    b"\x80\x05",
])
def test_wrong_type(tmp_path: Path, data: bytes) -> None:
    path, vocab = _write(tmp_path, "x.bin", data)
    with pytest.raises(CheckpointError):
        load_model(path, VocabOptions(vocab_file=str(vocab)))


def _zip_of(tmp_path: Path, members: dict[str, bytes]) -> Path:
    path = tmp_path / "z.pt"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def _huge_claims(tmp_path: Path) -> list[Path]:
    big = (10**6, 10**6)
    ok = FakeStorage("0", 8)
    files = {
        "pickle-shape.pkl": pickle.dumps([numpy_array_record(big, bytes(16))] * 6, protocol=3),
        "pickle5-shape.pkl": pickle.dumps(
            [Reduce(_frombuffer(), (bytes(16), np.dtype("<f2"), big, "C"))] * 6, protocol=5),
    }
    paths = []
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        paths.append(tmp_path / name)
    paths += [
        write_torch_zip(tmp_path / "numel.pt", {"rnn.weight_ih_l0": fake_tensor(
            FakeStorage("0", 10**12), big, (10**6, 1))}, {"0": bytes(32)}),
        write_torch_zip(tmp_path / "size.pt", {"rnn.weight_ih_l0": fake_tensor(
            ok, big, (10**6, 1))}, {"0": bytes(32)}),
        write_torch_zip(tmp_path / "stride0.pt", {"rnn.weight_ih_l0": fake_tensor(
            ok, big, (0, 0))}, {"0": bytes(32)}),
        write_module_zip(tmp_path / "m-numel.pt", {"w": fake_tensor(
            FakeStorage("0", 10**12), big, (10**6, 1))}, {"0": bytes(32)}),
        write_module_zip(tmp_path / "m-stride0.pt", {"w": fake_tensor(ok, big, (0, 0))},
                         {"0": bytes(32)}),
        write_module_zip(tmp_path / "m-offset.pt", {"w": fake_tensor(ok, (2,), (1,), 10**15)},
                         {"0": bytes(32)}),
        _zip_of(tmp_path, {"archive/data.pkl": bytes(20 * 2**20)}),  # deflate bomb
    ]
    header = json.dumps({"w": {"dtype": "F32", "shape": list(big), "data_offsets": [0, 16]},
                         "__metadata__": {"rnnviz": "{}"}}).encode()
    st_path = tmp_path / "huge.safetensors"
    st_path.write_bytes(struct.pack("<Q", len(header)) + header + bytes(16))
    return [*paths, st_path]


def _frombuffer() -> object:
    from numpy._core.numeric import _frombuffer
    return _frombuffer


def test_headers_claiming_huge_shapes(tmp_path: Path) -> None:
    vocab = write_vocab(tmp_path / "v.txt", 23)
    for path in _huge_claims(tmp_path):
        start = time.perf_counter()
        with pytest.raises(CheckpointError):
            load_model(path, VocabOptions(vocab_file=str(vocab)))
        assert time.perf_counter() - start < 5, path.name


def test_cli_gives_one_line_and_exit_2(tmp_path: Path, corpus: dict[str, bytes],
                                       capsys: pytest.CaptureFixture[str]) -> None:
    cases = [b"", corpus["sd.pt"][:300], corpus["book.pkl"][:-9], b"not a model"]
    cases += [p.read_bytes() for p in _huge_claims(tmp_path)[:4]]
    vocab = write_vocab(tmp_path / "v.txt", 23)
    for k, data in enumerate(cases):
        path = tmp_path / f"bad{k}.pt"
        path.write_bytes(data)
        code = main(["convert", str(path), str(tmp_path / "o.safetensors"), "--vocab", str(vocab)])
        err = capsys.readouterr().err
        assert code == 2, err
        assert err.startswith("rnnviz: error: ") and err.count("\n") == 1, err
