"""RWKV engine figures on random models of real shapes; prints JSON.

- rwkv4: RWKV-4-Pile-169M's shape (12 layers, width 768, vocabulary 50277, FFN 3072);
- rwkv7: RWKV-7-Pile-168M's shape (12 layers, width 768, head size 64, vocabulary 65536,
  LoRA rank 64 for w, a, v, g).
Per model: step (one token, states, logits, softmax) p50/p99; row_T100 (the gradient row of the
newest target at T=100); full_T100 (the whole T x T matrices: block outputs, WKV state, inputs).
open_s / first_step_ms (with --open): load_model of the model written as a native file
(memory-mapped), then its first step. Target (issue): a step well under 100 ms.

Usage: python benchmarks/bench_rwkv.py [--cells rwkv4 rwkv7] [--repeat N] [--steps T] [--no-full]
       [--open]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np
from timing import timings

from rnnviz.engine.bptt import default_targets
from rnnviz.engine.factory import build_engine, engine_gradient_rows
from rnnviz.engine.rwkv import RwkvLM
from rnnviz.engine.rwkv_params import RwkvParams, random_rwkv_params

SHAPES = {"rwkv4": {"vocab": 50277, "hidden": 768, "layers": 12, "head_size": 1},
          "rwkv7": {"vocab": 65536, "hidden": 768, "layers": 12, "head_size": 64}}




def summary(ms: list[float]) -> dict[str, float]:
    return {"p50_ms": round(float(np.median(ms)), 2),
            "p99_ms": round(float(np.percentile(ms, 99)), 2),
            "n": len(ms)}


def open_native(params: RwkvParams) -> dict[str, float]:
    """Write the model as a native file, then time opening it and its first step."""
    from rnnviz.checkpoints import native
    from rnnviz.checkpoints.loader import load_model
    from rnnviz.checkpoints.vocab import Vocab

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.safetensors"
        vocab = Vocab(tuple(f"t{i}" for i in range(params.vocab_size)))
        native.save(path, params, vocab, "word")
        t0 = time.perf_counter()
        model = load_model(path)
        t1 = time.perf_counter()
        engine = build_engine(model.params)
        engine.run([1])
        t2 = time.perf_counter()
    return {"open_s": round(t1 - t0, 2), "first_step_ms": round((t2 - t1) * 1e3, 1)}


def bench(cell: str, repeat: int, steps: int, full: bool, opened: bool) -> dict[str, object]:
    shape = SHAPES[cell]
    t0 = time.perf_counter()
    params = random_rwkv_params(cell, shape["vocab"], shape["hidden"], shape["layers"],
                                head_size=max(shape["head_size"], 1), lora=64, seed=0)
    build_s = time.perf_counter() - t0
    model = RwkvLM(params)
    n_params = sum(a.size for a in params.arrays.values())
    rng = np.random.default_rng(0)
    ids = [int(i) for i in rng.integers(0, shape["vocab"], steps)]
    records = model.run(ids)
    state = records[-2].state
    step = timings(lambda: model.run([ids[-1]], state), repeat)
    targets, _ = default_targets(records)
    row = timings(lambda: engine_gradient_rows(model, records, targets, steps - 1, steps),
                  repeat)
    out: dict[str, object] = {"params": int(n_params), "random_init_s": round(build_s, 1),
                              "step": summary(step), f"row_T{steps}": summary(row)}
    if opened:
        out.update(open_native(params))
    if full:
        t0 = time.perf_counter()
        engine_gradient_rows(model, records, targets, 0, steps)
        out[f"full_T{steps}_s"] = round(time.perf_counter() - t0, 2)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cells", nargs="+", default=["rwkv4", "rwkv7"], choices=list(SHAPES))
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--no-full", action="store_true")
    ap.add_argument("--open", action="store_true", help="also time opening a native file")
    args = ap.parse_args()
    res = {c: bench(c, args.repeat, args.steps, not args.no_full, args.open) for c in args.cells}
    res["env"] = {"threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
                  "cpus": os.cpu_count(), "load_avg": os.getloadavg()[0]}
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
