"""Reading a corpus as ``rnnviz eval`` reads it: word models get each line's words then <eos>
(one stream carried across lines); character models get the file's characters."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.vocab import VocabError

IDS = NDArray[np.int64]


class CorpusReadError(ValueError):
    """A corpus file that cannot be read for this model (one-line message)."""


@dataclass(frozen=True)
class CorpusText:
    """A tokenized corpus. ids: (N,); tokens: the N token spellings; oov: tokens read as unknown;
    sha256: of the file's bytes (or of the text given)."""

    ids: IDS
    tokens: tuple[str, ...]
    tokenizer: str
    oov: int
    sha256: str
    path: str = ""

    def __len__(self) -> int:
        return len(self.ids)

    def ids_sha256(self) -> str:
        """sha256 of the token ids: changes when the vocabulary maps the text differently."""
        return hashlib.sha256(np.ascontiguousarray(self.ids, np.int64).tobytes()).hexdigest()


def read_corpus(path: str | Path, model: LoadedModel, max_tokens: int | None = None) -> CorpusText:
    """Read and tokenize a corpus file for ``model``."""
    try:
        data = Path(path).read_bytes()
        text = data.decode("utf-8")
    except OSError as e:
        raise CorpusReadError(f"{path}: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise CorpusReadError(f"{path}: not UTF-8 text") from None
    corpus = corpus_from_text(text, model, hashlib.sha256(data).hexdigest(), str(path))
    if max_tokens is not None:
        corpus = CorpusText(corpus.ids[:max_tokens], corpus.tokens[:max_tokens], corpus.tokenizer,
                            corpus.oov, corpus.sha256 + f":{max_tokens}", corpus.path)
    if len(corpus) < 2:
        raise CorpusReadError(f"{path}: fewer than 2 tokens")
    return corpus


def corpus_from_text(text: str, model: LoadedModel, sha256: str = "", path: str = "") -> CorpusText:
    """Tokenize a text as ``read_corpus`` does; sha256 defaults to the text's UTF-8 bytes."""
    sha = sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest()
    try:
        toks = model.corpus_tokens(text)
    except VocabError as e:
        raise CorpusReadError(str(e)) from None
    ids = np.fromiter((t.id for t in toks), np.int64, len(toks))
    kind = model.tokenizer if model.tokenizer == "char" or model.encoder is not None else "word"
    return CorpusText(ids, tuple(t.text for t in toks), kind, sum(t.oov for t in toks), sha, path)
