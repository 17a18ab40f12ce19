"""No file may run code: hostile pickles, plain and inside torch zips, are refused by name."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from rnnviz.checkpoints import safe_pickle
from rnnviz.checkpoints.errors import CheckpointError
from rnnviz.checkpoints.loader import VocabOptions, load_model
from rnnviz.cli import main
from tests.checkpoints.crafted import Reduce, RunsCommand, write_module_zip, write_torch_zip
from tests.checkpoints.helpers import book_params, save_book, write_vocab

SYSTEM = f"{'nt' if sys.platform == 'win32' else 'posix'}.system"


def _opts(tmp_path: Path) -> VocabOptions:
    return VocabOptions(vocab_file=str(write_vocab(tmp_path / "v.txt", 23)))


def test_payload_runs_with_plain_pickle(tmp_path: Path) -> None:
    """The payload is real: plain pickle.loads runs it (so its absence below means something)."""
    marker = tmp_path / "ran"
    pickle.loads(pickle.dumps(RunsCommand(marker)))
    assert marker.exists()


@pytest.mark.parametrize("protocol", [2, 3, 5])
def test_hostile_plain_pickle_refused(tmp_path: Path, protocol: int) -> None:
    marker = tmp_path / "ran"
    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps([np.zeros(2, np.float16), RunsCommand(marker)], protocol))
    with pytest.raises(CheckpointError, match=f"global '{SYSTEM}'"):
        load_model(path, _opts(tmp_path))
    assert not marker.exists()


def test_hostile_torch_zip_refused(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    path = tmp_path / "evil.pt"
    torch.save({"encoder.weight": torch.zeros(3, 2), "x": RunsCommand(marker)}, path)
    with pytest.raises(CheckpointError, match=f"global '{SYSTEM}'"):
        load_model(path, _opts(tmp_path))
    assert not marker.exists()


def test_hostile_module_zip_refused(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    path = write_module_zip(tmp_path / "evil.pt", {"w": RunsCommand(marker)}, {})
    with pytest.raises(CheckpointError, match=f"global '{SYSTEM}'"):
        load_model(path, _opts(tmp_path))
    assert not marker.exists()


def test_hostile_vocab_pickle_refused(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    vocab = tmp_path / "ptb.vocab.pkl"
    vocab.write_bytes(pickle.dumps(({"a": 0}, {0: RunsCommand(marker)})))
    book = save_book(book_params("Rnnlm"), tmp_path / "b.pkl")
    with pytest.raises(CheckpointError, match=f"global '{SYSTEM}'"):
        load_model(book, VocabOptions(vocab_file=str(vocab)))
    assert not marker.exists()


def test_cli_refusal_is_one_line_exit_2(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    marker = tmp_path / "ran"
    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps(RunsCommand(marker)))
    assert main(["convert", str(path), str(tmp_path / "o.safetensors")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and SYSTEM in err and "Traceback" not in err
    assert not marker.exists()


@pytest.mark.parametrize("func", [eval, exec, getattr, __import__, np.load, np.frombuffer,
                                  torch.load, pickle.loads])
def test_other_callables_refused(func: object) -> None:
    data = pickle.dumps(Reduce(func, ("1",)), protocol=2)
    with pytest.raises(safe_pickle.RefusedGlobal, match="refused to load"):
        safe_pickle.loads(data, safe_pickle.NUMPY_ARRAYS)


def test_ndarray_is_not_callable() -> None:
    """``numpy.ndarray`` is allowed only as _reconstruct's argument: no arrays of chosen size."""
    data = pickle.dumps(Reduce(np.ndarray, ((10**6, 10**6),)), protocol=2)
    with pytest.raises(CheckpointError, match="corrupt"):
        safe_pickle.loads(data, safe_pickle.NUMPY_ARRAYS)


def test_object_arrays_refused() -> None:
    data = pickle.dumps(np.array([1, "x"], dtype=object))
    with pytest.raises(CheckpointError):
        safe_pickle.loads(data, safe_pickle.NUMPY_ARRAYS)


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_numpy_arrays_round_trip(protocol: int) -> None:
    arrays = [np.arange(6, dtype=np.float16).reshape(2, 3), np.ones((3, 2), np.float32).T]
    got = safe_pickle.loads(pickle.dumps(arrays, protocol), safe_pickle.NUMPY_ARRAYS)
    for a, b in zip(arrays, got, strict=True):
        assert np.array_equal(a, b) and a.dtype == b.dtype


def test_torch_zip_with_unknown_class_refused(tmp_path: Path) -> None:
    path = write_torch_zip(tmp_path / "x.pt", {"a": Reduce(Path, ("/",))}, {})
    with pytest.raises(CheckpointError, match="global 'pathlib"):
        load_model(path, _opts(tmp_path))
