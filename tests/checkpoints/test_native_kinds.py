"""The native format for bidirectional LMs, classifiers and CBOW: round trips, files that torch's
own modules write and read, and one-line errors for malformed files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.numpy import save_file as np_save_file
from safetensors.torch import load_file as torch_load_file
from safetensors.torch import save_file as torch_save_file
from torch import nn

from rnnviz.checkpoints import native
from rnnviz.checkpoints.errors import CheckpointError
from rnnviz.checkpoints.vocab import Vocab
from rnnviz.engine.bidir_params import BiParams, bidir_named_arrays, random_bidir
from rnnviz.engine.cbow_params import CbowParams, random_cbow
from rnnviz.engine.classifier_params import ClassifierParams
from rnnviz.engine.params import ModelParams, named_arrays, random_params

VOCAB = Vocab(tuple("abcdefghij"))
V = len(VOCAB)


def _torch_cell(cell: str) -> type[nn.RNNBase]:
    return {"lstm": nn.LSTM, "gru": nn.GRU, "rnn_tanh": nn.RNN}[cell]


class SampleRNN(nn.Module):
    """The tutorials' many-to-one classifier: (embedding) -> rnn -> fc on the last output."""

    def __init__(self, cell: str, n_in: int, hidden: int, classes: int, layers: int = 1,
                 bidirectional: bool = False, embed: bool = True) -> None:
        super().__init__()
        if embed:
            self.encoder = nn.Embedding(V, n_in)
        self.rnn = _torch_cell(cell)(n_in, hidden, layers, batch_first=True,
                                     bidirectional=bidirectional)
        self.fc = nn.Linear(hidden * (2 if bidirectional else 1), classes)


class CBOW(nn.Module):
    def __init__(self, dim: int) -> None:
        super().__init__()
        self.encoder = nn.Embedding(V, dim)
        self.decoder = nn.Linear(dim, V)


def _meta(**info: object) -> dict[str, str]:
    return {"rnnviz": json.dumps({"vocab": list(VOCAB.tokens), "tokenizer": "char", **info})}


def _save_np(path: Path, arrays: dict[str, np.ndarray], **info: object) -> Path:
    np_save_file({k: np.ascontiguousarray(v) for k, v in arrays.items()}, str(path),
                 metadata=_meta(**info))
    return path


def _same(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> None:
    assert sorted(a) == sorted(b)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)


# ---- round trips ------------------------------------------------------------------------------

@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn_tanh"])
def test_bidirectional_lm_round_trip(tmp_path: Path, cell: str) -> None:
    p = random_bidir(cell, V, 5, layers=2, embedding=4, seed=1)
    native.save(tmp_path / "b.safetensors", p, VOCAB, "char", {"name": "bi", "direction": "x"})
    m = native.load(tmp_path / "b.safetensors")
    assert isinstance(m.params, BiParams) and m.params.cell == cell
    assert m.meta == {"name": "bi", "direction": "x"} and m.task == "lm"
    _same(bidir_named_arrays(m.params), bidir_named_arrays(p))


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("one_hot", [False, True])
@pytest.mark.parametrize("pool", ["last-output", "final-states"])
def test_classifier_round_trip(tmp_path: Path, bidirectional: bool, one_hot: bool,
                               pool: str) -> None:
    net: ModelParams | BiParams
    if bidirectional:
        net = random_bidir("gru", V, 6, layers=2, embedding=4, outputs=3, seed=2)
    else:
        r = random_params("gru", V, 6, layers=2, embedding=4, seed=2)
        net = ModelParams("gru", r.embedding, r.layers, r.decoder_w[:3], r.decoder_b[:3], 3)
    if one_hot:
        eye = np.eye(V, dtype=np.float32)
        fresh = random_bidir("gru", V, 6, layers=2, embedding=V, outputs=3, seed=4) \
            if bidirectional else None
        if isinstance(fresh, BiParams):
            net = BiParams("gru", eye, fresh.forward, fresh.reverse, fresh.decoder_w,
                           fresh.decoder_b, 3)
        else:
            r = random_params("gru", V, 6, layers=2, embedding=V, seed=4)
            net = ModelParams("gru", eye, r.layers, r.decoder_w[:3], r.decoder_b[:3], 3)
    p = ClassifierParams(net, ("neg", "neutral", "pos"), pool, one_hot)
    path = tmp_path / "c.safetensors"
    native.save(path, p, VOCAB, "char", {"name": "clf", "test_accuracy": 0.75})
    m = native.load(path)
    q = m.params
    assert isinstance(q, ClassifierParams) and m.task == "classify"
    assert (q.classes, q.pool, q.one_hot, q.bidirectional) == (p.classes, pool, one_hot,
                                                                bidirectional)
    assert m.meta == {"name": "clf", "test_accuracy": 0.75}
    names = bidir_named_arrays if bidirectional else named_arrays
    _same(names(q.net), names(p.net))  # type: ignore[arg-type]
    stored = set(torch_load_file(str(path)))
    assert {"fc.weight", "fc.bias"} <= stored and "decoder.weight" not in stored
    assert ("encoder.weight" in stored) == (not one_hot)


@pytest.mark.parametrize("tied", [False, True])
def test_cbow_round_trip(tmp_path: Path, tied: bool) -> None:
    r = random_cbow(V, 4, window=7, seed=5)
    p = CbowParams(r.embedding, 7, r.embedding if tied else r.decoder_w, r.decoder_b)
    native.save(tmp_path / "w.safetensors", p, VOCAB, "char", {"name": "cbow"})
    m = native.load(tmp_path / "w.safetensors")
    q = m.params
    assert isinstance(q, CbowParams) and q.window == 7 and q.tied == tied and m.meta == {
        "name": "cbow"}
    for a, b in ((q.embedding, p.embedding), (q.decoder_w, p.decoder_w),
                 (q.decoder_b, p.decoder_b)):
        np.testing.assert_array_equal(a, b)
    assert ("decoder.weight" in torch_load_file(str(tmp_path / "w.safetensors"))) == (not tied)


def test_saved_metadata_describes_the_tensors_not_the_callers_claims(tmp_path: Path) -> None:
    p = ClassifierParams(random_bidir("lstm", V, 3, outputs=2, seed=0), ("no", "yes"),
                         "final-states")
    native.save(tmp_path / "c.safetensors", p, VOCAB, "char",
                {"classes": ["x"], "pool": "last-output", "bidirectional": False})
    meta = native.read_meta(tmp_path / "c.safetensors")
    assert (meta["task"], meta["classes"], meta["pool"], meta["bidirectional"]) == (
        "classify", ["no", "yes"], "final-states", True)


# ---- torch writes, rnnviz reads; rnnviz writes, torch reads -------------------------------------

@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn_tanh"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_a_torch_sample_rnn_state_dict_reads_as_its_own_tensors(
        tmp_path: Path, cell: str, bidirectional: bool) -> None:
    torch.manual_seed(0)
    model = SampleRNN(cell, 4, 5, 2, layers=2, bidirectional=bidirectional)
    sd = {k: v.contiguous() for k, v in model.state_dict().items()}
    path = tmp_path / "t.safetensors"
    torch_save_file(sd, str(path), metadata=_meta(
        cell=cell, task="classify", classes=["real", "shuffled"], pool="final-states",
        bidirectional=bidirectional))
    q = native.load(path).params
    assert isinstance(q, ClassifierParams) and q.bidirectional == bidirectional
    names = bidir_named_arrays(q.net) if isinstance(q.net, BiParams) else named_arrays(q.net)
    got = {k.replace("decoder.", "fc."): v for k, v in names.items()}
    _same(got, {k: v.numpy() for k, v in sd.items()})


def test_torch_loads_a_saved_classifier_and_cbow_strictly(tmp_path: Path) -> None:
    p = ClassifierParams(random_bidir("gru", V, 5, layers=2, embedding=4, outputs=2, seed=3),
                         ("real", "shuffled"))
    native.save(tmp_path / "c.safetensors", p, VOCAB, "char")
    model = SampleRNN("gru", 4, 5, 2, layers=2, bidirectional=True)
    model.load_state_dict(torch_load_file(str(tmp_path / "c.safetensors")), strict=True)
    np.testing.assert_array_equal(model.rnn.weight_hh_l1_reverse.detach().numpy(),
                                  p.net.reverse[1].w_hh)  # type: ignore[union-attr]
    c = random_cbow(V, 4, window=3, seed=1)
    native.save(tmp_path / "w.safetensors", c, VOCAB, "char")
    cb = CBOW(4)
    cb.load_state_dict(torch_load_file(str(tmp_path / "w.safetensors")), strict=True)
    np.testing.assert_array_equal(cb.decoder.weight.detach().numpy(), c.decoder_w)


# ---- malformed files: one-line CheckpointError ------------------------------------------------

def _clf_arrays(bidirectional: bool = False, classes: int = 2) -> dict[str, np.ndarray]:
    torch.manual_seed(1)
    sd = SampleRNN("gru", 4, 5, classes, bidirectional=bidirectional).state_dict()
    return {k: v.numpy() for k, v in sd.items()}


CLF = dict(cell="gru", task="classify", classes=["a", "b"], pool="last-output")


def _cbow_arrays() -> dict[str, np.ndarray]:
    c = random_cbow(V, 4, 3, seed=0)
    return {"encoder.weight": c.embedding, "decoder.weight": c.decoder_w,
            "decoder.bias": c.decoder_b}


def _drop(d: dict[str, np.ndarray], *names: str) -> dict[str, np.ndarray]:
    return {k: v for k, v in d.items() if k not in names}


BAD: list[tuple[str, dict[str, np.ndarray], dict[str, object], str]] = [
    ("wrong class count", _clf_arrays(classes=3), CLF, "fc.weight has 3 outputs but the "
     "metadata names 2 classes"),
    ("missing fc", _drop(_clf_arrays(), "fc.weight", "fc.bias"), CLF,
     "missing tensor(s): fc.bias, fc.weight"),
    ("missing fc bias", _drop(_clf_arrays(), "fc.bias"), CLF, "missing tensor(s): fc.bias"),
    ("no classes", _clf_arrays(), {**CLF, "classes": None}, "needs 'classes'"),
    ("one class", _clf_arrays(classes=1), {**CLF, "classes": ["a"]}, "at least two classes"),
    ("duplicate classes", _clf_arrays(), {**CLF, "classes": ["a", "a"]}, "must be distinct"),
    ("bad pool", _clf_arrays(), {**CLF, "pool": "mean"}, "unknown pooling 'mean'"),
    ("reverse without flag", _clf_arrays(bidirectional=True), CLF,
     "does not say bidirectional: true"),
    ("flag without reverse", _clf_arrays(), {**CLF, "bidirectional": True},
     "missing tensor(s): rnn.bias_hh_l0_reverse"),
    ("flag not a bool", _clf_arrays(), {**CLF, "bidirectional": "yes"},
     "'bidirectional' must be true or false"),
    ("one_hot with an embedding", _clf_arrays(), {**CLF, "one_hot": True},
     "one_hot but the file has encoder.weight"),
    ("one_hot of the wrong width", _drop(_clf_arrays(), "encoder.weight"),
     {**CLF, "one_hot": True}, "rnn.weight_ih_l0 has shape (15, 4), expected (15, 10)"),
    ("no embedding, not one_hot", _drop(_clf_arrays(), "encoder.weight"), CLF,
     "missing tensor(s): encoder.weight"),
    ("unknown task", _clf_arrays(), {**CLF, "task": "tag"}, "unknown task 'tag'"),
    ("classifier with a decoder", {**_drop(_clf_arrays(), "fc.weight", "fc.bias"),
                                   "decoder.weight": np.zeros((2, 5), np.float32),
                                   "decoder.bias": np.zeros(2, np.float32)}, CLF,
     "missing tensor(s): fc.bias, fc.weight"),
    ("window too large", _cbow_arrays(), {"cell": "cbow", "window": 12},
     "CBOW window must be 2 to 10 words, got 12"),
    ("window 1", _cbow_arrays(), {"cell": "cbow", "window": 1},
     "CBOW window must be 2 to 10 words, got 1"),
    ("window missing", _cbow_arrays(), {"cell": "cbow"}, "needs 'window', a whole number"),
    ("window a string", _cbow_arrays(), {"cell": "cbow", "window": "5"},
     "needs 'window', a whole number; got '5'"),
    ("cbow extra tensor", {**_cbow_arrays(), "rnn.weight_ih_l0": np.zeros((3, 4), np.float32)},
     {"cell": "cbow", "window": 3}, "unexpected tensor(s): rnn.weight_ih_l0"),
    ("cbow decoder shape", {**_cbow_arrays(), "decoder.weight": np.zeros((10, 3), np.float32)},
     {"cell": "cbow", "window": 3}, "decoder.weight has shape (10, 3), expected (10, 4)"),
    ("cbow vocabulary", {**_cbow_arrays(), "encoder.weight": np.zeros((9, 4), np.float32)},
     {"cell": "cbow", "window": 3}, "decoder.weight has shape (10, 4), expected (9, 4)"),
    ("bidirectional LM missing reverse", dict(named_arrays(random_params("lstm", V, 3))),
     {"cell": "lstm", "bidirectional": True}, "missing tensor(s): rnn.bias_hh_l0_reverse"),
    ("bidirectional LM decoder width",
     {**bidir_named_arrays(random_bidir("lstm", V, 3)),
      "decoder.weight": np.zeros((V, 3), np.float32)},
     {"cell": "lstm", "bidirectional": True}, "decoder.weight has shape (10, 3), expected (10, 6)"),
    ("an LM with _reverse tensors", dict(bidir_named_arrays(random_bidir("gru", V, 3))),
     {"cell": "gru"}, "does not say bidirectional: true"),
]


@pytest.mark.parametrize(("why", "arrays", "info", "message"), BAD, ids=[b[0] for b in BAD])
def test_malformed_files_give_one_line_errors(tmp_path: Path, why: str,
                                              arrays: dict[str, np.ndarray],
                                              info: dict[str, object], message: str) -> None:
    path = _save_np(tmp_path / "bad.safetensors", arrays, **info)
    with pytest.raises(CheckpointError) as e:
        native.load(path)
    text = str(e.value)
    assert message in text and "\n" not in text, text
