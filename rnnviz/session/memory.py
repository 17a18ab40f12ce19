"""Memory statistics of loaded models over a corpus (no Qt): reading the stream, running the
engine's memory curves for each model, with progress and cancel."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from rnnviz.checkpoints.bundled import resource_path
from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.vocab import VocabError
from rnnviz.engine.bptt import Cancelled
from rnnviz.engine.factory import any_memory_curves, build_engine
from rnnviz.engine.memory import MemoryCurves, check_stream
from rnnviz.session.model_session import kind_name
from rnnviz.session.refusal import BIDIRECTIONAL, CBOW, CLASSIFIER, NO_MEMORY, Refusal

IDS = NDArray[np.int64]
DEFAULT_CORPUS = resource_path("memory_corpus.txt")
DEFAULT_TOKENS = 1000
DEFAULT_DISTANCE = 100

__all__ = ["DEFAULT_CORPUS", "Cancelled", "CorpusError", "memory_refusal", "models_memory",
           "read_text", "stream_ids"]
NO_CURVES = (CLASSIFIER, BIDIRECTIONAL, CBOW)  # the kinds refused


class CorpusError(ValueError):
    """A corpus that cannot be read, or is too short (one-line message)."""


def read_text(path: str | Path) -> str:
    """A UTF-8 text file; unreadable files raise CorpusError."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise CorpusError(f"{path}: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise CorpusError(f"{path}: not UTF-8 text") from None


def stream_ids(text: str, model: LoadedModel, limit: int | None = None) -> tuple[IDS, int]:
    """Token ids of a corpus as ``rnnviz eval`` reads it, and the count of out-of-vocabulary
    tokens (read as <unk>). Word models: each line's whitespace words, then <eos>. Character
    models: the model's tokenizer over the whole text. limit: keep the first ``limit``."""
    if model.tokenizer == "char" and limit is not None:
        text = text[:limit]  # one token a character: the rest is never read
    try:
        toks = model.corpus_tokens(text)[:limit]
    except VocabError as e:
        raise CorpusError(str(e)) from None
    return np.array([t.id for t in toks], np.int64), sum(t.oov for t in toks)


Progress = Callable[[int, float], bool]  # (model index, fraction of that model) -> go on?


def memory_refusal(model: LoadedModel) -> Refusal | None:
    """Why this model has no memory curves (they follow one recurrence forward through a
    language model's stream), or None."""
    kind = kind_name(model)
    return Refusal(NO_MEMORY, (model.name, kind)) if kind in NO_CURVES else None


def models_memory(models: Sequence[LoadedModel], text: str, tokens: int, max_distance: int,
                  progress: Progress | None = None) -> list[MemoryCurves]:
    """Memory curves of each model over the first ``tokens`` tokens of ``text`` (each model
    with its own tokenizer). Raises CorpusError for a short stream, Cancelled on cancel."""
    streams = [stream_ids(text, m, tokens)[0] for m in models]
    for m, ids in zip(models, streams, strict=True):
        try:
            check_stream(len(ids), max_distance)
        except ValueError as e:
            raise CorpusError(f"{m.name}: {e}") from None
    out = []
    for k, (m, ids) in enumerate(zip(models, streams, strict=True)):
        report = None if progress is None else _bind(progress, k)
        out.append(any_memory_curves(build_engine(m.params), ids, max_distance, report))
    return out


def _bind(progress: Progress, k: int) -> Callable[[float], bool]:
    return lambda f: progress(k, f)
