"""``rnnviz analyze``, ``eval`` and ``inspect`` on the other systems: backward language models,
bidirectional files, classifiers and CBOW; every number checked against torch."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch

from rnnviz.checkpoints import native
from rnnviz.checkpoints.loader import VocabOptions, load_model
from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.vocab import Vocab
from rnnviz.cli import main
from rnnviz.engine.cbow_params import random_cbow
from rnnviz.engine.params import random_params
from rnnviz.session.analysis import analyze
from tests.checkpoints.kinds_torch import init, save, user_module, write_lines
from tests.engine.test_cbow import torch_reference
from tests.engine.torch_ref import reference, torch_forward_logits

TOL = {"rtol": 1e-5, "atol": 1e-5}
WORDS = ("<eos>", "<unk>", "the", "dog", "bit", "man", "a", "cat", "saw", "ran")


def _json(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict:
    assert main(args) == 0
    return json.loads(capsys.readouterr().out)


def _nan(rows: list) -> np.ndarray:
    return np.array([[np.nan if x is None else x for x in r] for r in rows], float)


# --- backward language models ----------------------------------------------------------------

@pytest.fixture
def backward(tmp_path: Path) -> tuple[Path, object]:
    p = random_params("lstm", len(WORDS), 6, layers=2, seed=5, scale=0.8)
    path = tmp_path / "back.safetensors"
    native.save(path, p, Vocab(WORDS), "word", {"direction": "backward"})
    return path, p


def test_backward_eval_reads_each_line_reversed(tmp_path: Path, backward: tuple,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    path, p = backward
    lines = ["the dog bit the man", "a cat saw the dog ran", "the man ran"]
    data = write_lines(tmp_path / "corpus.txt", lines)
    index = {w: i for i, w in enumerate(WORDS)}
    ids = [index[w] for ln in lines for w in [*ln.split()[::-1], "<eos>"]]
    logits = torch_forward_logits(p, ids).astype(np.float64)  # torch reads the reversed stream
    logp = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    want = math.exp(-np.mean([logp[t, ids[t + 1]] for t in range(len(ids) - 1)]))
    assert main(["eval", str(path), "--data", str(data), "--batch", "1", "--json", "-"]) == 0
    got = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert got["tokens"] == len(ids) - 1
    assert got["perplexity"] == pytest.approx(want, rel=1e-5)
    forward_ids = [index[w] for ln in lines for w in [*ln.split(), "<eos>"]]
    fl = torch_forward_logits(p, forward_ids).astype(np.float64)
    flp = fl - np.log(np.exp(fl).sum(1, keepdims=True))
    read_forward = math.exp(-np.mean([flp[t, forward_ids[t + 1]]
                                      for t in range(len(ids) - 1)]))
    assert abs(read_forward - want) > 1e-3  # reading the other way would give another figure


def test_backward_analyze_steps_right_to_left(backward: tuple,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    path, p = backward
    doc = _json(["analyze", str(path), "--text", "the dog bit the man", "--top-k", "3"], capsys)
    assert doc["direction"] == "backward" and doc["model"]["direction"] == "backward"
    assert doc["tokens"] == ["the", "dog", "bit", "the", "man"]  # text order
    assert doc["reading_order"] == [4, 3, 2, 1, 0]
    assert [s["position"] for s in doc["steps"]] == [4, 3, 2, 1, 0]
    read = [doc["token_ids"][i] for i in doc["reading_order"]]
    targets = [*read[1:], doc["steps"][-1]["target_id"]]
    ref = reference(p, read, targets)
    for t, step in enumerate(doc["steps"]):
        np.testing.assert_allclose(step["hidden"], ref.h[:, t], **TOL)
    np.testing.assert_allclose(_nan(doc["input_grad_norms"]), ref.grad_in, **TOL)
    assert doc["steps"][0]["target_id"] == WORDS.index("the")  # 'man' predicts the word before


def test_what_if_refused_on_a_backward_model(backward: tuple,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(backward[0]), "--text", "the dog", "--ablate", "0:1"]) == 2
    assert "backward language model" in capsys.readouterr().err


def test_generate_with_a_backward_model_writes_before_the_prompt(
        backward: tuple, capsys: pytest.CaptureFixture[str]) -> None:
    """Greedy: torch reads the prompt reversed, then each step feeds its own argmax back; the
    words come out in the order written and go before the prompt in the text."""
    path, p = backward
    doc = _json(["generate", str(path), "--prompt", "the dog bit", "--tokens", "4", "--json", "-"],
                capsys)
    assert doc["direction"] == "backward"
    index = {w: i for i, w in enumerate(WORDS)}
    ids = [index[w] for w in ("bit", "dog", "the")]
    want = []
    for _ in range(4):
        nxt = int(np.argmax(torch_forward_logits(p, ids)[-1]))
        want.append(nxt)
        ids.append(nxt)
    assert doc["token_ids"] == want
    words = [WORDS[i] for i in want]
    assert doc["text"] == " ".join([*words[::-1], "the", "dog", "bit"])


# --- classifiers -----------------------------------------------------------------------------

@pytest.fixture
def classifier(tmp_path: Path) -> tuple[Path, torch.nn.Module, Path]:
    mod = user_module(tmp_path)
    net = init(mod.TextClassifier(len(WORDS), 4, 5, 2, "GRU", 1, False),  # type: ignore
               seed=11)
    path = save(net, tmp_path / "clf.pt", whole=False)
    return path, net, write_lines(tmp_path / "vocab.txt", list(WORDS))


def _torch_class_probs(net: torch.nn.Module, ids: list[int]) -> np.ndarray:
    with torch.no_grad():
        return torch.softmax(net(torch.tensor([ids]))[0], -1).numpy()


def test_classifier_inspect(classifier: tuple, capsys: pytest.CaptureFixture[str]) -> None:
    path, _, vocab = classifier
    assert main(["inspect", str(path), "--vocab", str(vocab), "--classes", "real,shuffled"]) == 0
    out = capsys.readouterr().out
    assert "kind:        many-to-one classifier" in out
    assert "classes:     2: real, shuffled" in out and "pool:        last-output" in out


def test_classifier_analyze_class_probs_per_prefix(classifier: tuple,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path, net, vocab = classifier
    text = "the dog bit the man"
    doc = _json(["analyze", str(path), "--vocab", str(vocab), "--classes", "real,shuffled",
                 "--text", text], capsys)
    assert doc["classes"] == ["real", "shuffled"] and doc["direction"] == "forward"
    ids = doc["token_ids"]
    for t, step in enumerate(doc["steps"]):
        want = _torch_class_probs(net, ids[:t + 1])  # the text as if it ended at step t
        np.testing.assert_allclose(step["class_probs"], want, **TOL)
        assert step["top_k"][0]["class"] == ["real", "shuffled"][int(np.argmax(want))]


def test_classifier_eval_accuracy_and_loss(tmp_path: Path, classifier: tuple,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    path, net, vocab = classifier
    rows = [("real", "the dog bit the man"), ("shuffled", "man the bit dog the"),
            ("1", "a cat ran"), ("0", "the cat saw a dog"), ("real", "ran"),
            ("shuffled", "saw the zebra")]
    data = tmp_path / "labelled.txt"
    data.write_text("".join(f"{lab}\t{s}\n" for lab, s in rows) + "\n")
    index = {w: i for i, w in enumerate(WORDS)}
    labels = [{"real": 0, "shuffled": 1, "0": 0, "1": 1}[lab] for lab, _ in rows]
    # each sentence read as rnnviz train --task classify reads it: its words, then <eos>
    probs = [_torch_class_probs(net, [index.get(w, 1) for w in [*s.split(), "<eos>"]])
             for _, s in rows]
    acc = np.mean([np.argmax(p) == y for p, y in zip(probs, labels, strict=True)])
    loss = -np.mean([np.log(p[y]) for p, y in zip(probs, labels, strict=True)])
    assert main(["eval", str(path), "--vocab", str(vocab), "--classes", "real,shuffled",
                 "--data", str(data), "--json", "-"]) == 0
    out = capsys.readouterr().out
    got = json.loads(out.split("\n", 1)[1])
    assert got["sentences"] == 6 and got["label_counts"] == [3, 3]
    assert got["accuracy"] == pytest.approx(acc) and got["loss"] == pytest.approx(loss, rel=1e-5)


def test_classifier_eval_bad_label_is_one_line(tmp_path: Path, classifier: tuple,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path, _, vocab = classifier
    data = tmp_path / "bad.txt"
    data.write_text("real\tthe dog\npositive\tthe man\n")
    assert main(["eval", str(path), "--vocab", str(vocab), "--classes", "real,shuffled",
                 "--data", str(data)]) == 2
    errors = [ln for ln in capsys.readouterr().err.splitlines() if "error" in ln]
    assert len(errors) == 1 and "bad.txt:2: label 'positive'" in errors[0]


# --- bidirectional language models -------------------------------------------------------------

def test_bidirectional_analyze_labels_layers(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    mod = user_module(tmp_path)
    net = init(mod.BiRNNModel("LSTM", len(WORDS), 4, 5, 2), seed=3)  # type: ignore
    path = save(net, tmp_path / "bilm.pt", whole=False)
    vocab = write_lines(tmp_path / "vocab.txt", list(WORDS))
    doc = _json(["analyze", str(path), "--vocab", str(vocab), "--text", "the dog bit the man",
                 "--top-k", "2"], capsys)
    assert doc["model"]["kind"] == "bidirectional" and len(doc["layer_labels"]) == 4
    assert doc["layer_labels"][0] != doc["layer_labels"][1]
    with torch.no_grad():
        logits = net(torch.tensor(doc["token_ids"])[:, None])[:, 0]
        probs = torch.softmax(logits, -1).numpy()
    for t, step in enumerate(doc["steps"]):
        assert step["top_k"][0]["id"] == int(np.argmax(probs[t]))
        np.testing.assert_allclose(step["top_k"][0]["prob"], probs[t].max(), **TOL)


# --- CBOW ------------------------------------------------------------------------------------

def test_cbow_analysis_json(capsys: pytest.CaptureFixture[str]) -> None:
    p = random_cbow(len(WORDS), 5, 3, seed=8)
    model = LoadedModel(p, Vocab(WORDS), "words", "rnnviz", "cbow.safetensors")
    tokens = model.tokenize("the dog bit the man")
    doc = analyze(model, tokens, top_k=3).to_dict()
    assert doc["model"]["kind"] == "cbow" and doc["model"]["window"] == 3
    assert doc["layer_labels"] == ["window mean"] and doc["classes"] is None
    ids = [t.id for t in tokens]
    targets = np.array([*ids[1:], doc["steps"][-1]["target_id"]])
    logits, h, grad_h, grad_in = torch_reference(p, ids, targets, None)
    probs = np.exp(logits - logits.max(1, keepdims=True))
    probs /= probs.sum(1, keepdims=True)
    for t, step in enumerate(doc["steps"]):
        np.testing.assert_allclose(step["hidden"][0], h[t], **TOL)
        np.testing.assert_allclose([k["prob"] for k in step["top_k"]],
                                   np.sort(probs[t])[::-1][:3], **TOL)
    np.testing.assert_allclose(_nan(doc["grad_norms"][0]), grad_h, **TOL)
    np.testing.assert_allclose(_nan(doc["input_grad_norms"]), grad_in, **TOL)
    assert [int(np.sum(np.nan_to_num(r) > 0)) for r in _nan(doc["input_grad_norms"])] == \
        [1, 2, 3, 3, 3]


def test_one_hot_classifier_without_vocab_is_one_line(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    mod = user_module(tmp_path)
    net = init(mod.SampleRNN(5, 4, 2), seed=1)  # type: ignore
    path = save(net, tmp_path / "sample.pt", whole=True)
    assert main(["analyze", str(path), "--text", "a b"]) == 2
    errors = [ln for ln in capsys.readouterr().err.splitlines() if "error" in ln]
    assert len(errors) == 1 and "one-hot vectors of size 5" in errors[0]
    loaded = load_model(path, VocabOptions(vocab_file=str(write_lines(tmp_path / "v.txt",
                                                                      list("abcde")))))
    assert loaded.kind == "classifier" and loaded.classes == ("class 0", "class 1")


def test_cbow_perplexity_carries_the_window_across_bptt_windows() -> None:
    from rnnviz.cli.eval import perplexity

    p = random_cbow(len(WORDS), 5, 4, seed=2)
    model = LoadedModel(p, Vocab(WORDS), "words", "rnnviz", "cbow.safetensors")
    ids = np.random.default_rng(1).integers(0, len(WORDS), 23)
    logits, _, _, _ = torch_reference(p, [int(i) for i in ids], np.zeros(23, np.int64), None)
    logp = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    want = math.exp(-np.mean([logp[t, ids[t + 1]] for t in range(22)]))
    for bptt in (3, 5, 35):  # windows of 3 and 5 steps must read the window across their edge
        ppl, count = perplexity(model, ids, 1, bptt)
        assert count == 22 and ppl == pytest.approx(want, rel=1e-5)


def test_api_load_with_classes_and_backward_analysis(tmp_path: Path, classifier: tuple,
                                                     backward: tuple) -> None:
    import rnnviz

    path, _, vocab = classifier
    labels = write_lines(tmp_path / "labels.txt", ["real", "shuffled"])
    m = rnnviz.load(path, vocab=str(vocab), labels=str(labels))
    assert (m.kind, m.classes, m.direction) == ("classifier", ("real", "shuffled"), "forward")
    b = rnnviz.load(backward[0])
    r = b.analyze("the dog bit")
    assert b.direction == "backward" and r.direction == "backward"
    assert list(r.reading_order) == [2, 1, 0] and r.tokens == ["the", "dog", "bit"]
    assert r.hidden.shape == (2, 3, 6)
    np.testing.assert_allclose(r.hidden[:, 0], b.engine().run([WORDS.index("bit")])[0].h, **TOL)


def test_cbow_file_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = random_cbow(len(WORDS), 5, 5, seed=8)
    path = tmp_path / "cbow.safetensors"
    native.save(path, p, Vocab(WORDS), "word")
    a = _json(["analyze", str(path), "--text", "the man bit the dog", "--top-k", "3"], capsys)
    b = _json(["analyze", str(path), "--text", "the dog bit the man", "--top-k", "3"], capsys)
    assert a["model"]["kind"] == "cbow" and a["layer_labels"] == ["window mean"]

    def bars(doc: dict, t: int) -> list[tuple[int, float]]:
        return [(k["id"], k["prob"]) for k in doc["steps"][t]["top_k"]]

    # after 5 words the window holds the same words in another order: the same bars
    assert [i for i, _ in bars(a, 4)] == [i for i, _ in bars(b, 4)]
    np.testing.assert_allclose([q for _, q in bars(a, 4)], [q for _, q in bars(b, 4)], atol=1e-6)
    assert np.abs(np.array(bars(a, 1)) - np.array(bars(b, 1))).max() > 1e-4  # man vs dog
    assert main(["memory", str(path), "--data", str(write_lines(tmp_path / "c.txt",
                                                                ["the dog"] * 50))]) == 2
    errors = [ln for ln in capsys.readouterr().err.splitlines() if "error" in ln]
    assert len(errors) == 1 and "CBOW" in errors[0]


def test_backward_prime_is_the_text_that_follows(backward: tuple) -> None:
    import rnnviz

    b = rnnviz.load(backward[0])
    r = b.analyze("the dog", prime="bit the man")
    ix = {w: i for i, w in enumerate(WORDS)}
    stream = [ix[w] for w in ["man", "the", "bit", "dog", "the"]]  # right to left
    want = b.engine().run(stream)
    for i in range(2):
        np.testing.assert_allclose(r.hidden[:, i], want[3 + i].h, **TOL)
        np.testing.assert_allclose(r.probs[i], want[3 + i].probs, **TOL)
