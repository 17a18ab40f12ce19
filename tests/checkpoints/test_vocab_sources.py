"""Vocabulary sources for files without one: --vocab (text or the book's pickle), --vocab-corpus."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from rnnviz.checkpoints.errors import CheckpointError
from rnnviz.checkpoints.vocab_sources import read_vocab, resolve_vocab


def test_text_and_book_pickle_agree(tmp_path: Path) -> None:
    words = ["aer", "banknote", "<eos>"]
    (tmp_path / "v.txt").write_text("\n".join(words) + "\n")
    with open(tmp_path / "v.pkl", "wb") as f:
        pickle.dump(({w: i for i, w in enumerate(words)}, dict(enumerate(words))), f)
    assert read_vocab(tmp_path / "v.txt") == read_vocab(tmp_path / "v.pkl")


@pytest.mark.parametrize(("data", "match"), [
    (b"\xff\xfe\x00bad", "neither UTF-8"),
    (pickle.dumps({"a": 0}), "word_to_id, id_to_word"),  # a list of tokens is now read
    (pickle.dumps(["a", 1]), "word_to_id, id_to_word"),
    (pickle.dumps(({"a": 0}, {0: "b"})), "disagree"),
    (pickle.dumps(({"a": 0}, {1: "a"})), "ids 0..n-1"),
    (b"a\na\n", "twice"),
    (b"\x80\x03", "corrupt"),
])
def test_bad_vocab_files(tmp_path: Path, data: bytes, match: str) -> None:
    (tmp_path / "v").write_bytes(data)
    with pytest.raises(CheckpointError, match=match):
        read_vocab(tmp_path / "v")


def test_choices(tmp_path: Path) -> None:
    (tmp_path / "v.txt").write_text("a\nb\n")
    with pytest.raises(CheckpointError, match="not both"):
        resolve_vocab(str(tmp_path / "v.txt"), (str(tmp_path / "v.txt"),), 2, ptb_default=False)
    with pytest.raises(CheckpointError, match="cannot read"):
        resolve_vocab(str(tmp_path / "nope"), (), 2, ptb_default=False)
    with pytest.raises(CheckpointError, match="cannot read corpus"):
        resolve_vocab(None, (str(tmp_path / "nope"),), 2, ptb_default=False)
    vocab, notes = resolve_vocab(str(tmp_path / "v.txt"), (), 2, ptb_default=True)
    assert vocab.tokens == ("a", "b") and notes == ()
