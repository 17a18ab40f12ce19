"""``rnnviz train --cell cbow``: the torch model computes CbowParams' definition, carried across
windows, and the perplexity the trainer stores is the one that definition gives."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch

from rnnviz.checkpoints import native
from rnnviz.engine.cbow_params import CbowParams
from rnnviz.train.cbow_model import CbowModel, to_cbow_params
from rnnviz.train.corpus import load_corpus
from rnnviz.train.evaluate import book_streams, fit_batch, mean_nll
from rnnviz.train.trainer import TrainError, train
from tests.train.helpers import tiny_config, write_word_corpus


def brute_logits(p: CbowParams, text: np.ndarray) -> np.ndarray:
    """Definition, one step at a time: logits_t from the mean of embeddings t-N+1..t (T, V)."""
    out = []
    for t in range(len(text)):
        window = text[max(0, t - p.window + 1):t + 1]
        h = p.embedding[window].astype(np.float64).mean(0)
        out.append(p.decoder_w.astype(np.float64) @ h + p.decoder_b)
    return np.asarray(out)


def brute_book_nll(p: CbowParams, ids: np.ndarray, batch: int, bptt: int) -> float:
    """The book protocol's mean NLL with each row read as one text from its first token."""
    xs, ts = book_streams(ids, batch, bptt)
    total = 0.0
    for b in range(batch):
        logits = brute_logits(p, xs[:, b])
        top = logits.max(1, keepdims=True)
        lse = (top + np.log(np.exp(logits - top).sum(1, keepdims=True)))[:, 0]
        total += float((lse - logits[np.arange(len(ts)), ts[:, b]]).sum())
    return total / xs.size


@pytest.mark.parametrize("window", [2, 5, 10])
def test_windows_carried_across_calls_match_the_definition(window: int) -> None:
    torch.manual_seed(0)
    model = CbowModel(13, 6, window).eval()
    text = torch.randint(0, 13, (23, 2))
    state = model.init_hidden(2)
    pieces = []
    for i in range(0, 23, 4):  # uneven windows, some shorter than N - 1
        logits, state = model(text[i:i + 4], state)
        pieces.append(logits)
    got = torch.cat(pieces).detach().numpy()
    p = to_cbow_params(model)
    for b in range(2):
        np.testing.assert_allclose(got[:, b], brute_logits(p, text[:, b].numpy()), atol=1e-5)


def test_training_reduces_loss_and_records_the_definitions_perplexity(tmp_path: Path) -> None:
    data = write_word_corpus(tmp_path / "corpus")
    cfg = tiny_config(data, tmp_path, cell="cbow", window=3, hidden=12,
                      optimizer="adam", lr=0.05, epochs=4, dropout=0.0)
    result = train(cfg)
    assert result is not None and result.test_ppl is not None
    m = native.load(result.out)
    p = m.params
    assert isinstance(p, CbowParams) and p.window == 3 and not p.tied
    corpus = load_corpus(data)
    assert corpus.test is not None
    nll = brute_book_nll(p, corpus.test, fit_batch(len(corpus.test)), 35)
    assert math.exp(nll) == pytest.approx(result.test_ppl, rel=1e-4)
    assert m.meta["test_ppl"] == pytest.approx(result.test_ppl, rel=1e-12)
    history = m.meta["history"]
    assert history[-1]["valid_loss"] < history[0]["valid_loss"]
    # the cyclic corpus: a window of 3 words pins the next word down, far below uniform (V = 8)
    assert result.test_ppl < 2.0


def test_book_nll_of_an_untrained_model_matches_the_definition() -> None:
    torch.manual_seed(1)
    model = CbowModel(17, 5, 4)
    ids = np.random.default_rng(0).integers(0, 17, size=400)
    got = mean_nll(model, ids, 3, 7)  # type: ignore[arg-type]
    assert got == pytest.approx(brute_book_nll(to_cbow_params(model), ids, 3, 7), rel=1e-5)


def test_cbow_needs_a_window(tmp_path: Path) -> None:
    data = write_word_corpus(tmp_path / "corpus")
    with pytest.raises(TrainError, match="needs --window"):
        train(tiny_config(data, tmp_path, cell="cbow"))
    with pytest.raises(TrainError, match="--window is for --cell cbow"):
        train(tiny_config(data, tmp_path, window=3))


def test_rnnviz_eval_on_the_numpy_engine_reproduces_the_trainers_perplexity(
        tmp_path: Path) -> None:
    from rnnviz.cli.eval import corpus_ids, perplexity

    data = write_word_corpus(tmp_path / "corpus")
    result = train(tiny_config(data, tmp_path, cell="cbow", window=4, hidden=10,
                               optimizer="adam", lr=0.05, epochs=2, dropout=0.0))
    assert result is not None and result.test_ppl is not None
    model = native.load(result.out)
    ids, _ = corpus_ids(str(data / "ptb.test.txt"), model)
    ppl, _ = perplexity(model, ids, 10, 35)
    assert ppl == pytest.approx(result.test_ppl, rel=1e-5)


def test_an_interrupted_cbow_run_resumes_to_the_same_model(tmp_path: Path) -> None:
    from dataclasses import replace

    from safetensors.numpy import load_file

    data = write_word_corpus(tmp_path / "corpus")
    kw = dict(cell="cbow", window=4, hidden=8, optimizer="adam", lr=0.01, dropout=0.3)
    straight = train(tiny_config(data, tmp_path / "a", **kw))
    assert straight is not None
    cfg = tiny_config(data, tmp_path / "b", **kw)
    assert train(replace(cfg, stop_after=5)) is None  # mid-epoch: the carried window is saved
    resumed = train(cfg)
    assert resumed is not None
    a, b = load_file(straight.out), load_file(resumed.out)
    assert sorted(a) == sorted(b) and all(np.array_equal(a[k], b[k]) for k in a)
    assert resumed.test_ppl == straight.test_ppl
