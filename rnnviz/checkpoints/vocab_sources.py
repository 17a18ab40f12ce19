"""Where a vocabulary comes from when the model file has none: ``--vocab``, ``--vocab-corpus``,
or (for the book's PTB models) the bundled PTB list."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rnnviz.checkpoints import safe_pickle
from rnnviz.checkpoints.errors import CheckpointError
from rnnviz.checkpoints.vocab import Vocab, VocabError, read_vocab_file, vocab_from_corpus

#: The PTB vocabulary in the book's id order (scripts/make_ptb_vocab.py writes it).
PTB_VOCAB_PATH = Path(__file__).resolve().parents[2] / "resources" / "ptb_vocab.txt"
PTB_VOCAB_SIZE = 10000


def _book_vocab(obj: object) -> Vocab:
    """The book's ptb.vocab.pkl: a tuple (word_to_id, id_to_word) of dicts."""
    if not (isinstance(obj, tuple) and len(obj) == 2 and all(isinstance(d, dict) for d in obj)):
        raise CheckpointError("a pickled vocabulary must be the book's (word_to_id, id_to_word)")
    word_to_id, id_to_word = obj
    n = len(id_to_word)
    if sorted(id_to_word) != list(range(n)) or not all(isinstance(w, str)
                                                       for w in id_to_word.values()):
        raise CheckpointError("id_to_word must map ids 0..n-1 to words")
    tokens = tuple(id_to_word[i] for i in range(n))
    if any(word_to_id.get(w) != i for i, w in enumerate(tokens)) or len(word_to_id) != n:
        raise CheckpointError("word_to_id and id_to_word disagree")
    return Vocab(tokens)


def read_vocab(path: str | Path) -> Vocab:
    """A vocabulary file: one token a line (UTF-8), or the book's ptb.vocab.pkl."""
    path = str(path)
    try:
        with open(path, "rb") as f:
            pickled = f.read(1) == b"\x80"
        if pickled:
            return _book_vocab(safe_pickle.load_file(path, safe_pickle.PLAIN, "vocabulary pickle"))
        return read_vocab_file(path)
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
                  ptb_default: bool) -> tuple[Vocab, tuple[str, ...]]:
    """The vocabulary the user chose for a model with ``size`` output rows, plus notices.

    ptb_default: with no choice and size == 10,000, use the bundled PTB list (the book's files).
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
    else:
        raise CheckpointError(f"the file has no vocabulary ({size} tokens): pass --vocab FILE "
                              "(one token a line) or --vocab-corpus TRAIN [VALID TEST]")
    if len(vocab) != size:
        raise CheckpointError(f"vocabulary size mismatch: {source} has {len(vocab)} tokens but "
                              f"the model has {size}")
    return vocab, notices
