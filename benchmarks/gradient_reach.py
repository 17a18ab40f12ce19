"""How far back does a model's gradient reach? Prints JSON.

For windows of a corpus (default: the first lines of PTB test, 100 tokens each), the loss of the
last position t is differentiated w.r.t. every input embedding e_s (exact BPTT, no truncation):
reach(d) = median over windows of ||d l_t / d e_(t-d)|| / ||d l_t / d e_t||, for d = 1, 5, 10,
20, 50, 99. Models are any files rnnviz opens (RNN, LSTM, GRU, RWKV).

Usage: python benchmarks/gradient_reach.py --data ../shared/data/ptb/ptb.test.txt MODEL [MODEL ...]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from rnnviz.checkpoints.loader import load_model
from rnnviz.engine.bptt import default_targets
from rnnviz.engine.factory import build_engine, engine_gradient_rows

DISTANCES = (1, 5, 10, 20, 50, 99)


def corpus_ids(lines: list[str], vocab: dict[str, int]) -> list[int]:
    """PTB lines as ids: words, <eos> at each line end, unknown words as <unk>."""
    unk = vocab.get("<unk>", 0)
    return [vocab.get(w, unk) for line in lines for w in [*line.split(), "<eos>"]]


def reach(path: str, lines: list[str], windows: int, length: int) -> dict[str, float]:
    model = load_model(path)
    engine = build_engine(model.params)
    ids = corpus_ids(lines, model.vocab.index)
    ratios = []
    for w in range(windows):
        chunk = ids[w * length:(w + 1) * length]
        if len(chunk) < length:
            break
        recs = engine.run(chunk)
        targets, _ = default_targets(recs)
        targets[-1] = ids[(w + 1) * length] if (w + 1) * length < len(ids) else targets[-1]
        rows = engine_gradient_rows(engine, recs, targets, length - 1, length)
        e = rows.inputs[0]
        ratios.append([e[length - 1 - d] / e[length - 1] for d in DISTANCES])
    med = np.median(np.array(ratios), axis=0)
    return {f"d={d}": float(f"{v:.3g}") for d, v in zip(DISTANCES, med, strict=True)} | {
        "windows": len(ratios)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("models", nargs="+")
    ap.add_argument("--data", required=True)
    ap.add_argument("--windows", type=int, default=20)
    ap.add_argument("--length", type=int, default=100)
    args = ap.parse_args()
    lines = Path(args.data).read_text(encoding="utf-8").splitlines()
    out = {Path(m).stem: reach(m, lines, args.windows, args.length) for m in args.models}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
