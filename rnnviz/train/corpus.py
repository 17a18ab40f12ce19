"""Corpus readers for training: word-level (train/valid/test files) and char-level (one file)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from rnnviz.checkpoints.vocab import EOS, Vocab, vocab_from_corpus

IDS = NDArray[np.int64]
SPLITS = ("train", "valid", "test")
VALID_FRACTION = 0.1


class CorpusError(ValueError):
    """Data that cannot be read as a training corpus."""


@dataclass(frozen=True)
class Corpus:
    """Token-id streams: train (N,), valid (M,), test (K,) or None; files maps path -> sha256."""

    vocab: Vocab
    tokenizer: str
    train: IDS
    valid: IDS
    test: IDS | None
    files: dict[str, str] = field(default_factory=dict)


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def split_files(directory: Path) -> dict[str, Path]:
    """``{ptb.,}{train,valid,test}.txt`` in a directory; train and valid are required."""
    found: dict[str, Path] = {}
    for split in SPLITS:
        for name in (f"ptb.{split}.txt", f"{split}.txt"):
            if (directory / name).is_file():
                found[split] = directory / name
                break
    missing = [s for s in ("train", "valid") if s not in found]
    if missing:
        raise CorpusError(f"{directory}: no {' or '.join(missing)} file "
                          "(expected ptb.train.txt/ptb.valid.txt[/ptb.test.txt] or train.txt/...)")
    return found


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise CorpusError(f"cannot read {path}: {e}") from None


def line_words(line: str, reverse: bool = False) -> list[str]:
    """One line as the word stream reads it: its words (reversed for a backward model), then
    ``<eos>``. A backward model thus reads 'c b a <eos>' for 'a b c' and predicts each word's
    predecessor; <eos> stays the line's last token in both directions."""
    words = line.split()
    return [*(words[::-1] if reverse else words), EOS]


def word_ids(text: str, vocab: Vocab, reverse: bool = False) -> IDS:
    """Every line's words plus ``<eos>`` -> ids (N,) (each line's words reversed when
    ``reverse``); unknown words raise."""
    out: list[int] = []
    index = vocab.index
    for line in text.splitlines():
        for w in line_words(line, reverse):
            if w not in index:
                raise CorpusError(f"word {w!r} is not in the vocabulary")
            out.append(index[w])
    return np.asarray(out, dtype=np.int64)


def char_vocab(text: str) -> Vocab:
    """The sorted set of characters."""
    return Vocab(tuple(sorted(set(text))))


def char_ids(text: str, vocab: Vocab) -> IDS:
    """One id per character (N,)."""
    table = np.full(max(map(ord, vocab.tokens)) + 1, -1, dtype=np.int64)
    for i, ch in enumerate(vocab.tokens):
        table[ord(ch)] = i
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    if codes.size and (codes.max() >= table.size or (table[codes] < 0).any()):
        raise CorpusError("text has characters outside the vocabulary")
    return table[codes]


def split_tail(ids: IDS, fraction: float = VALID_FRACTION) -> tuple[IDS, IDS]:
    """First ``1 - fraction`` for training, the last ``fraction`` for validation."""
    cut = int(len(ids) * (1.0 - fraction))
    if cut < 2 or len(ids) - cut < 2:
        raise CorpusError(f"corpus of {len(ids)} tokens is too short to split")
    return ids[:cut], ids[cut:]


def load_corpus(path: str | Path, tokenizer: str | None = None, reverse: bool = False) -> Corpus:
    """A directory is a word corpus with split files; a file is a char corpus split 90/10.

    ``tokenizer`` overrides the default: a directory read as chars, a file read as words.
    ``reverse``: each line's words reversed (a backward language model; word corpora only).
    """
    p = Path(path)
    if reverse and (tokenizer == "char" or (tokenizer is None and p.is_file())):
        raise CorpusError("--reverse reads each line's words backwards: it needs a word corpus "
                          "(a directory, or --tokenizer word)")
    if p.is_dir():
        return _load_dir(p, tokenizer or "word", reverse)
    if p.is_file():
        return _load_file(p, tokenizer or "char", reverse)
    raise CorpusError(f"{path}: no such file or directory")


def _load_dir(directory: Path, tokenizer: str, reverse: bool = False) -> Corpus:
    files = split_files(directory)
    texts = {s: _read_text(f) for s, f in files.items()}
    if tokenizer == "word":
        vocab = vocab_from_corpus([files[s] for s in SPLITS if s in files])
        ids = {s: word_ids(t, vocab, reverse) for s, t in texts.items()}
    else:
        vocab = char_vocab("".join(texts.values()))
        ids = {s: char_ids(t, vocab) for s, t in texts.items()}
    return Corpus(vocab, tokenizer, ids["train"], ids["valid"], ids.get("test"),
                  {str(f): sha256_file(f) for f in files.values()})


def _load_file(path: Path, tokenizer: str, reverse: bool = False) -> Corpus:
    text = _read_text(path)
    if tokenizer == "word":
        vocab = vocab_from_corpus([path])
        ids = word_ids(text, vocab, reverse)
    else:
        vocab = char_vocab(text)
        ids = char_ids(text, vocab)
    train, valid = split_tail(ids)
    return Corpus(vocab, tokenizer, train, valid, None, {str(path): sha256_file(path)})
