"""The tutorial's SampleRNN and its embedding/bidirectional variants, trained-shape files saved
by torch as a user would, read as classifiers whose class probabilities equal torch's."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from rnnviz.checkpoints.errors import CheckpointError
from rnnviz.checkpoints.loader import VocabOptions, load_model
from rnnviz.engine.bidir_params import BiParams
from rnnviz.engine.classifier_params import ClassifierParams
from rnnviz.engine.factory import build_engine
from rnnviz.engine.params import ModelParams
from tests.checkpoints.kinds_torch import (
    MODULE,
    class_probs,
    init,
    save,
    user_module,
    write_lines,
)

TOL = {"rtol": 1e-5, "atol": 1e-6}
TEXTS = [[0, 3, 2, 1], [4, 4, 0], [2], [1, 2, 3, 4, 0, 1]]


def _sample_rnn(tmp_path: Path, whole: bool) -> tuple[torch.nn.Module, Path]:
    mod = user_module(tmp_path)
    net = init(mod.SampleRNN(5, 4, 3), seed=2)  # type: ignore[attr-defined]
    return net, save(net, tmp_path / ("sample.pt" if whole else "sample_sd.pt"), whole)


def _torch_probs_one_hot(net: torch.nn.Module, ids: list[int], size: int) -> np.ndarray:
    x = torch.nn.functional.one_hot(torch.tensor([ids]), size).float()  # (1, T, input_size)
    with torch.no_grad():
        return torch.softmax(net(x)[0], -1).numpy()


@pytest.mark.parametrize("whole", [False, True])
def test_sample_rnn_one_hot(tmp_path: Path, whole: bool) -> None:
    net, path = _sample_rnn(tmp_path, whole)
    vocab = write_lines(tmp_path / "vocab.txt", ["a", "b", "c", "d", "e"])
    loaded = load_model(path, VocabOptions(vocab_file=str(vocab), classes=("x", "y", "z")))
    assert MODULE not in sys.modules
    p = loaded.params
    assert isinstance(p, ClassifierParams) and p.one_hot and not p.bidirectional
    assert p.classes == ("x", "y", "z") and p.cell == "rnn_tanh" and loaded.task == "classify"
    assert loaded.format == ("pytorch-module" if whole else "pytorch-state-dict")
    assert any("one-hot" in n for n in loaded.notices)
    engine = build_engine(p)
    for ids in TEXTS:
        want = _torch_probs_one_hot(net, ids, 5)
        np.testing.assert_allclose(class_probs(p, ids), want, **TOL)
        np.testing.assert_allclose(engine.run(ids)[-1].probs, want, **TOL)


def test_sample_rnn_needs_a_vocabulary_of_its_input_size(tmp_path: Path) -> None:
    _, path = _sample_rnn(tmp_path, whole=False)
    with pytest.raises(CheckpointError, match=r"one-hot vectors of size 5.*--vocab FILE with 5"):
        load_model(path, VocabOptions(classes=("x", "y", "z")))
    short = write_lines(tmp_path / "v4.txt", ["a", "b", "c", "d"])
    with pytest.raises(CheckpointError, match="4 tokens but the model has 5"):
        load_model(path, VocabOptions(vocab_file=str(short)))


def test_default_class_names_and_label_file(tmp_path: Path) -> None:
    _, path = _sample_rnn(tmp_path, whole=False)
    vocab = str(write_lines(tmp_path / "vocab.txt", list("abcde")))
    loaded = load_model(path, VocabOptions(vocab_file=vocab))
    assert isinstance(loaded.params, ClassifierParams)
    assert loaded.params.classes == ("class 0", "class 1", "class 2")
    assert any("--classes" in n for n in loaded.notices)
    labels = write_lines(tmp_path / "labels.txt", ["neg", "neu", "pos"])
    loaded = load_model(path, VocabOptions(vocab_file=vocab, labels_file=str(labels)))
    assert loaded.params.classes == ("neg", "neu", "pos")  # type: ignore[union-attr]
    with pytest.raises(CheckpointError, match="2 class names given but fc has 3 outputs"):
        load_model(path, VocabOptions(vocab_file=vocab, classes=("neg", "pos")))
    with pytest.raises(CheckpointError, match="either --classes or --labels"):
        load_model(path, VocabOptions(vocab_file=vocab, classes=("a", "b", "c"),
                                      labels_file=str(labels)))


CASES = [  # kind, layers, bidirectional, pool
    ("GRU", 1, False, "last-output"),
    ("LSTM", 2, False, "final-states"),
    ("GRU", 2, True, "last-output"),
    ("GRU", 1, True, "final-states"),
    ("LSTM", 2, True, "last-output"),
    ("RNN", 2, True, "final-states"),
]


@pytest.mark.parametrize("whole", [False, True])
@pytest.mark.parametrize(("kind", "layers", "bi", "pool"), CASES)
def test_text_classifier(tmp_path: Path, whole: bool, kind: str, layers: int, bi: bool,
                         pool: str) -> None:
    mod = user_module(tmp_path)
    net = init(mod.TextClassifier(11, 4, 5, 2, kind, layers, bi, pool),  # type: ignore
               seed=layers + 3 * bi)
    path = save(net, tmp_path / "clf.pt", whole)
    vocab = str(write_lines(tmp_path / "vocab.txt", [f"w{i}" for i in range(11)]))
    opts = VocabOptions(vocab_file=vocab, classes=("neg", "pos"), pool=pool)
    loaded = load_model(path, opts)
    p = loaded.params
    assert isinstance(p, ClassifierParams) and p.bidirectional == bi and not p.one_hot
    assert isinstance(p.net, BiParams if bi else ModelParams) and p.num_layers == layers
    assert p.pool == pool and p.classes == ("neg", "pos")
    engine = build_engine(p)
    for ids in [[3, 1, 4, 1, 5], [9, 2, 6], [10]]:
        with torch.no_grad():
            want = torch.softmax(net(torch.tensor([ids]))[0], -1).numpy()
        np.testing.assert_allclose(class_probs(p, ids), want, **TOL)
        np.testing.assert_allclose(engine.run(ids)[-1].probs, want, **TOL)


def test_bidirectional_pool_defaults_with_a_notice_and_matters(tmp_path: Path) -> None:
    mod = user_module(tmp_path)
    net = init(mod.TextClassifier(11, 4, 5, 2, "GRU", 1, True, "final-states"),  # type: ignore
               seed=7)
    path = save(net, tmp_path / "clf.pt", whole=False)
    vocab = str(write_lines(tmp_path / "vocab.txt", [f"w{i}" for i in range(11)]))
    loaded = load_model(path, VocabOptions(vocab_file=vocab))
    p = loaded.params
    assert isinstance(p, ClassifierParams) and p.pool == "last-output"
    assert any("--pool final-states" in n for n in loaded.notices)
    ids = [3, 1, 4, 1, 5]
    with torch.no_grad():
        want = torch.softmax(net(torch.tensor([ids]))[0], -1).numpy()
    assert np.abs(class_probs(p, ids) - want).max() > 1e-3  # the wrong pool is visibly wrong


def test_whole_module_says_its_pool(tmp_path: Path) -> None:
    mod = user_module(tmp_path)
    net = init(mod.TextClassifier(11, 4, 5, 2, "LSTM", 1, True, "final-states"),  # type: ignore
               seed=5)
    path = save(net, tmp_path / "clf.pt", whole=True)
    vocab = str(write_lines(tmp_path / "vocab.txt", [f"w{i}" for i in range(11)]))
    loaded = load_model(path, VocabOptions(vocab_file=vocab))
    p = loaded.params
    assert isinstance(p, ClassifierParams) and p.pool == "final-states"
    assert not any("--pool" in n for n in loaded.notices)
    assert any("'pool' attribute" in n for n in loaded.notices)
    ids = [3, 1, 4, 1, 5]
    with torch.no_grad():
        want = torch.softmax(net(torch.tensor([ids]))[0], -1).numpy()
    np.testing.assert_allclose(build_engine(p).run(ids)[-1].probs, want, **TOL)
