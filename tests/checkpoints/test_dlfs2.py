"""The book's pickles: layout conversion checked against the book's own layer equations."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from rnnviz.checkpoints.errors import CheckpointError
from rnnviz.checkpoints.loader import VocabOptions, load_model
from rnnviz.checkpoints.vocab_sources import PTB_VOCAB_PATH, ptb_vocab
from tests.checkpoints.helpers import book_forward, book_params, engine_steps, save_book
from tests.conftest import PTB, need

IDS = [3, 0, 7, 7, 12, 28, 1, 5]


def _vocab(path: Path, n: int) -> str:
    path.write_text("".join(f"t{i}\n" for i in range(n)))
    return str(path)


@pytest.mark.parametrize(("kind", "cell", "layers"), [
    ("SimpleRnnlm", "rnn_tanh", 1), ("Rnnlm", "lstm", 1), ("BetterRnnlm", "lstm", 2)])
def test_book_models_match_book_equations(tmp_path: Path, kind: str, cell: str,
                                          layers: int) -> None:
    params = book_params(kind)
    path = save_book(params, tmp_path / f"{kind}.pkl")
    model = load_model(path, VocabOptions(vocab_file=_vocab(tmp_path / "v.txt", 29)))
    assert model.format == "dlfs2"
    assert (model.params.cell, model.params.num_layers) == (cell, layers)
    assert model.meta["source_class"] == kind
    assert model.params.tied == (kind == "BetterRnnlm")
    ref_p, ref_h = book_forward(params, IDS)
    probs, hs = engine_steps(model.params, IDS)
    np.testing.assert_allclose(probs, ref_p, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(hs, ref_h, rtol=1e-4, atol=1e-5)


def test_float16_to_float32_is_exact(tmp_path: Path) -> None:
    params = book_params("SimpleRnnlm")
    model = load_model(save_book(params, tmp_path / "s.pkl"),
                       VocabOptions(vocab_file=_vocab(tmp_path / "v.txt", 29)))
    assert model.params.embedding.dtype == np.float32
    assert np.array_equal(model.params.embedding, params[0].astype(np.float32))
    assert np.array_equal(model.params.layers[0].w_ih, params[1].T.astype(np.float32))
    assert np.array_equal(model.params.decoder_w, params[4].T.astype(np.float32))
    assert not model.params.layers[0].b_hh.any()


def test_lstm_gate_blocks_reordered(tmp_path: Path) -> None:
    params = book_params("Rnnlm")
    model = load_model(save_book(params, tmp_path / "r.pkl"),
                       VocabOptions(vocab_file=_vocab(tmp_path / "v.txt", 29)))
    h = 5
    f, g, i, o = (params[3][k * h:(k + 1) * h].astype(np.float32) for k in range(4))
    assert np.array_equal(model.params.layers[0].b_ih, np.concatenate([i, f, g, o]))


def test_ptb_default_vocabulary_with_notice(tmp_path: Path) -> None:
    params = book_params("SimpleRnnlm", v=10000, d=3, h=3)
    model = load_model(save_book(params, tmp_path / "s.pkl"))
    assert model.vocab == ptb_vocab()
    assert any("bundled PTB vocabulary" in n for n in model.notices)
    assert model.vocab.tokens[:2] == ("aer", "banknote")
    assert model.vocab.get("<eos>") == 24 and model.vocab.get("<unk>") == 26


def test_bundled_vocabulary_is_the_books_order() -> None:
    train = need(PTB / "ptb.train.txt")
    from rnnviz.checkpoints.vocab import vocab_from_corpus
    assert vocab_from_corpus([train]).tokens == ptb_vocab().tokens
    assert len(PTB_VOCAB_PATH.read_text(encoding="utf-8").splitlines()) == 10000


def test_books_vocab_pickle(tmp_path: Path) -> None:
    words = [f"t{i}" for i in range(29)]
    vpath = tmp_path / "ptb.vocab.pkl"
    with open(vpath, "wb") as f:
        pickle.dump(({w: i for i, w in enumerate(words)}, dict(enumerate(words))), f)
    model = load_model(save_book(book_params("Rnnlm"), tmp_path / "r.pkl"),
                       VocabOptions(vocab_file=str(vpath)))
    assert model.vocab.tokens == tuple(words)


def test_vocab_corpus(tmp_path: Path) -> None:
    corpus = tmp_path / "c.txt"
    corpus.write_text(" ".join(f"t{i}" for i in range(28)) + "\n")
    model = load_model(save_book(book_params("Rnnlm"), tmp_path / "r.pkl"),
                       VocabOptions(vocab_corpus=(str(corpus),)))
    assert model.vocab.tokens[-1] == "<eos>" and len(model.vocab) == 29


def test_vocab_size_mismatch_and_missing(tmp_path: Path) -> None:
    path = save_book(book_params("Rnnlm"), tmp_path / "r.pkl")
    with pytest.raises(CheckpointError, match="has 30 tokens but the model has 29"):
        load_model(path, VocabOptions(vocab_file=_vocab(tmp_path / "v.txt", 30)))
    with pytest.raises(CheckpointError, match="--vocab"):
        load_model(path)


@pytest.mark.parametrize("obj", [
    [np.zeros((3, 3), np.float16)] * 5,
    {"a": 1},
    [np.zeros(3, np.int32)] * 6,
    [np.zeros((4, 2), np.float16), np.zeros((2, 3), np.float16), np.zeros((2, 8), np.float16),
     np.zeros(8, np.float16), np.zeros((2, 4), np.float16), np.zeros(4, np.float16)],
])
def test_not_a_book_model(tmp_path: Path, obj: object) -> None:
    path = tmp_path / "x.pkl"
    path.write_bytes(pickle.dumps(obj))
    with pytest.raises(CheckpointError):
        load_model(path, VocabOptions(vocab_file=_vocab(tmp_path / "v.txt", 4)))


def test_real_rnnlm_matches_book_equations(book_rnnlm: Path) -> None:
    with open(book_rnnlm, "rb") as f:
        raw = pickle.load(f)  # test data of known provenance (README sha256)
    model = load_model(book_rnnlm)
    ids = [model.vocab.index[w] for w in ["the", "company", "said", "<unk>", "N", "shares"]]
    ref_p, ref_h = book_forward(raw, ids)
    probs, hs = engine_steps(model.params, ids)
    np.testing.assert_allclose(probs, ref_p, rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(hs, ref_h, atol=1e-5)
