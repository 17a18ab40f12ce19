"""PyTorch files: state_dicts and whole pickled modules, checked against torch's own forward."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from rnnviz.checkpoints.errors import CheckpointError
from rnnviz.checkpoints.loader import VocabOptions, load_model
from rnnviz.engine.bidir_params import BiParams
from tests.checkpoints.helpers import (
    engine_steps,
    example_model,
    save_module,
    torch_steps,
    write_vocab,
)

IDS = [1, 4, 22, 0, 9, 9, 17]
CELLS = {"LSTM": "lstm", "GRU": "gru", "RNN_TANH": "rnn_tanh", "RNN_RELU": "rnn_relu"}


def _opts(tmp_path: Path, n: int = 23, cell: str | None = None) -> VocabOptions:
    return VocabOptions(vocab_file=str(write_vocab(tmp_path / "vocab.txt", n)), cell=cell)


def _check_against_torch(model: torch.nn.Module, params: object) -> None:
    ref_p, ref_h = torch_steps(model.encoder, model.rnn, model.decoder, IDS)
    probs, hs = engine_steps(params, IDS)
    np.testing.assert_allclose(probs, ref_p, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(hs, ref_h, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("tied", [False, True])
@pytest.mark.parametrize("rnn_type", list(CELLS))
def test_example_state_dict(tmp_path: Path, rnn_type: str, tied: bool) -> None:
    model = example_model(tmp_path, rnn_type, tied=tied)
    path = tmp_path / "model.pt"
    torch.save(model.state_dict(), path)
    flag = "rnn_relu" if rnn_type == "RNN_RELU" else None
    loaded = load_model(path, _opts(tmp_path, cell=flag))
    assert loaded.format == "pytorch-state-dict"
    assert loaded.params.cell == CELLS[rnn_type]
    assert loaded.params.tied == tied
    _check_against_torch(model, loaded.params)


def test_rnn_state_dict_defaults_to_tanh_with_notice(tmp_path: Path) -> None:
    path = tmp_path / "m.pt"
    torch.save(example_model(tmp_path, "RNN_TANH").state_dict(), path)
    loaded = load_model(path, _opts(tmp_path))
    assert loaded.params.cell == "rnn_tanh"
    assert any("assuming tanh" in n for n in loaded.notices)


@pytest.mark.parametrize("rnn_type", list(CELLS))
def test_whole_module_file(tmp_path: Path, rnn_type: str) -> None:
    model = example_model(tmp_path, rnn_type, tied=rnn_type == "LSTM")
    path = save_module(model, tmp_path / "model.pt")
    assert "model" not in sys.modules
    loaded = load_model(path, _opts(tmp_path))  # relu comes from rnn_type, not --cell
    assert "model" not in sys.modules
    assert loaded.format == "pytorch-module"
    assert loaded.params.cell == CELLS[rnn_type]
    assert loaded.meta["source_rnn_type"] == rnn_type and loaded.meta["source_nlayers"] == 2
    assert not any("assuming tanh" in n for n in loaded.notices)
    _check_against_torch(model, loaded.params)


HOSTILE_MODEL_PY = """
import pathlib
pathlib.Path(__file__).with_name("IMPORTED").write_text("model.py ran")
class RNNModel:
    def __setstate__(self, state):
        pathlib.Path(__file__).with_name("IMPORTED").write_text("setstate ran")
"""


def test_module_file_never_imports_model_py(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    model = example_model(tmp_path, "LSTM")
    path = save_module(model, tmp_path / "model.pt")
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    (cwd / "model.py").write_text(HOSTILE_MODEL_PY)
    monkeypatch.chdir(cwd)
    monkeypatch.syspath_prepend(str(cwd))
    loaded = load_model(path, _opts(tmp_path))
    assert not (cwd / "IMPORTED").exists()
    assert "model" not in sys.modules
    _check_against_torch(model, loaded.params)


def test_bare_modules_under_other_prefixes_are_mapped(tmp_path: Path) -> None:
    torch.manual_seed(1)
    emb, lstm, fc = torch.nn.Embedding(23, 4), torch.nn.LSTM(4, 6, 2), torch.nn.Linear(6, 23)
    sd = {**{f"embedding.{k}": v for k, v in emb.state_dict().items()},
          **{f"lstm.{k}": v for k, v in lstm.state_dict().items()},
          **{f"fc.{k}": v for k, v in fc.state_dict().items()}}
    path = tmp_path / "bare.pth"
    torch.save(sd, path)
    loaded = load_model(path, _opts(tmp_path))
    note = next(n for n in loaded.notices if n.startswith("mapped tensors by shape"))
    assert "embedding.weight -> encoder.weight" in note and "fc.weight -> decoder.weight" in note
    assert "lstm.* -> rnn.*" in note
    ref_p, ref_h = torch_steps(emb, lstm, fc, IDS)
    probs, hs = engine_steps(loaded.params, IDS)
    np.testing.assert_allclose(probs, ref_p, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(hs, ref_h, rtol=1e-4, atol=1e-5)


def test_wrapped_and_nested_state_dicts(tmp_path: Path) -> None:
    model = example_model(tmp_path, "GRU")
    sd = {f"module.{k}": v for k, v in model.state_dict().items()}
    path = tmp_path / "ckpt.pt"
    torch.save({"epoch": 3, "state_dict": sd}, path)
    loaded = load_model(path, _opts(tmp_path))
    _check_against_torch(model, loaded.params)


def test_pytorch_file_needs_a_vocabulary(tmp_path: Path) -> None:
    path = tmp_path / "m.pt"
    torch.save(example_model(tmp_path, "LSTM").state_dict(), path)
    with pytest.raises(CheckpointError, match=r"--vocab FILE .* --vocab-corpus"):
        load_model(path)
    with pytest.raises(CheckpointError, match="has 24 tokens but the model has 23"):
        load_model(path, _opts(tmp_path, n=24))


def test_vocab_corpus_order(tmp_path: Path) -> None:
    path = tmp_path / "m.pt"
    torch.save(example_model(tmp_path, "LSTM", ntoken=6).state_dict(), path)
    (tmp_path / "train.txt").write_text(" a b \n c a \n")
    (tmp_path / "valid.txt").write_text(" d\n")
    (tmp_path / "test.txt").write_text(" e b\n")
    files = tuple(str(tmp_path / f"{n}.txt") for n in ("train", "valid", "test"))
    loaded = load_model(path, VocabOptions(vocab_corpus=files))
    assert loaded.vocab.tokens == ("a", "b", "<eos>", "c", "d", "e")


@pytest.mark.parametrize("sd", [
    {"x.weight": torch.zeros(3, 3)},
    [torch.zeros(3)],
])
def test_not_a_language_model(tmp_path: Path, sd: object) -> None:
    path = tmp_path / "m.pt"
    torch.save(sd, path)
    with pytest.raises(CheckpointError):
        load_model(path, _opts(tmp_path))


def test_bidirectional_read_not_refused(tmp_path: Path) -> None:
    gru = torch.nn.GRU(4, 3, bidirectional=True)
    sd = {"encoder.weight": torch.zeros(23, 4),
          **{f"rnn.{k}": v for k, v in gru.state_dict().items()},
          "decoder.weight": torch.zeros(23, 6), "decoder.bias": torch.zeros(23)}
    path = tmp_path / "m.pt"
    torch.save(sd, path)
    params = load_model(path, _opts(tmp_path)).params
    assert isinstance(params, BiParams) and params.cell == "gru"
    np.testing.assert_array_equal(params.reverse[0].w_hh, gru.weight_hh_l0_reverse.detach())


def test_legacy_state_dict(tmp_path: Path) -> None:
    model = example_model(tmp_path, "LSTM")
    path = tmp_path / "old.pt"
    torch.save(model.state_dict(), path, _use_new_zipfile_serialization=False)
    loaded = load_model(path, _opts(tmp_path))
    assert loaded.meta.get("legacy") is True
    _check_against_torch(model, loaded.params)


def test_transformer_module_refused_by_name(tmp_path: Path) -> None:
    model = example_model(tmp_path, "LSTM")
    model.rnn = torch.nn.TransformerEncoderLayer(6, 2, 12)
    path = save_module(model, tmp_path / "t.pt")
    with pytest.raises(CheckpointError, match="TransformerEncoderLayer: rnnviz reads"):
        load_model(path, _opts(tmp_path))
