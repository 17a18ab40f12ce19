"""Tokenizers: PTB word conventions, characters, and the corpus vocabulary order."""

from __future__ import annotations

from pathlib import Path

import pytest

from rnnviz.checkpoints.vocab import Vocab, VocabError, tokenize, vocab_from_corpus

PTB_WORDS = Vocab(("<eos>", "<unk>", "N", "tom", "was", "in", "his", "home", "mary", "said",
                   "to", "do", "n't", "ca", "'s", "mr.", "go", "fast", "the", "$"))


def texts(tokens: list) -> list[str]:  # type: ignore[type-arg]
    return [t.text for t in tokens]


def test_ptb_conventions() -> None:
    toks = tokenize("Tom was in his home. Mary said HI to Mr. Smith's $ 1,200!", PTB_WORDS,
                    "word")
    assert texts(toks) == ["tom", "was", "in", "his", "home", "<eos>", "mary", "said", "<unk>",
                           "to", "mr.", "<unk>", "'s", "$", "N", "<eos>"]
    assert [t.oov for t in toks] == [False] * 8 + [True] + [False] * 2 + [True] + [False] * 4
    assert toks[8].source == "HI"


def test_contractions_and_numbers() -> None:
    toks = tokenize("I don't; can't go 3.5 \"fast\"? N 5% %", PTB_WORDS, "word")
    assert texts(toks) == ["<unk>", "do", "n't", "ca", "n't", "go", "N", "fast", "<eos>", "N",
                           "N", "N", "N"]
    assert not any(t.oov for t in toks[1:])


def test_a_literal_unk_is_not_oov() -> None:
    assert [t.oov for t in tokenize("<unk> the", PTB_WORDS, "word")] == [False, False]


def test_chars_mark_unknown_characters() -> None:
    v = Vocab(tuple(" abc\n"))
    toks = tokenize("ab z\nc", v, "char")
    assert texts(toks) == ["a", "b", " ", "z", "\n", "c"]
    assert [t.oov for t in toks] == [False, False, False, True, False, False]
    assert toks[3].id == v.index[" "]


def test_word_without_unk_in_vocab_is_an_error() -> None:
    with pytest.raises(VocabError, match="'zebra' is not in the vocabulary"):
        tokenize("zebra", Vocab(("a", "b")), "word")


def test_duplicate_vocab_entries_are_refused() -> None:
    with pytest.raises(VocabError, match="twice"):
        Vocab(("a", "b", "a"))


def test_corpus_vocabulary_is_first_appearance_with_eos(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(" b a \n c b \n")
    (tmp_path / "b.txt").write_text(" d a \n")
    v = vocab_from_corpus([tmp_path / "a.txt", tmp_path / "b.txt"])
    assert v.tokens == ("b", "a", "<eos>", "c", "d")


def test_ptb_order_is_the_books(ptb_dir: Path) -> None:
    """../shared/data/ptb/README.md: aer=0, banknote=1, <eos>=24, <unk>=26, N=27; 10,000."""
    v = vocab_from_corpus([ptb_dir / f"ptb.{s}.txt" for s in ("train", "valid", "test")])
    assert len(v) == 10000
    assert (v.index["aer"], v.index["banknote"], v.index["<eos>"], v.index["<unk>"],
            v.index["N"]) == (0, 1, 24, 26, 27)
