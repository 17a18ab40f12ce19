"""``rnnviz memory`` on the three bundled PTB models; prints JSON.

The whole command (loading the three models, reading the corpus, the forward runs and the band
sweeps, writing JSON) in a fresh process, timed by wall clock, median of --repeat runs; and the
table of medians at d = 0, 50, 100, 150 for every model and path (for README).
Target (issue): under 10 s for --tokens 400 --max-distance 150.

Usage: python benchmarks/bench_memory.py [--data ../shared/data/ptb/ptb.valid.txt] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
MODELS = [REPO / "resources" / "models" / f"ptb-{c}.safetensors" for c in ("rnn", "lstm", "gru")]
TARGET_S = 10.0


def run_once(data: str, tokens: int, dist: int, out: str) -> float:
    """Seconds for one ``python -m rnnviz memory`` process."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    argv = [sys.executable, "-m", "rnnviz", "memory", *map(str, MODELS), "--data", data,
            "--tokens", str(tokens), "--max-distance", str(dist), "--json", out]
    start = time.perf_counter()
    subprocess.run(argv, check=True, env=env, capture_output=True)
    return time.perf_counter() - start


def table(doc: dict[str, Any], ds: list[int]) -> list[dict[str, Any]]:
    """One row per model and path: the medians at the distances ds."""
    rows = []
    for m in doc["models"]:
        name = Path(m["file"]).stem
        for path in ("h", "c"):
            for k, med in enumerate(m["median"][path] or []):
                rows.append({"model": name, "path": f"{path} layer {k}",
                             "median": {str(d): float(f"{med[d]:.3g}") for d in ds},
                             "span": m["span"][path][k]})
        rows.append({"model": name, "path": "input",
                     "median": {str(d): float(f"{m['median']['input'][d]:.3g}") for d in ds},
                     "span": m["span"]["input"]})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(REPO.parent / "shared" / "data" / "ptb" /
                                          "ptb.valid.txt"))
    ap.add_argument("--tokens", type=int, default=400)
    ap.add_argument("--max-distance", type=int, default=150)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if not Path(args.data).is_file():
        print(json.dumps({"error": f"no corpus at {args.data} (give --data)"}))
        raise SystemExit(2)
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "memory.json")
        secs = [run_once(args.data, args.tokens, args.max_distance, out)
                for _ in range(args.repeat)]
        doc = json.loads(Path(out).read_text())
    ds = sorted({0, *range(50, args.max_distance + 1, 50)})
    secs.sort()
    print(json.dumps({
        "command": f"rnnviz memory ptb-rnn ptb-lstm ptb-gru --data {args.data} "
                   f"--tokens {args.tokens} --max-distance {args.max_distance}",
        "seconds_median": round(secs[len(secs) // 2], 2), "seconds_all": [round(s, 2) for s in
                                                                          secs],
        "target_s": TARGET_S, "ok": secs[len(secs) // 2] < TARGET_S,
        "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
        "table": table(doc, ds)}, indent=1))


if __name__ == "__main__":
    main()
