"""word_language_model-style bidirectional language models (RNNModel with bidirectional=True),
saved by torch as state_dicts and whole modules, read as BiParams whose logits equal torch's."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from rnnviz.checkpoints.errors import CheckpointError
from rnnviz.checkpoints.loader import VocabOptions, load_model
from rnnviz.engine.bidir_params import BiParams
from rnnviz.engine.factory import build_engine
from tests.checkpoints.kinds_torch import MODULE, init, lm_logits, save, user_module, write_lines

TOL = {"rtol": 1e-5, "atol": 2e-6}


@pytest.mark.parametrize("whole", [False, True])
@pytest.mark.parametrize(("rnn_type", "layers"), [("LSTM", 2), ("GRU", 1), ("RNN_TANH", 2)])
def test_bidirectional_lm(tmp_path: Path, whole: bool, rnn_type: str, layers: int) -> None:
    mod = user_module(tmp_path)
    kind = "RNN" if rnn_type == "RNN_TANH" else rnn_type
    net = init(mod.BiRNNModel(kind, 13, 4, 5, layers), seed=layers)  # type: ignore
    net.rnn_type = rnn_type
    path = save(net, tmp_path / "bilm.pt", whole)
    vocab = write_lines(tmp_path / "vocab.txt", [f"w{i}" for i in range(12)] + ["<eos>"])
    loaded = load_model(path, VocabOptions(vocab_file=str(vocab)))
    assert MODULE not in sys.modules
    p = loaded.params
    assert isinstance(p, BiParams) and loaded.task == "lm" and p.num_layers == layers
    assert p.cell == {"LSTM": "lstm", "GRU": "gru", "RNN_TANH": "rnn_tanh"}[rnn_type]
    sd = {k: v.detach().numpy() for k, v in net.state_dict().items()}
    for k in range(layers):
        np.testing.assert_array_equal(p.reverse[k].w_ih, sd[f"rnn.weight_ih_l{k}_reverse"])
        np.testing.assert_array_equal(p.forward[k].b_hh, sd[f"rnn.bias_hh_l{k}"])
    ids = [3, 1, 4, 1, 5, 9, 2, 6, 12]
    with torch.no_grad():
        want = net(torch.tensor(ids)[:, None])[:, 0].numpy()  # (T, V), time-major like the example
    np.testing.assert_allclose(lm_logits(p, ids), want, **TOL)
    recs = build_engine(p).run(ids)
    np.testing.assert_allclose(np.stack([r.logits for r in recs]), want, **TOL)


def test_uneven_directions_refused(tmp_path: Path) -> None:
    gru = torch.nn.GRU(4, 3, 2, bidirectional=True)
    sd = {f"rnn.{k}": v for k, v in gru.state_dict().items() if not k.endswith("l1_reverse")}
    sd |= {"encoder.weight": torch.zeros(7, 4), "decoder.weight": torch.zeros(7, 6),
           "decoder.bias": torch.zeros(7)}
    path = tmp_path / "bad.pt"
    torch.save(sd, path)
    vocab = write_lines(tmp_path / "vocab.txt", [f"w{i}" for i in range(7)])
    with pytest.raises(CheckpointError, match="2 forward layers but 1 reverse layers"):
        load_model(path, VocabOptions(vocab_file=str(vocab)))


def test_decoder_reading_one_direction_only_is_refused(tmp_path: Path) -> None:
    gru = torch.nn.GRU(4, 3, bidirectional=True)
    sd = {f"rnn.{k}": v for k, v in gru.state_dict().items()}
    sd |= {"encoder.weight": torch.zeros(7, 4), "decoder.weight": torch.zeros(7, 3),
           "decoder.bias": torch.zeros(7)}
    path = tmp_path / "bad.pt"
    torch.save(sd, path)
    vocab = write_lines(tmp_path / "vocab.txt", [f"w{i}" for i in range(7)])
    with pytest.raises(CheckpointError, match=r"decoder \(a \(V, 6\) weight"):
        load_model(path, VocabOptions(vocab_file=str(vocab)))
