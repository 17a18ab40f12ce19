"""Vocabularies and tokenizers: ``ptb`` (PTB conventions), ``words`` (the vocabulary's own
spellings, as word_language_model's data.py splits), and ``char``."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

EOS = "<eos>"
UNK = "<unk>"
TOKENIZERS = ("ptb", "words", "char")
#: Older names still read: native files written before ``words`` existed say ``word``.
TOKENIZER_ALIASES = {"word": "ptb"}


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


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\"}
_ESCAPE = re.compile(r"\\([ntr\\])")


def unescape_token(line: str) -> str:
    """A vocabulary line's token: ``\\n``, ``\\t``, ``\\r`` and ``\\\\`` are escapes (so a
    character vocabulary can list the newline); any other backslash is kept as written."""
    return _ESCAPE.sub(lambda m: _ESCAPES[m.group(1)], line)


def vocab_from_lines(lines: Iterable[str]) -> Vocab:
    """One token per line (a vocabulary file); blank lines are skipped, the line is not stripped
    beyond its newline so that char vocabularies keep ' '; escapes as :func:`unescape_token`."""
    toks = [ln.rstrip("\r\n") for ln in lines]
    return Vocab(tuple(unescape_token(t) for t in toks if t != ""))


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


def normalize_tokenizer(kind: str) -> str:
    """``ptb``, ``words`` or ``char`` (the old name ``word`` is ``ptb``); else VocabError."""
    kind = TOKENIZER_ALIASES.get(kind, kind)
    if kind not in TOKENIZERS:
        raise VocabError(f"unknown tokenizer {kind!r} (expected ptb, words or char)")
    return kind


def tokenize(text: str, vocab: Vocab, kind: str) -> list[Token]:
    """Text -> tokens. ``ptb``: PTB conventions (lower case, numbers and '%' -> N as PTB has
    them, OOV -> <unk>, sentence end -> <eos>, contractions split). ``words``: the vocabulary's
    exact spellings (see :func:`word_pieces`). ``char``: one per character."""
    kind = normalize_tokenizer(kind)
    if kind == "char":
        return _tokenize_chars(text, vocab)
    split = _word_pieces if kind == "ptb" else word_pieces
    unk = vocab.get(UNK)
    out: list[Token] = []
    for raw in text.split():
        for piece in split(raw, vocab):
            i = vocab.get(piece)
            if i is not None:
                out.append(Token(piece, i, piece == UNK and raw.lower() != UNK, raw))
            elif unk is not None:
                out.append(Token(UNK, unk, True, raw))
            else:
                raise VocabError(f"{raw!r} is not in the vocabulary, which has no {UNK}")
    return out


#: wikitext writes separators inside numbers and hyphenated words as their own tokens.
_WIKI_SEPARATORS = {",": "@,@", ".": "@.@", "-": "@-@"}
_INNER_SEPARATOR = re.compile(r"(?<=[^\W_])([,.-])(?=[^\W_])")
_SPECIAL_END = re.compile(r"<\w+>$")
_SPECIAL_START = re.compile(r"^<\w+>")


def word_pieces(raw: str, vocab: Vocab) -> list[str]:
    """Split one whitespace word into the vocabulary's own tokens (``words`` tokenizer).

    A word the vocabulary has is kept as typed. Otherwise punctuation the vocabulary has as
    tokens is split off both ends, a clitic ('s, n't...) the vocabulary has is split off, and
    ``,`` ``.`` ``-`` between letters or digits become wikitext's ``@,@`` ``@.@`` ``@-@`` when
    the vocabulary has them: ``2,000.`` -> ``2 @,@ 000 .``. Pieces left unknown stay as typed
    (the caller reads them as <unk>).
    """
    if raw in vocab:
        return [raw]
    lead, core, trail = _peel(raw.replace("’", "'"), vocab)
    return lead + _core_pieces(core, vocab) + trail


def _peel(word: str, vocab: Vocab) -> tuple[list[str], str, list[str]]:
    """Trailing, then leading punctuation that the vocabulary has, one token per mark (or the
    whole trailing run, such as ``...``, when the vocabulary has it)."""
    lead: list[str] = []
    trail: list[str] = []
    core = word
    run = len(core) - len(core.rstrip("\"”’)]}.,;:!?"))
    if 0 < run < len(core) and core not in vocab and core[-run:] in vocab:
        core, trail = core[:-run], [core[-run:]]
    while (core and core not in vocab and not core[-1].isalnum() and core[-1] in vocab
           and not _SPECIAL_END.search(core)):  # <unk>, <eos> stay whole
        trail.insert(0, core[-1])
        core = core[:-1]
    while (core and core not in vocab and not core[0].isalnum() and core[0] in vocab
           and not _SPECIAL_START.search(core)):
        lead.append(core[0])
        core = core[1:]
    return lead, core, trail


def _core_pieces(core: str, vocab: Vocab) -> list[str]:
    if not core or core in vocab:
        return [core] if core else []
    cuts = [i for i, ch in enumerate(core) if ch == "'"][::-1]  # wikitext: don 't, Chang 'an
    if core.lower().endswith("n't"):
        cuts.append(len(core) - 3)  # PTB-like corpora: do n't
    for i in cuts:
        if i > 0 and core[:i] in vocab and core[i:] in vocab:
            return [core[:i], core[i:]]
    parts = _INNER_SEPARATOR.split(core)
    if len(parts) > 1 and all(_WIKI_SEPARATORS[s] in vocab for s in parts[1::2]):
        return [_WIKI_SEPARATORS.get(p, p) if k % 2 else p for k, p in enumerate(parts)]
    return [core]


def infer_tokenizer(vocab: Vocab) -> tuple[str, str]:
    """(tokenizer, reason) for a vocabulary that came without one.

    ``char`` when every token is one character (besides <unk>/<eos>); ``ptb`` when it has
    ``N`` and <unk> and no ``,``; ``words`` when it has ``,`` or ``.`` or mixed case."""
    special = {UNK, EOS, "N"}
    rest = [t for t in vocab.tokens if t not in special]
    if rest and all(len(t) == 1 for t in rest) and len(vocab) <= 1000:
        return "char", "every token is one character"
    if "N" in vocab and UNK in vocab and "," not in vocab:
        return "ptb", "it has N and <unk> and no ','"
    if "," in vocab or "." in vocab:
        return "words", "it has ',' or '.'"
    if any(t != t.lower() for t in rest):
        return "words", "it has mixed case"
    return "ptb", "it shows no sign of another tokenization"


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


def stream_tokens(text: str, vocab: Vocab) -> list[Token]:
    """Each line's whitespace words, then <eos>, as the book and pytorch/examples read PTB and
    wikitext; a word not in the vocabulary becomes <unk> (VocabError when there is none)."""
    index, unk = vocab.index, vocab.get(UNK)
    out: list[Token] = []
    for line in text.splitlines():
        for w in [*line.split(), EOS]:
            i = index.get(w)
            if i is not None:
                out.append(Token(w, i, False, w))
            elif unk is not None:
                out.append(Token(UNK, unk, True, w))
            else:
                raise VocabError(f"{w!r} is not in the vocabulary, which has no {UNK}")
    return out
