"""Corpus readers: vocabulary order, <eos> per line, the char 90/10 split."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rnnviz.checkpoints.vocab import EOS, vocab_from_corpus
from rnnviz.train.corpus import CorpusError, load_corpus, sha256_file
from tests.conftest import PTB, SHAKESPEARE, need
from tests.train.helpers import write_char_corpus, write_word_corpus


def test_word_directory_ids_follow_lines_and_vocab(tmp_path: Path) -> None:
    root = write_word_corpus(tmp_path / "c", n_train=5, n_eval=2)
    c = load_corpus(root)
    files = [root / f"ptb.{s}.txt" for s in ("train", "valid", "test")]
    assert c.tokenizer == "word"
    assert c.vocab == vocab_from_corpus(files)
    lines = files[0].read_text().splitlines()
    expect = [c.vocab.index[w] for ln in lines for w in [*ln.split(), EOS]]
    assert c.train.tolist() == expect
    assert c.test is not None and len(c.test) == 2 * 6
    assert c.files == {str(f): sha256_file(f) for f in files}


def test_reverse_reads_each_line_backwards_with_eos_last(tmp_path: Path) -> None:
    root = write_word_corpus(tmp_path / "c", n_train=5, n_eval=2)
    fwd, bwd = load_corpus(root), load_corpus(root, reverse=True)
    assert bwd.vocab == fwd.vocab  # the same ids, so forward and backward models share a vocab
    lines = (root / "ptb.train.txt").read_text().splitlines()
    expect = [bwd.vocab.index[w] for ln in lines for w in [*ln.split()[::-1], EOS]]
    assert bwd.train.tolist() == expect
    assert sorted(bwd.train.tolist()) == sorted(fwd.train.tolist())
    assert bwd.train.tolist() != fwd.train.tolist()


def test_reverse_refuses_a_char_corpus(tmp_path: Path) -> None:
    path = write_char_corpus(tmp_path / "t.txt", n_chars=200)
    with pytest.raises(CorpusError, match="word corpus"):
        load_corpus(path, reverse=True)


def test_char_file_splits_last_tenth_for_validation(tmp_path: Path) -> None:
    path = write_char_corpus(tmp_path / "t.txt", n_chars=1001)
    text = path.read_text()
    c = load_corpus(path)
    assert c.tokenizer == "char" and c.test is None
    assert list(c.vocab.tokens) == sorted(set(text))
    decoded = "".join(c.vocab.tokens[i] for i in np.concatenate([c.train, c.valid]))
    assert decoded == text
    assert len(c.train) == int(1001 * 0.9) and len(c.valid) == 1001 - int(1001 * 0.9)


def test_missing_valid_file_is_a_corpus_error(tmp_path: Path) -> None:
    (tmp_path / "ptb.train.txt").write_text(" a b \n")
    with pytest.raises(CorpusError, match="valid"):
        load_corpus(tmp_path)
    with pytest.raises(CorpusError, match="no such file"):
        load_corpus(tmp_path / "absent")


def test_ptb_counts_match_its_readme() -> None:
    c = load_corpus(need(PTB / "ptb.train.txt").parent)
    assert len(c.vocab) == 10_000
    assert (len(c.train), len(c.valid)) == (929_589, 73_760)
    assert c.test is not None and len(c.test) == 82_430


def test_shakespeare_has_65_characters() -> None:
    c = load_corpus(need(SHAKESPEARE))
    assert len(c.vocab) == 65
    assert len(c.train) + len(c.valid) == 1_115_394
