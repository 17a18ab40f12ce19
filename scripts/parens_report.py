"""How well a model predicts the nesting language of make_parens.py, by depth; prints JSON.

For each depth d (before the next character): how many positions, the generator's true
P(")"), the model's mean P(")"), the top-1 accuracy at the positions whose next character is ")",
and over every position the model's top-1 accuracy next to the best possible (always choosing
the generator's most likely character).

Usage: python scripts/parens_report.py MODEL HELDOUT.txt [--max-depth 5]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_parens import MAX_LINE, next_distribution

from rnnviz.checkpoints.loader import VocabOptions, load_model
from rnnviz.engine.network import RNNLM


def states(text: str, max_depth: int) -> list[dict[str, float]]:
    """The generator's true next-character distribution after each character."""
    out, depth, line = [], 0, 0
    for ch in text:
        if ch == "\n":
            line = 0
        else:
            line += 1
            depth += (ch == "(") - (ch == ")")
        out.append(next_distribution(depth, max_depth, min(line, MAX_LINE)))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model")
    ap.add_argument("heldout")
    ap.add_argument("--max-depth", type=int, default=5)
    args = ap.parse_args()
    model = load_model(args.model, VocabOptions())
    text = Path(args.heldout).read_text(encoding="utf-8")
    ids = [t.id for t in model.tokenize(text)]
    probs = np.stack([r.probs for r in RNNLM(model.params).run(ids)])  # (T, V)
    tok = model.vocab.tokens
    close = tok.index(")")
    truth = states(text, args.max_depth)
    depth = np.cumsum([(c == "(") - (c == ")") for c in text])
    nxt = np.array([tok.index(c) for c in text[1:]])
    pred = probs[:-1].argmax(axis=1)
    best = np.array([tok.index(max(d, key=d.__getitem__)) for d in truth[:-1]])
    rows = []
    for d in range(args.max_depth + 1):
        at = depth[:-1] == d
        closing = at & (nxt == close)
        rows.append({
            "depth": d, "positions": int(at.sum()),
            "true_p_close": round(float(np.mean([truth[i].get(")", 0.0)
                                                 for i in np.flatnonzero(at)])), 4),
            "model_p_close": round(float(probs[:-1][at, close].mean()), 4),
            "close_positions": int(closing.sum()),
            "top1_at_close": round(float((pred[closing] == close).mean()), 4)
            if closing.any() else None,
            "top1": round(float((pred[at] == nxt[at]).mean()), 4),
            "top1_best_possible": round(float((best[at] == nxt[at]).mean()), 4)})
    doc = {"model": args.model, "chars": len(text),
           "top1": round(float((pred == nxt).mean()), 4),
           "top1_best_possible": round(float((best == nxt).mean()), 4),
           "by_depth": rows}
    print(json.dumps(doc, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
