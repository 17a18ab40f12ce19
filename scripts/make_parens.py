"""A seeded nesting language of ( ) with random filler letters, for a model with known ground truth.

Each line is balanced. At depth d the next character is drawn from a distribution that depends
only on d (so a model that predicts well must track the depth):
  - "(" with probability OPEN (0 at the maximum depth),
  - ")" with probability close_prob(d) = 0.1 + 0.1 * d for d > 0 (0 at depth 0),
  - a newline with probability END at depth 0 once the line has a character,
  - otherwise one of FILLER, uniformly.

``python scripts/make_parens.py OUT_DIR`` writes OUT_DIR/train.txt, valid.txt, test.txt (the
trainer's split files) and heldout.txt, each from its own seed. Nothing here is committed data.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

FILLER = "abcdefgh"
OPEN = 0.25
END = 0.04
MAX_LINE = 200
SIZES = {"train": 400_000, "valid": 40_000, "test": 40_000, "heldout": 40_000}


def close_prob(depth: int) -> float:
    """Probability of ")" at a depth (0 at depth 0)."""
    return 0.0 if depth == 0 else 0.1 + 0.1 * depth


def next_distribution(depth: int, max_depth: int, line_len: int) -> dict[str, float]:
    """The generator's true distribution of the next character given the state."""
    p_open = OPEN if depth < max_depth else 0.0
    p_close = close_prob(depth)
    p_end = END if depth == 0 and 0 < line_len < MAX_LINE else 0.0
    if depth == 0 and line_len >= MAX_LINE:
        p_open, p_end = 0.0, 1.0
    rest = max(0.0, 1.0 - p_open - p_close - p_end)
    dist = {"(": p_open, ")": p_close, "\n": p_end}
    dist.update({ch: rest / len(FILLER) for ch in FILLER})
    return {k: v for k, v in dist.items() if v > 0}


def generate(n_chars: int, seed: int, max_depth: int = 5) -> str:
    """About ``n_chars`` characters of whole balanced lines, reproducible from ``seed``."""
    rng = random.Random(seed)
    out: list[str] = []
    depth = line_len = 0
    while len(out) < n_chars or depth or line_len:
        dist = next_distribution(depth, max_depth, line_len)
        ch = rng.choices(list(dist), weights=list(dist.values()))[0]
        out.append(ch)
        if ch == "\n":
            line_len = 0
            continue
        line_len += 1
        depth += (ch == "(") - (ch == ")")
    return "".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", help="directory to write train/valid/test/heldout .txt into")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--max-depth", type=int, default=5, choices=(4, 5, 6))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for k, (split, size) in enumerate(SIZES.items()):
        (out / f"{split}.txt").write_text(generate(size, args.seed + k, args.max_depth),
                                          encoding="utf-8")
    print(f"wrote {', '.join(SIZES)} to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
