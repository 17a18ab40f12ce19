"""The shipped memory corpus and models_memory (several models, progress, cancel)."""

from __future__ import annotations

import numpy as np
import pytest

from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.vocab import Vocab, read_vocab_file
from rnnviz.engine.bptt import Cancelled
from rnnviz.engine.memory import memory_curves
from rnnviz.engine.network import RNNLM
from rnnviz.engine.params import random_params
from rnnviz.session.memory import DEFAULT_CORPUS, CorpusError, models_memory, stream_ids
from tests.session.test_examples import RESOURCES

WORDS = ("<eos>", "<unk>", *(f"w{i}" for i in range(10)))
TEXT = "\n".join(" ".join(f"w{(i * 7 + j) % 10}" for j in range(i % 5 + 1)) for i in range(40))


def _model(cell: str, seed: int, tokenizer: str = "word") -> LoadedModel:
    vocab = Vocab(WORDS) if tokenizer == "word" else Vocab(tuple(sorted(set(TEXT))))
    p = random_params(cell, len(vocab), 6, layers=2, seed=seed, scale=0.8)
    return LoadedModel(p, vocab, tokenizer, "rnnviz", meta={"name": f"{cell}{seed}"})


def test_shipped_corpus_is_in_the_ptb_vocabulary() -> None:
    vocab = read_vocab_file(RESOURCES / "ptb_vocab.txt")
    text = DEFAULT_CORPUS.read_text(encoding="utf-8")
    words = text.split()
    assert all(w in vocab.index for w in words)
    n_tokens = len(words) + len(text.splitlines())  # each line's words, then <eos>
    assert 3000 <= n_tokens <= 10000


def test_models_memory_equals_each_models_curves() -> None:
    models = [_model("lstm", 1), _model("gru", 2), _model("rnn_tanh", 3, "char")]
    seen: list[tuple[int, float]] = []
    got = models_memory(models, TEXT, 60, 12, lambda k, f: seen.append((k, f)) or True)
    assert [k for k, _ in seen[:1]] == [0] and {k for k, _ in seen} == {0, 1, 2}
    for m, curves in zip(models, got, strict=True):
        ids, _ = stream_ids(TEXT, m, 60)
        assert len(ids) == 60
        want = memory_curves(RNNLM(m.params), ids, 12)
        np.testing.assert_array_equal(curves.h.median, want.h.median)
        np.testing.assert_array_equal(curves.inputs.q75, want.inputs.q75)
    assert got[2].tokens == 60  # the char model reads 60 characters


def test_cancel_and_short_corpus() -> None:
    models = [_model("gru", 2)]
    with pytest.raises(Cancelled):
        models_memory(models, TEXT, 60, 12, lambda k, f: f < 0.5)
    with pytest.raises(CorpusError, match="too few"):
        models_memory(models, "w1 w2", 60, 12)
