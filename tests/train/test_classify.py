"""``rnnviz train --task classify``: labelled data, a padded batch computing exactly what one
unpadded sentence gives (torch's own modules, run step by step, are the reference), training,
the written file, resuming."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file as torch_load_file
from torch import nn

from rnnviz.checkpoints import native
from rnnviz.engine.classifier_params import ClassifierParams
from rnnviz.train.classify import (
    ClassifierModel,
    Examples,
    batch_tensors,
    evaluate,
    load_labeled,
    to_classifier_params,
)
from rnnviz.train.corpus import CorpusError
from rnnviz.train.trainer import train
from tests.train.helpers import tiny_config

CELLS = {"gru": nn.GRU, "lstm": nn.LSTM, "rnn_tanh": nn.RNN}


def reference_logits(model: ClassifierModel, ids: np.ndarray) -> torch.Tensor:
    """One unpadded sentence (T,), by the definition: one direction-only torch module per
    direction, copied from the model's weights; 'last-output' = [forward state after the last
    token; reverse state after reading only the last token], 'final-states' = [forward state
    after the last token; reverse state after reading back to the first token]."""
    rnn = model.rnn
    assert rnn.num_layers == 1
    x = model.encoder(torch.from_numpy(ids))[:, None, :]  # (T, 1, D)
    kind = CELLS[model.cell]

    def direction(suffix: str, xs: torch.Tensor) -> torch.Tensor:
        one = kind(rnn.input_size, rnn.hidden_size)
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(one, f"{name}_l0").data.copy_(getattr(rnn, f"{name}_l0{suffix}"))
        out, _ = one(xs)
        return out[-1, 0]  # the state after the last step it read

    parts = [direction("", x)]
    if model.bidirectional:
        tail = x[-1:] if model.pool == "last-output" else x
        parts.append(direction("_reverse", tail.flip(0)))
    return model.fc(torch.cat(parts))


@pytest.mark.parametrize("cell", ["gru", "lstm", "rnn_tanh"])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("pool", ["last-output", "final-states"])
def test_a_padded_batch_gives_each_sentence_its_unpadded_logits(
        cell: str, bidirectional: bool, pool: str) -> None:
    torch.manual_seed(0)
    model = ClassifierModel(cell, 20, 6, 3, embedding=5, bidirectional=bidirectional,
                            pool=pool).eval()
    rng = np.random.default_rng(1)
    sentences = [rng.integers(1, 20, size=n) for n in (1, 7, 3, 12, 5)]
    ex = Examples(sentences, np.zeros(5, dtype=np.int64))
    ids, lengths, _ = batch_tensors(ex, np.arange(5))
    ids[ids == 0] = 7  # padding that is not zero must change nothing either
    with torch.no_grad():
        got = model(ids, lengths)
        for b, s in enumerate(sentences):
            torch.testing.assert_close(got[b], reference_logits(model, s), rtol=1e-5, atol=1e-6)


def test_last_output_and_final_states_differ_only_for_bidirectional_nets() -> None:
    torch.manual_seed(0)
    ids, lengths = torch.randint(0, 9, (6, 2)), torch.tensor([6, 4])
    for bi in (False, True):
        a = ClassifierModel("gru", 9, 4, 2, bidirectional=bi, pool="last-output").eval()
        b = ClassifierModel("gru", 9, 4, 2, bidirectional=bi, pool="final-states").eval()
        b.load_state_dict(a.state_dict())
        same = torch.allclose(a(ids, lengths), b(ids, lengths))
        assert same != bi


def _write(d: Path, split: str, rows: list[tuple[str, str]]) -> None:
    d.mkdir(parents=True, exist_ok=True)
    (d / f"{split}.txt").write_text("".join(f"{lab}\t{s}\n" for lab, s in rows), "utf-8")


def test_reading_labelled_sentences(tmp_path: Path) -> None:
    _write(tmp_path, "train", [("pos", "a b c"), ("neg", "c d"), ("pos", "e")])
    (tmp_path / "train.txt").write_text("pos\ta b c\n\nneg\tc d\npos\te\n", "utf-8")
    _write(tmp_path, "valid", [("neg", "f a")])
    data = load_labeled(tmp_path)
    assert data.classes == ("neg", "pos") and data.test is None
    assert data.vocab.tokens == ("a", "b", "c", "<eos>", "d", "e", "f")
    assert [list(x) for x in data.train.ids] == [[0, 1, 2, 3], [2, 4, 3], [5, 3]]
    assert list(data.train.labels) == [1, 0, 1] and list(data.valid.labels) == [0]


@pytest.mark.parametrize(("train_text", "valid_text", "message"), [
    ("pos a b\n", "pos\tc\n", "train.txt:1: expected 'label<TAB>sentence'"),
    ("pos\ta\nneg\t \n", "pos\tc\n", "train.txt:2: expected"),
    ("pos\ta\npos\tb\n", "pos\tc\n", "at least two labels"),
    ("pos\ta\nneg\tb\n", "maybe\tc\n", "label(s) maybe do not occur in train.txt"),
])
def test_bad_labelled_data(tmp_path: Path, train_text: str, valid_text: str,
                           message: str) -> None:
    (tmp_path / "train.txt").write_text(train_text, "utf-8")
    (tmp_path / "valid.txt").write_text(valid_text, "utf-8")
    with pytest.raises(CorpusError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_labeled(tmp_path)


def order_rows(n: int, seed: int) -> list[tuple[str, str]]:
    """A tiny order task: 'up' when a sentence's two marker words come as 'x ... y', 'down'
    for 'y ... x' (same words either way: an order-blind model is at chance)."""
    rng = np.random.default_rng(seed)
    fill = ["a", "b", "c", "d"]
    rows = []
    for k in range(n):
        words = list(rng.choice(fill, size=int(rng.integers(1, 5))))
        i, j = sorted(rng.choice(len(words) + 1, size=2, replace=False))
        up = k % 2 == 0
        words.insert(i, "x" if up else "y")
        words.insert(j + 1, "y" if up else "x")
        rows.append(("up" if up else "down", " ".join(words)))
    return rows


def order_data(root: Path) -> Path:
    for split, n, seed in (("train", 300, 0), ("valid", 60, 1), ("test", 60, 2)):
        _write(root, split, order_rows(n, seed))
    return root


@pytest.mark.parametrize("bidirectional", [False, True])
def test_training_learns_an_order_task_and_writes_what_torch_computes(
        tmp_path: Path, bidirectional: bool) -> None:
    data = order_data(tmp_path / "data")
    cfg = tiny_config(data, tmp_path, task="classify", cell="gru", hidden=16, embedding=8,
                      bidirectional=bidirectional,
                      pool="final-states" if bidirectional else "last-output",
                      optimizer="adam", lr=0.02, batch=16, epochs=6, dropout=0.0)
    result = train(cfg)
    assert result is not None and result.test_accuracy is not None
    assert result.test_accuracy >= 0.9
    m = native.load(result.out)
    p = m.params
    assert isinstance(p, ClassifierParams) and m.task == "classify"
    assert p.classes == ("down", "up") and p.bidirectional == bidirectional
    assert m.meta["test_accuracy"] == result.test_accuracy
    # the file, loaded into a plain torch module by name, classifies the test split the same way
    model = ClassifierModel("gru", p.vocab_size, 16, 2, embedding=8,
                            bidirectional=bidirectional, pool=p.pool).eval()
    model.load_state_dict(torch_load_file(result.out), strict=True)
    labeled = load_labeled(data)
    assert labeled.test is not None
    with torch.no_grad():
        right = sum(int(reference_logits(model, s).argmax()) == int(y)
                    for s, y in zip(labeled.test.ids, labeled.test.labels, strict=True))
    assert right / len(labeled.test) == pytest.approx(result.test_accuracy)
    np.testing.assert_array_equal(
        to_classifier_params(model, p.classes).net.decoder_w, p.net.decoder_w)


def test_an_interrupted_run_resumes_to_the_same_classifier(tmp_path: Path) -> None:
    data = order_data(tmp_path / "data")
    kw = dict(task="classify", cell="lstm", hidden=8, bidirectional=True,
              pool="last-output", optimizer="adam", lr=0.01, batch=16, epochs=2, dropout=0.3)
    full = train(tiny_config(data, tmp_path / "a", **kw))
    assert full is not None
    assert train(tiny_config(data, tmp_path / "b", stop_after=25, **kw)) is None  # mid-epoch 2
    resumed = train(tiny_config(data, tmp_path / "b", **kw))
    assert resumed is not None and resumed.test_accuracy == full.test_accuracy
    a, b = torch_load_file(full.out), torch_load_file(resumed.out)
    for k in a:
        torch.testing.assert_close(a[k], b[k], rtol=0, atol=0)


def test_evaluate_counts_every_sentence() -> None:
    torch.manual_seed(0)
    model = ClassifierModel("gru", 5, 3, 2).eval()
    ex = Examples([np.array([1, 2]), np.array([3]), np.array([4, 4, 4])], np.array([0, 1, 1]))
    loss, acc = evaluate(model, ex)
    with torch.no_grad():
        logits = torch.stack([reference_logits(model, s) for s in ex.ids])
    want = nn.functional.cross_entropy(logits, torch.from_numpy(ex.labels))
    assert loss == pytest.approx(float(want), rel=1e-5)
    assert acc == pytest.approx(float((logits.argmax(1).numpy() == ex.labels).mean()))


def test_the_numpy_engine_reproduces_the_trainers_accuracy_and_loss(tmp_path: Path) -> None:
    from rnnviz.cli.eval import accuracy_and_loss, class_logits
    from rnnviz.engine.factory import build_engine

    data = order_data(tmp_path / "data")
    result = train(tiny_config(data, tmp_path, task="classify", cell="lstm", hidden=8,
                               bidirectional=True, pool="last-output", optimizer="adam",
                               lr=0.02, batch=16, epochs=2, dropout=0.0))
    assert result is not None and result.test_accuracy is not None
    model = native.load(result.out)
    test = load_labeled(data).test  # each sentence's words then <eos>
    assert test is not None
    acc, loss = accuracy_and_loss(class_logits(build_engine(model.params), test.ids),
                                  test.labels)
    assert acc == result.test_accuracy
    assert loss == pytest.approx(model.meta["test_loss"], rel=1e-4)


def test_rnnviz_eval_reads_a_labelled_file_as_the_trainer_does(tmp_path: Path) -> None:
    from rnnviz.cli.eval import labelled_sentences

    data = order_data(tmp_path / "data")
    result = train(tiny_config(data, tmp_path, task="classify", cell="gru", hidden=4,
                               epochs=1, optimizer="adam", lr=0.01, batch=32))
    assert result is not None
    sents, labels, oov = labelled_sentences(str(data / "test.txt"), native.load(result.out))
    test = load_labeled(data).test
    assert test is not None and oov == 0
    assert len(sents) == len(test) and np.array_equal(labels, test.labels)
    assert all(np.array_equal(a, b) for a, b in zip(sents, test.ids, strict=True))
