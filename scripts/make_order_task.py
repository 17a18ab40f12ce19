#!/usr/bin/env python
"""Build the word-order task: is this PTB sentence in its real order, or shuffled?

    python scripts/make_order_task.py --ptb ../shared/data/ptb --out /tmp/ptb-order [--seed 0]

Each split of PTB (ptb.{train,valid,test}.txt) gives that split of the task, so no test sentence
was seen in training. Every usable sentence (at least --min-words words, at least two distinct
words) appears exactly once: half of them, drawn at random, as 'real' (as PTB has it), the other
half as 'shuffled' (its words in a random order that differs from the original). A sentence and
its own shuffle never both appear, so the two classes have the same distribution of word bags
and lengths: a model that ignores word order is at chance. An odd sentence out is dropped so the
classes are exactly balanced. The output directory gets {train,valid,test}.txt with lines
``label<TAB>sentence``, in random order (the format ``rnnviz train --task classify`` reads).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

SPLITS = ("train", "valid", "test")
REAL, SHUFFLED = "real", "shuffled"


def read_sentences(path: Path, min_words: int) -> list[list[str]]:
    """The usable sentences of a PTB file: >= min_words words, not all one word."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        words = line.split()
        if len(words) >= min_words and len(set(words)) >= 2:
            out.append(words)
    return out


def shuffled(words: list[str], rng: np.random.Generator) -> list[str]:
    """The words in a random order different from the given one (needs two distinct words)."""
    while True:
        perm = [words[i] for i in rng.permutation(len(words))]
        if perm != words:
            return perm


def make_split(sentences: list[list[str]], rng: np.random.Generator) -> list[tuple[str, str]]:
    """(label, sentence) pairs: a random half real, the other half shuffled; random order."""
    order = rng.permutation(len(sentences))
    half = len(sentences) // 2
    rows = [(REAL, " ".join(sentences[i])) for i in order[:half]]
    rows += [(SHUFFLED, " ".join(shuffled(sentences[i], rng))) for i in order[half:2 * half]]
    return [rows[i] for i in rng.permutation(len(rows))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ptb", required=True, type=Path, help="directory with ptb.{split}.txt")
    ap.add_argument("--out", required=True, type=Path, help="directory to write the task to")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--min-words", type=int, default=4, help="skip shorter sentences (4)")
    args = ap.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    for split in SPLITS:
        src = args.ptb / f"ptb.{split}.txt"
        if not src.is_file():
            print(f"error: {src} is missing", file=sys.stderr)
            return 1
        sentences = read_sentences(src, args.min_words)
        rows = make_split(sentences, rng)
        text = "".join(f"{label}\t{sentence}\n" for label, sentence in rows)
        (args.out / f"{split}.txt").write_text(text, encoding="utf-8")
        print(f"{split}: {len(rows)} sentences ({len(rows) // 2} real, {len(rows) // 2} "
              f"shuffled) from {len(sentences)} usable PTB lines")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
