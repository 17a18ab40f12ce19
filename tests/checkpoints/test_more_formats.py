"""More files a learner has: char-rnn.pytorch's whole CharRNN, modules of other classes with
Embedding + one RNN/LSTM/GRU + Linear under any names, min-char-rnn (np.savez and pickle), and
Keras / ONNX / other .npz files refused by name. Fixtures are written at test time."""

from __future__ import annotations

import importlib
import pickle
import string
import sys
import textwrap
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

from rnnviz.checkpoints.errors import CheckpointError
from rnnviz.checkpoints.loader import VocabOptions, load_model, sniff
from tests.checkpoints.helpers import engine_steps, torch_steps
from tests.conftest import SHARED, need

CHAR_RNN = SHARED / "data" / "char-rnn-pytorch"

# A module laid out as char-rnn.pytorch's model.CharRNN is pickled (attributes model,
# input_size, hidden_size, output_size, n_layers; submodules encoder, rnn, decoder), and one
# with other names and a dropout.
MODULE_SOURCE = textwrap.dedent('''
    import torch.nn as nn


    class CharRNN(nn.Module):
        def __init__(self, n_chars, hidden, kind="gru", n_layers=1):
            super().__init__()
            self.model = kind
            self.input_size, self.hidden_size, self.output_size = n_chars, hidden, n_chars
            self.n_layers = n_layers
            self.encoder = nn.Embedding(n_chars, hidden)
            self.rnn = (nn.GRU if kind == "gru" else nn.LSTM)(hidden, hidden, n_layers)
            self.decoder = nn.Linear(hidden, n_chars)


    class TinyLM(nn.Module):
        def __init__(self, n, d, h, extra=None):
            super().__init__()
            self.emb = nn.Embedding(n, d)
            self.dropout = nn.Dropout(0.1)
            self.core = nn.RNN(d, h, 2, nonlinearity="relu")
            self.head = nn.Linear(h, n)
            if extra is not None:
                self.extra = extra
''')


def _user_module(tmp_path: Path, name: str) -> object:
    """Import MODULE_SOURCE as module ``name`` (removed again from sys.modules by _save)."""
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    (src / f"{name}.py").write_text(MODULE_SOURCE)
    sys.path.insert(0, str(src))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(src))


def _save(model: torch.nn.Module, path: Path, name: str) -> Path:
    torch.save(model, path)  # as char-rnn.pytorch's train.py saves
    sys.modules.pop(name, None)
    return path


def _init(model: torch.nn.Module, seed: int) -> torch.nn.Module:
    torch.manual_seed(seed)
    for p in model.parameters():
        torch.nn.init.uniform_(p, -0.5, 0.5)
    return model.eval()


@pytest.mark.parametrize("kind", ["gru", "lstm"])
def test_char_rnn_module_with_printable_vocabulary(tmp_path: Path, kind: str) -> None:
    mod = _user_module(tmp_path, "model")
    net = _init(mod.CharRNN(100, 12, kind, n_layers=2), seed=1)  # type: ignore[attr-defined]
    path = _save(net, tmp_path / "shakespeare.pt", "model")
    loaded = load_model(path, VocabOptions(tokenizer="char"))
    assert "model" not in sys.modules  # nothing of the file's code was imported
    assert loaded.format == "pytorch-module" and loaded.meta["source_class"] == "model.CharRNN"
    assert loaded.tokenizer == "char" and loaded.vocab.tokens == tuple(string.printable)
    assert any("string.printable" in n for n in loaded.notices)
    ids = [t.id for t in loaded.tokenize("ROMEO: Hi!\n")]
    assert ids == [string.printable.index(c) for c in "ROMEO: Hi!\n"]
    ref_p, ref_h = torch_steps(net.encoder, net.rnn, net.decoder, ids)
    probs, hs = engine_steps(loaded.params, ids)
    np.testing.assert_allclose(probs, ref_p, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(hs, ref_h, rtol=1e-4, atol=1e-5)


def test_other_class_and_names(tmp_path: Path) -> None:
    mod = _user_module(tmp_path, "mynets")
    net = _init(mod.TinyLM(17, 5, 6), seed=2)  # type: ignore[attr-defined]
    path = _save(net, tmp_path / "tiny.pt", "mynets")
    vocab = tmp_path / "v.txt"
    vocab.write_text("".join(f"w{i}\n" for i in range(17)))
    loaded = load_model(path, VocabOptions(vocab_file=str(vocab)))
    assert loaded.params.cell == "rnn_relu"  # from the pickled nn.RNN's mode
    assert any("emb.weight -> encoder.weight" in n for n in loaded.notices)
    ids = [3, 1, 4, 1, 5, 9, 2, 6]
    ref_p, _ = torch_steps(net.emb, net.core, net.head, ids)
    np.testing.assert_allclose(engine_steps(loaded.params, ids)[0], ref_p, rtol=1e-4, atol=1e-6)


def test_other_class_with_more_modules_is_refused_saying_what_works(tmp_path: Path) -> None:
    mod = _user_module(tmp_path, "mynets2")
    net = mod.TinyLM(17, 5, 6, extra=torch.nn.Linear(6, 6))  # type: ignore[attr-defined]
    path = _save(net, tmp_path / "x.pt", "mynets2")
    with pytest.raises(CheckpointError, match=r"exactly one RNN/LSTM/GRU and a Linear, "
                                              r"with or without an Embedding.*state_dict"):
        load_model(path, VocabOptions(tokenizer="char"))


@pytest.mark.parametrize("kind", ["gru", "lstm"])
def test_files_made_by_char_rnn_pytorch_itself(kind: str) -> None:
    """Files written by running spro/char-rnn.pytorch's own model.py (../shared holds them with
    the script, make.py, and the upstream model's probabilities on a held-out text)."""
    path = need(CHAR_RNN / f"shakespeare-{kind}.pt")
    want = np.load(CHAR_RNN / f"shakespeare-{kind}.probs.npy")
    loaded = load_model(path, VocabOptions(tokenizer="char"))
    ids = [t.id for t in loaded.tokenize((CHAR_RNN / "held_out.txt").read_text())]
    np.testing.assert_allclose(engine_steps(loaded.params, ids)[0], want, atol=2e-6)


# --- min-char-rnn --------------------------------------------------------------------------------

def _minchar(seed: int = 0, chars: str = "dlrow! eh") -> dict[str, object]:
    rng = np.random.default_rng(seed)
    h, v = 7, len(chars)
    return {"Wxh": rng.normal(0, 0.5, (h, v)), "Whh": rng.normal(0, 0.5, (h, h)),
            "Why": rng.normal(0, 0.5, (v, h)), "bh": rng.normal(0, 0.1, (h, 1)),
            "by": rng.normal(0, 0.1, (v, 1)),
            "char_to_ix": {ch: i for i, ch in enumerate(chars)},
            "ix_to_char": dict(enumerate(chars))}


def _gist_probs(m: dict[str, object], ids: list[int]) -> np.ndarray:
    """The gist's own forward pass (one-hot x, column vectors), in float64."""
    wxh, whh, why, bh, by = (np.asarray(m[k]) for k in ("Wxh", "Whh", "Why", "bh", "by"))
    h = np.zeros((whh.shape[0], 1))
    out = []
    for i in ids:
        x = np.zeros((wxh.shape[1], 1))
        x[i] = 1
        h = np.tanh(wxh @ x + whh @ h + bh)
        y = why @ h + by
        out.append((np.exp(y) / np.exp(y).sum())[:, 0])
    return np.stack(out)


@pytest.mark.parametrize("how", ["savez", "pickle"])
def test_min_char_rnn(tmp_path: Path, how: str) -> None:
    m = _minchar()
    path = tmp_path / ("m.npz" if how == "savez" else "m.pkl")
    if how == "savez":
        np.savez(path, **m)  # type: ignore[arg-type]  # char_to_ix becomes a pickled object
    else:
        path.write_bytes(pickle.dumps(m))
    loaded = load_model(path)
    assert loaded.format == "min-char-rnn" and loaded.tokenizer == "char"
    assert loaded.params.cell == "rnn_tanh" and loaded.params.num_layers == 1
    assert loaded.vocab.tokens == tuple("dlrow! eh")  # id order of char_to_ix
    ids = [t.id for t in loaded.tokenize("hello world!")]
    np.testing.assert_allclose(engine_steps(loaded.params, ids)[0], _gist_probs(m, ids),
                               rtol=1e-4, atol=1e-6)


def test_min_char_rnn_npz_object_member_cannot_run_code(tmp_path: Path) -> None:
    m = _minchar()
    m["char_to_ix"] = np.array([Path("/")], dtype=object)  # names pathlib.PosixPath
    np.savez(tmp_path / "m.npz", **m)  # type: ignore[arg-type]
    with pytest.raises(CheckpointError, match="global 'pathlib"):
        load_model(tmp_path / "m.npz")


# --- refusals by name -----------------------------------------------------------------------------

def _zip(path: Path, names: list[str]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for n in names:
            zf.writestr(n, b"{}")
    return path


@pytest.mark.parametrize(("write", "kind", "says"), [
    (lambda p: _zip(p / "m.keras", ["metadata.json", "config.json", "model.weights.h5"]),
     "keras", "Keras .keras"),
    (lambda p: (p / "m.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(100)) and p / "m.h5",
     "hdf5", "Keras .h5"),
    (lambda p: (p / "m.onnx").write_bytes(b"\x08\x07\x12\x07pytorch:\x02ai.onnx") and p / "m.onnx",
     "onnx", "ONNX"),
])
def test_foreign_formats_refused_by_name(tmp_path: Path, write: object, kind: str,
                                         says: str) -> None:
    path = write(tmp_path)  # type: ignore[operator]
    assert sniff(path) == kind
    with pytest.raises(CheckpointError, match=f"{says}.*not supported.*state_dict") as err:
        load_model(path)
    assert "\n" not in str(err.value) and "data.pkl" not in str(err.value)


def test_other_npz_refused_by_name(tmp_path: Path) -> None:
    np.savez(tmp_path / "w.npz", W=np.ones((2, 2)), b=np.zeros(2))
    assert sniff(tmp_path / "w.npz") == "npz"
    with pytest.raises(CheckpointError, match=r"numpy \.npz file \(arrays: W, b\) that is not "
                                              r"min-char-rnn's"):
        load_model(tmp_path / "w.npz")
