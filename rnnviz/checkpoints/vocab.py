"""Vocabularies and tokenizers: PTB-style words and characters."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

EOS = "<eos>"
UNK = "<unk>"
TOKENIZERS = ("word", "char")


class VocabError(ValueError):
    """A vocabulary that cannot be used."""


@dataclass(frozen=True)
class Vocab:
    """Token list; id = position."""

    tokens: tuple[str, ...]
    index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.tokens:
            raise VocabError("vocabulary is empty")
        index: dict[str, int] = {}
        for i, tok in enumerate(self.tokens):
            if tok in index:
                raise VocabError(f"vocabulary lists {tok!r} twice (ids {index[tok]} and {i})")
            index[tok] = i
        object.__setattr__(self, "index", index)

    def __len__(self) -> int:
        return len(self.tokens)

    def __contains__(self, token: object) -> bool:
        return token in self.index

    def get(self, token: str) -> int | None:
        return self.index.get(token)


@dataclass(frozen=True)
class Token:
    """One token of a tokenized text: the vocabulary's spelling, its id, and whether it was OOV."""

    text: str
    id: int
    oov: bool
    source: str = ""


def vocab_from_lines(lines: Iterable[str]) -> Vocab:
    """One token per line (a vocabulary file); blank lines are skipped, the line is not stripped
    beyond its newline so that char vocabularies keep ' '."""
    toks = [ln.rstrip("\r\n") for ln in lines]
    return Vocab(tuple(t for t in toks if t != ""))


def read_vocab_file(path: str | Path) -> Vocab:
    """Read a one-token-per-line vocabulary file."""
    with open(path, encoding="utf-8") as f:
        return vocab_from_lines(f)


def vocab_from_corpus(paths: Sequence[str | Path]) -> Vocab:
    """First appearance over the files in order, ``<eos>`` after each line
    (pytorch/examples word_language_model and the book's ptb.py give the same order)."""
    seen: dict[str, None] = {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                for w in line.split():
                    seen.setdefault(w, None)
                seen.setdefault(EOS, None)
    return Vocab(tuple(seen))


_CONTRACTIONS = re.compile(r"(?i)^(.+?)(n't|'s|'re|'ve|'m|'ll|'d)$")
_NUMBER = re.compile(r"^[+-]?(\d[\d,]*(\.\d+)?|\.\d+|\d+/\d+)%?$")
_STRIP = "\"“”‘’`()[]{},;:!?"
_SENT_END = re.compile(r"[.!?]+$")


def _word_pieces(raw: str, vocab: Vocab) -> list[str]:
    """Split one whitespace word the PTB way; a trailing sentence-end mark becomes <eos>
    (abbreviations in the vocabulary, such as ``mr.``, keep their period)."""
    if raw in vocab:  # exact spellings first: N, <unk>, <eos>
        return [raw]
    w = raw.lower().replace("’", "'")
    ends = bool(re.search(r"[.!?][\"”’)']*$", w))
    w = w.strip(_STRIP)
    if w in vocab:
        return [w, EOS] if ends and not w.endswith(".") else [w]
    w = _SENT_END.sub("", w).strip(_STRIP)
    pieces: list[str] = []
    if _NUMBER.match(w):
        pieces += ["N", "N"] if w.endswith("%") else ["N"]  # PTB writes '5 %' as 'N N'
    elif w == "%":
        pieces.append("N")
    elif w:
        pieces += _split_contraction(w)
    if ends:
        pieces.append(EOS)
    return pieces


def _split_contraction(w: str) -> list[str]:
    """``don't`` -> do n't, ``can't`` -> ca n't, ``mary's`` -> mary 's."""
    m = _CONTRACTIONS.match(w)
    if not m or m.group(1) in ("", "'"):
        return [w]
    stem, suffix = m.group(1), m.group(2)
    if suffix == "n't":
        stem = {"can": "ca", "won": "wo"}.get(stem, stem)
    return [stem, suffix]


def tokenize(text: str, vocab: Vocab, kind: str) -> list[Token]:
    """Text -> tokens. ``word``: PTB conventions (lower case, numbers and '%' -> N as PTB has
    them, OOV -> <unk>, sentence end -> <eos>, contractions split). ``char``: one per character."""
    if kind == "char":
        return _tokenize_chars(text, vocab)
    if kind != "word":
        raise VocabError(f"unknown tokenizer {kind!r} (expected word or char)")
    unk = vocab.get(UNK)
    out: list[Token] = []
    for raw in text.split():
        for piece in _word_pieces(raw, vocab):
            i = vocab.get(piece)
            if i is not None:
                out.append(Token(piece, i, piece == UNK and raw.lower() != UNK, raw))
            elif unk is not None:
                out.append(Token(UNK, unk, True, raw))
            else:
                raise VocabError(f"{raw!r} is not in the vocabulary, which has no {UNK}")
    return out


def _tokenize_chars(text: str, vocab: Vocab) -> list[Token]:
    fallback = vocab.get(UNK)
    if fallback is None:
        fallback = vocab.index.get(" ", 0)
    out = []
    for ch in text:
        i = vocab.get(ch)
        out.append(Token(ch, fallback, True, ch) if i is None else Token(ch, i, False, ch))
    return out


def ids_to_tokens(ids: Sequence[int], vocab: Vocab) -> list[Token]:
    """Token ids -> tokens; an id outside the vocabulary raises VocabError."""
    out = []
    for i in ids:
        if not 0 <= i < len(vocab):
            raise VocabError(f"token id {i} is outside the vocabulary (0..{len(vocab) - 1})")
        out.append(Token(vocab.tokens[i], int(i), False, vocab.tokens[i]))
    return out
