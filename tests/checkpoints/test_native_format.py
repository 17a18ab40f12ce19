"""The native format: round trip, a real torch-written file, and clear errors for bad files."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.numpy import save_file as np_save_file
from safetensors.torch import save_file as torch_save_file

from rnnviz.checkpoints import native
from rnnviz.checkpoints.errors import CheckpointError
from rnnviz.checkpoints.vocab import Vocab
from rnnviz.engine.network import RNNLM
from rnnviz.engine.params import named_arrays, random_params

VOCAB = Vocab(tuple("abcdefghij"))


def _meta(cell: str = "lstm", **extra: object) -> dict[str, str]:
    return {"rnnviz": json.dumps({"cell": cell, "vocab": list(VOCAB.tokens), "tokenizer": "char",
                                  **extra})}


def _arrays(cell: str = "lstm", tied: bool = False) -> dict[str, np.ndarray]:
    return dict(named_arrays(random_params(cell, 10, 6, layers=2, tied=tied, seed=3)))


@pytest.mark.parametrize("cell", ["rnn_tanh", "rnn_relu", "lstm", "gru"])
@pytest.mark.parametrize("tied", [False, True])
def test_round_trip(tmp_path: Path, cell: str, tied: bool) -> None:
    p = random_params(cell, 10, 6, layers=2, tied=tied, seed=3)
    path = tmp_path / "m.safetensors"
    native.save(path, p, VOCAB, "char", {"name": "x", "provenance": {"epochs": 3}})
    m = native.load(path)
    assert m.params.cell == cell and m.params.tied == tied and m.format == "rnnviz"
    assert m.vocab == VOCAB and m.tokenizer == "char"
    assert m.meta == {"name": "x", "provenance": {"epochs": 3}}
    for k, v in named_arrays(p).items():
        np.testing.assert_array_equal(named_arrays(m.params)[k], v)


def test_a_tied_model_stores_its_matrix_once_and_torch_reads_it_back(tmp_path: Path) -> None:
    from safetensors import safe_open
    from safetensors.torch import load_model

    p = random_params("lstm", 10, 6, layers=2, tied=True, seed=3)
    path = tmp_path / "tied.safetensors"
    native.save(path, p, VOCAB, "char")
    with safe_open(str(path), "np") as f:
        assert "decoder.weight" not in set(f.keys()) and "encoder.weight" in set(f.keys())
    m = native.load(path)
    assert m.params.tied and m.params.decoder_w is m.params.embedding
    # safetensors' own loader restores the shared tensor into a tied torch model
    model = WordLM(10, 6, 6, 2)
    model.decoder.weight = model.encoder.weight
    load_model(model, str(path))
    np.testing.assert_array_equal(model.decoder.weight.detach().numpy(), p.embedding)
    np.testing.assert_array_equal(model.rnn.weight_hh_l1.detach().numpy(), p.layers[1].w_hh)


class WordLM(torch.nn.Module):
    """The shape of pytorch/examples word_language_model's RNNModel."""

    def __init__(self, ntoken: int, ninp: int, nhid: int, nlayers: int) -> None:
        super().__init__()
        self.encoder = torch.nn.Embedding(ntoken, ninp)
        self.rnn = torch.nn.LSTM(ninp, nhid, nlayers)
        self.decoder = torch.nn.Linear(nhid, ntoken)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(self.encoder(ids))
        return self.decoder(out)


def test_a_state_dict_saved_by_torch_is_a_native_file(tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = WordLM(10, 5, 7, 2)
    path = tmp_path / "torch.safetensors"
    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    torch_save_file(state, str(path), metadata=_meta("lstm"))
    m = native.load(path)
    ids = [1, 4, 2, 8, 5, 7]
    with torch.no_grad():
        want = model(torch.tensor(ids)[:, None])[:, 0].numpy()
    got = np.stack([r.logits for r in RNNLM(m.params).run(ids)])
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    # and the other way: the native file is a state_dict torch accepts
    native.save(tmp_path / "back.safetensors", m.params, VOCAB, "char")
    from safetensors.torch import load_file
    WordLM(10, 5, 7, 2).load_state_dict(load_file(str(tmp_path / "back.safetensors")))


def _expect(path: Path, needle: str) -> None:
    with pytest.raises(CheckpointError) as err:
        native.load(path)
    msg = str(err.value)
    assert needle in msg and "\n" not in msg


@pytest.mark.parametrize("mutate, needle", [
    (lambda a: a.pop("rnn.bias_hh_l1"), "missing tensor(s): rnn.bias_hh_l1"),
    (lambda a: a.update({"extra.weight": np.zeros(3, np.float32)}), "unexpected tensor(s): extra"),
    (lambda a: a.update({"rnn.weight_hh_l0": np.zeros((24, 5), np.float32)}),
     "rnn.weight_hh_l0 has shape"),
    (lambda a: a.update({"decoder.bias": np.zeros(9, np.float32)}), "decoder.bias has shape"),
    (lambda a: a["rnn.weight_ih_l1"].__setitem__((0, 0), np.nan), "NaN or infinite"),
    (lambda a: a["encoder.weight"].__setitem__((0, 0), np.inf), "encoder.weight contains NaN"),
])
def test_bad_tensors_are_named(tmp_path: Path, mutate, needle: str) -> None:  # type: ignore[no-untyped-def]
    arrays = _arrays()
    mutate(arrays)
    path = tmp_path / "bad.safetensors"
    np_save_file(arrays, str(path), metadata=_meta())
    _expect(path, needle)


@pytest.mark.parametrize("meta, needle", [
    ({}, "no 'rnnviz' metadata"),
    ({"rnnviz": "{nope"}, "not valid JSON"),
    ({"rnnviz": json.dumps({"cell": "lstm", "vocab": list("abcdefghij")})}, "'tokenizer'"),
    (_meta("transformer"), "unknown cell 'transformer'"),
    (_meta("gru"), "rnn.weight_ih_l0 has shape"),
    ({"rnnviz": json.dumps({"cell": "lstm", "vocab": list("abc"), "tokenizer": "char"})},
     "vocabulary has 3 tokens"),
])
def test_bad_metadata_is_named(tmp_path: Path, meta: dict[str, str], needle: str) -> None:
    path = tmp_path / "bad.safetensors"
    np_save_file(_arrays(), str(path), metadata=meta)
    _expect(path, needle)


def test_truncated_and_garbage_files(tmp_path: Path) -> None:
    path = tmp_path / "m.safetensors"
    native.save(path, random_params("gru", 10, 6, seed=1), VOCAB, "char")
    data = path.read_bytes()
    for cut in (0, 5, 8, 40, len(data) // 2, len(data) - 1):
        (tmp_path / "cut.safetensors").write_bytes(data[:cut])
        with pytest.raises(CheckpointError):
            native.load(tmp_path / "cut.safetensors")
    huge = struct.pack("<Q", 2**62) + b"{}"
    (tmp_path / "huge.safetensors").write_bytes(huge)
    _expect(tmp_path / "huge.safetensors", "header length is impossible")
    header = json.dumps({"encoder.weight": {"dtype": "F32", "shape": [10**9, 10**9],
                                            "data_offsets": [0, 4 * 10**18]}}).encode()
    (tmp_path / "claim.safetensors").write_bytes(struct.pack("<Q", len(header)) + header)
    _expect(tmp_path / "claim.safetensors", "outside the file")
