"""Where a vocabulary comes from when the model file has none: ``--vocab``, ``--vocab-corpus``,
the bundled PTB list (the book's PTB models), or ``string.printable`` (char-rnn.pytorch)."""

from __future__ import annotations

import json
import string
from collections.abc import Sequence
from pathlib import Path

from rnnviz.checkpoints import safe_pickle
from rnnviz.checkpoints.bundled import resource_path
from rnnviz.checkpoints.errors import CheckpointError
from rnnviz.checkpoints.vocab import Vocab, VocabError, read_vocab_file, vocab_from_corpus

#: The PTB vocabulary in the book's id order (scripts/make_ptb_vocab.py writes it).
PTB_VOCAB_PATH = resource_path("ptb_vocab.txt")
PTB_VOCAB_SIZE = 10000
#: char-rnn.pytorch's vocabulary (helpers.py: ``all_characters = string.printable``).
PRINTABLE = Vocab(tuple(string.printable))


def _book_vocab(obj: object) -> Vocab:
    """The book's ptb.vocab.pkl: a tuple (word_to_id, id_to_word) of dicts."""
    if not (isinstance(obj, tuple) and len(obj) == 2 and all(isinstance(d, dict) for d in obj)):
        raise CheckpointError("a pickled vocabulary must be the book's (word_to_id, id_to_word), "
                              "a list of tokens or a string of characters")
    word_to_id, id_to_word = obj
    n = len(id_to_word)
    if sorted(id_to_word) != list(range(n)) or not all(isinstance(w, str)
                                                       for w in id_to_word.values()):
        raise CheckpointError("id_to_word must map ids 0..n-1 to words")
    tokens = tuple(id_to_word[i] for i in range(n))
    if any(word_to_id.get(w) != i for i, w in enumerate(tokens)) or len(word_to_id) != n:
        raise CheckpointError("word_to_id and id_to_word disagree")
    return Vocab(tokens)


def _pickled_vocab(obj: object) -> Vocab:
    """The book's (word_to_id, id_to_word), a list of tokens, or a string of characters."""
    if isinstance(obj, str):
        return Vocab(tuple(obj))
    if isinstance(obj, list) and all(isinstance(t, str) for t in obj):
        return Vocab(tuple(obj))
    return _book_vocab(obj)


def _json_vocab(path: str) -> Vocab | None:
    """A JSON list of tokens; None when the file is not JSON (a token list starting with '[')."""
    try:
        with open(path, encoding="utf-8") as f:
            obj = json.load(f)
    except json.JSONDecodeError as e:
        if path.lower().endswith(".json"):
            raise CheckpointError(f"not valid JSON ({e})") from None
        return None
    if not (isinstance(obj, list) and all(isinstance(t, str) for t in obj)):
        raise CheckpointError("a JSON vocabulary must be a list of strings")
    return Vocab(tuple(obj))


def read_vocab(path: str | Path) -> Vocab:
    """A vocabulary file: one token a line (UTF-8; ``\\n`` ``\\t`` ``\\r`` ``\\\\`` are
    escapes), a JSON list of tokens, the book's ptb.vocab.pkl, or a pickled list or string."""
    path = str(path)
    try:
        with open(path, "rb") as f:
            head = f.read(64)
        if head[:1] == b"\x80":
            return _pickled_vocab(safe_pickle.load_file(path, safe_pickle.PLAIN,
                                                        "vocabulary pickle"))
        as_json = _json_vocab(path) if head.lstrip()[:1] == b"[" else None
        return as_json or read_vocab_file(path)
    except OSError as e:
        raise CheckpointError(f"cannot read vocabulary {path}: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise CheckpointError(f"vocabulary {path} is neither UTF-8 text nor a pickle") from None
    except (CheckpointError, VocabError) as e:
        raise CheckpointError(f"vocabulary {path}: {e}") from None


def ptb_vocab() -> Vocab:
    """The bundled PTB vocabulary (the book's order)."""
    return read_vocab(PTB_VOCAB_PATH)


def _corpus_vocab(paths: Sequence[str]) -> Vocab:
    try:
        return vocab_from_corpus(paths)
    except OSError as e:
        raise CheckpointError(f"cannot read corpus {e.filename}: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise CheckpointError("a --vocab-corpus file is not UTF-8 text") from None
    except VocabError as e:
        raise CheckpointError(f"--vocab-corpus: {e}") from None


def resolve_vocab(vocab_file: str | None, vocab_corpus: Sequence[str], size: int, *,
                  ptb_default: bool, char_default: bool = False) -> tuple[Vocab, tuple[str, ...]]:
    """The vocabulary the user chose for a model with ``size`` output rows, plus notices.

    ptb_default: with no choice and size == 10,000, use the bundled PTB list (the book's files).
    char_default: with no choice and size == 100, use ``string.printable`` (char-rnn.pytorch).
    """
    notices: tuple[str, ...] = ()
    if vocab_file and vocab_corpus:
        raise CheckpointError("give either --vocab or --vocab-corpus, not both")
    if vocab_file:
        vocab, source = read_vocab(vocab_file), f"--vocab {vocab_file}"
    elif vocab_corpus:
        vocab, source = _corpus_vocab(vocab_corpus), "--vocab-corpus"
    elif ptb_default and size == PTB_VOCAB_SIZE:
        vocab, source = ptb_vocab(), "the bundled PTB vocabulary"
        notices = ("no vocabulary given: using the bundled PTB vocabulary in the book's order "
                   "(pass --vocab or --vocab-corpus for another)",)
    elif char_default and size == len(PRINTABLE):
        vocab, source = PRINTABLE, "string.printable"
        notices = ("no vocabulary given: using string.printable, char-rnn.pytorch's 100 "
                   "characters (pass --vocab for another)",)
    else:
        hint = (" (a char-rnn.pytorch file? --tokenizer char reads it with string.printable)"
                if size == len(PRINTABLE) else "")
        raise CheckpointError(f"the file has no vocabulary ({size} tokens): pass --vocab FILE "
                              "(one token a line) or --vocab-corpus TRAIN [VALID TEST]" + hint)
    if len(vocab) != size:
        raise CheckpointError(f"vocabulary size mismatch: {source} has {len(vocab)} tokens but "
                              f"the model has {size}")
    return vocab, notices


def read_labels(path: str | Path) -> tuple[str, ...]:
    """A labels file: one class name a line in fc's output order (blank lines skipped)."""
    try:
        with open(path, encoding="utf-8") as f:
            names = tuple(line.strip() for line in f if line.strip())
    except OSError as e:
        raise CheckpointError(f"cannot read labels {path}: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise CheckpointError(f"labels {path} is not UTF-8 text") from None
    if not names:
        raise CheckpointError(f"labels {path} names no class")
    return names


def class_names(classes: Sequence[str], labels_file: str | None) -> tuple[str, ...]:
    """The class names the user gave (--classes or --labels FILE), or () for none."""
    if classes and labels_file:
        raise CheckpointError("give either --classes or --labels, not both")
    names = read_labels(labels_file) if labels_file else tuple(c.strip() for c in classes)
    if any(not n for n in names):
        raise CheckpointError("a class name is empty")
    if len(set(names)) != len(names):
        raise CheckpointError(f"class names repeat: {', '.join(names)}")
    return names
