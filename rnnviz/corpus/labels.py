"""Annotation labels: one value per corpus token, used by the unit finder and drawn as tracks.

Built-ins: ``depth`` (nesting of ( ) [ ] { } plus one inside a double quote, after the token),
``quote`` (inside a double quote), ``line-position`` (characters since the line start),
``sentence-position`` (words since the last <eos> or sentence end), ``number`` (the token is a
number or PTB's N); ``regex:PATTERN`` (the token matches); ``file:PATH`` (one value per token).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from rnnviz.checkpoints.vocab import EOS

BUILTIN = ("depth", "quote", "line-position", "sentence-position", "number")
OPENERS = {"(": ")", "[": "]", "{": "}", "-lrb-": "-rrb-", "-lcb-": "-rcb-", "-lsb-": "-rsb-"}
CLOSERS = set(OPENERS.values())
QUOTES = {'"', "``", "''"}
NUMBER = re.compile(r"[+-]?(\d[\d,]*\.?\d*|\.\d+)%?")
SENTENCE_END = {EOS, "\n", ".", "!", "?"}


class LabelError(ValueError):
    """A label that cannot be computed (one-line message)."""


@dataclass(frozen=True)
class Label:
    """values: (N,) float64; binary: the values are 0/1 (accuracy metrics apply)."""

    name: str
    values: NDArray[np.float64]
    binary: bool


def quote_inside(tokens: Sequence[str]) -> NDArray[np.float64]:
    """1 for tokens inside a double quote (an opening quote counts as inside, a closing one not)."""
    out = np.zeros(len(tokens))
    inside = False
    for i, t in enumerate(tokens):
        if t in QUOTES:
            inside = (t == "``") or (t == '"' and not inside)
        out[i] = inside
    return out


def nesting_depth(tokens: Sequence[str]) -> NDArray[np.float64]:
    """Depth after each token: open brackets (never below 0) plus one inside a double quote."""
    out = np.zeros(len(tokens))
    depth = 0
    for i, t in enumerate(tokens):
        if t in OPENERS:
            depth += 1
        elif t in CLOSERS:
            depth = max(0, depth - 1)
        out[i] = depth
    return out + quote_inside(tokens)


def line_position(tokens: Sequence[str]) -> NDArray[np.float64]:
    """Characters since the start of the line (the first character of a line is 0)."""
    out = np.zeros(len(tokens))
    pos = 0
    for i, t in enumerate(tokens):
        out[i] = pos
        pos = 0 if t in ("\n", EOS) else pos + 1
    return out


def sentence_position(tokens: Sequence[str], word_tokens: bool) -> NDArray[np.float64]:
    """Words since the start of the sentence (the first word is 0). Character models count words
    as runs separated by spaces; sentences end at <eos>, a newline or . ! ?"""
    out = np.zeros(len(tokens))
    pos = 0
    for i, t in enumerate(tokens):
        out[i] = pos
        if t in SENTENCE_END:
            pos = 0
        elif word_tokens or t == " ":
            pos += 1
    return out


def is_number(tokens: Sequence[str]) -> NDArray[np.float64]:
    """1 where the token is PTB's N or a number (a digit for character models)."""
    return np.array([t == "N" or NUMBER.fullmatch(t) is not None for t in tokens], np.float64)


def regex_label(tokens: Sequence[str], pattern: str) -> NDArray[np.float64]:
    """1 where the whole token matches ``pattern``."""
    try:
        rx = re.compile(pattern)
    except re.error as e:
        raise LabelError(f"bad regular expression {pattern!r}: {e}") from None
    return np.array([rx.fullmatch(t) is not None for t in tokens], np.float64)


def file_label(path: str, n: int) -> NDArray[np.float64]:
    """One number per token, whitespace-separated; the count must be n."""
    try:
        values = np.array(Path(path).read_text(encoding="utf-8").split(), np.float64)
    except (OSError, UnicodeDecodeError) as e:
        raise LabelError(f"{path}: cannot read ({e})") from None
    except ValueError:
        raise LabelError(f"{path}: not a list of numbers") from None
    if len(values) != n:
        raise LabelError(f"{path}: {len(values)} values for {n} tokens")
    return values


def make_label(spec: str, tokens: Sequence[str], tokenizer: str) -> Label:
    """A label from its CLI spelling (see the module docstring)."""
    word = tokenizer != "char"
    if spec == "depth":
        return Label(spec, nesting_depth(tokens), False)
    if spec == "quote":
        return Label(spec, quote_inside(tokens), True)
    if spec == "line-position":
        return Label(spec, line_position(tokens), False)
    if spec == "sentence-position":
        return Label(spec, sentence_position(tokens, word), False)
    if spec == "number":
        return Label(spec, is_number(tokens), True)
    if spec.startswith("regex:"):
        return Label(spec, regex_label(tokens, spec[6:]), True)
    if spec.startswith("file:"):
        values = file_label(spec[5:], len(tokens))
        return Label(spec, values, bool(np.isin(values, (0.0, 1.0)).all()))
    raise LabelError(f"unknown label {spec!r} (expected {', '.join(BUILTIN)}, regex:PATTERN "
                     "or file:PATH)")
