"""Bidirectional and classifier engine figures; prints JSON.

For a 2x200 bidirectional LSTM (each direction 200 units) with a 10,000-word vocabulary:
- run_T100: a 100-token text through both directions, records, logits and softmax;
- row_T100: one gradient row (the newest target) at T=100, through both directions;
- full_T100: the whole gradient matrix (4 displayed layers, cell states, inputs) at T=100;
- full_T100_K35: the same with truncation K=35.
For a classifier on the same bidirectional net with a 2-class fc (prefixes rerun, O(T^2)):
- classifier_run_T100 / _T300: class probabilities after every prefix and the states;
- classifier_row_T100: the newest prefix's gradient row (rerun and backward of 100 steps);
- classifier_full_T100: every gradient row (each over its own prefix).

Usage: OPENBLAS_NUM_THREADS=1 python benchmarks/bench_bidir.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np
from timing import timings

from rnnviz.engine.bidir import BiRNNLM
from rnnviz.engine.bidir_bptt import bidir_gradient_rows
from rnnviz.engine.bidir_params import random_bidir
from rnnviz.engine.bptt import default_targets
from rnnviz.engine.classifier import ClassifierEngine, classifier_gradient_rows
from rnnviz.engine.classifier_params import ClassifierParams


def summary(fn: Callable[[], object], repeat: int) -> dict[str, float]:
    """Wall time (median, min) and this process's CPU time (min) in ms: on a shared machine
    the CPU time is the steadier figure (one BLAS thread)."""
    ms = timings(fn, repeat)
    cpu = []
    for _ in range(repeat):
        c0 = time.process_time()
        fn()
        cpu.append((time.process_time() - c0) * 1e3)
    return {"p50_ms": round(float(np.median(ms)), 2), "min_ms": round(min(ms), 2),
            "cpu_min_ms": round(min(cpu), 2), "n": len(ms)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    params = random_bidir("lstm", 10_000, 200, layers=2, seed=0)
    model = BiRNNLM(params)
    ids = [int(i) for i in np.random.default_rng(0).integers(0, 10_000, 300)]
    recs = model.run(ids[:100])
    targets, _ = default_targets(recs)
    out: dict[str, object] = {"model": "bi-LSTM 2x200, V=10000"}
    r = args.repeat
    out["run_T100"] = summary(lambda: model.run(ids[:100]), r)
    out["row_T100"] = summary(lambda: bidir_gradient_rows(model, recs, targets, 99, 100), r * 3)
    out["full_T100"] = summary(lambda: bidir_gradient_rows(model, recs, targets, 0, 100), r)
    out["full_T100_K35"] = summary(
        lambda: bidir_gradient_rows(model, recs, targets, 0, 100, 35), r)
    net = replace(params, decoder_w=params.decoder_w[:2], decoder_b=params.decoder_b[:2],
                  output_size=2)
    clf = ClassifierEngine(ClassifierParams(net, ("a", "b"), "last-output"))
    out["classifier_run_T100"] = summary(lambda: clf.run(ids[:100]), 1)
    out["classifier_run_T300"] = summary(lambda: clf.run(ids), 1)
    crecs = clf.run(ids[:100])
    ctargets = np.array([int(np.argmax(r.probs)) for r in crecs])
    out["classifier_row_T100"] = summary(
        lambda: classifier_gradient_rows(clf, crecs, ctargets, 99, 100), r)
    out["classifier_full_T100"] = summary(
        lambda: classifier_gradient_rows(clf, crecs, ctargets, 0, 100), 1)
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
