"""Corpus index figures for ptb-lstm on PTB valid (73,760 tokens); prints JSON.

- index_s: building the index (read the corpus, 64 parallel streams, write float16 h, c and
  gates of both layers to a fresh cache dir), one build per round;
  index_cpu_s is the process's CPU time of the same builds (the machine is shared: wall time
  includes waiting for a core and for the disk);
- index_h_c_only_s: the same without the gates (what ``rnnviz neurons`` builds by default);
- reopen_ms: opening the cached index again;
- topk_ms: top 20 highest and lowest contexts (+-10 tokens) of one unit (median over units);
- match_ms: a 3-step on-pattern over one layer of 200 units scored at every corpus position, the
  top 50 with their lengths (median).
Targets (issue): index <= 10 s; top-k <= 50 ms; match <= 200 ms.

Usage: python benchmarks/bench_corpus.py [--data ../shared/data/ptb/ptb.valid.txt] [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time

import numpy as np
from timing import timings

from rnnviz.checkpoints.loader import VocabOptions, load_model
from rnnviz.corpus.contexts import top_contexts
from rnnviz.corpus.index import IndexSpec, load_or_build
from rnnviz.corpus.match import match, select_units
from rnnviz.corpus.reader import read_corpus

HERE = os.path.dirname(os.path.abspath(__file__))




def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=os.path.join(HERE, "..", "..", "shared", "data", "ptb",
                                                   "ptb.valid.txt"))
    ap.add_argument("--checkpoint",
                    default=os.path.join(HERE, "..", "resources", "models", "ptb-lstm.safetensors"))
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    model = load_model(args.checkpoint, VocabOptions())
    builds, cpu, reopen = [], [], []
    with tempfile.TemporaryDirectory() as cache:
        for r in range(args.rounds):
            t0, c0 = time.perf_counter(), time.process_time()
            corpus = read_corpus(args.data, model)
            index = load_or_build(model, corpus, os.path.join(cache, str(r)), IndexSpec())
            builds.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            t0 = time.perf_counter()
            index = load_or_build(model, corpus, os.path.join(cache, str(r)), IndexSpec())
            reopen.append((time.perf_counter() - t0) * 1e3)
        hc = []
        for r in range(args.rounds):
            t0 = time.perf_counter()
            load_or_build(model, read_corpus(args.data, model), os.path.join(cache, f"hc{r}"),
                          IndexSpec(gates=False))
            hc.append(time.perf_counter() - t0)
        units = list(range(0, index.hidden, max(1, index.hidden // 10)))
        topk = [timings(lambda u=u: top_contexts(index, "h", 1, u, k=20, width=10), 3)[1]
                for u in units]
        layer = index.layer("h", 1)
        text = np.asarray(layer[:, 1000:1010], np.float32).T
        sel = select_units(text, 4, 7, 0.3, below_before=False)
        match_ms = timings(lambda: match(layer, sel, 3, 0.3, top=50), 5)
        doc = {
            "model": os.path.basename(args.checkpoint), "tokens": index.n_tokens,
            "layers": index.num_layers, "hidden": index.hidden, "kinds": list(index.kinds),
            "streams": len(index.starts), "warmup": int(index.meta["warmup"]),
            "index_bytes": sum(int(a.nbytes) for a in index.arrays.values()),
            "index_s": [round(b, 2) for b in builds],
            "index_cpu_s": [round(b, 2) for b in cpu],
            "index_h_c_only_s": [round(b, 2) for b in hc],
            "reopen_ms": [round(x, 1) for x in reopen],
            "topk_ms_p50": round(float(np.median(topk)), 2),
            "topk_ms_max": round(float(np.max(topk)), 2),
            "match_selected_units": int(sel.sum()),
            "match_ms_p50": round(float(np.median(match_ms)), 1),
            "match_ms_max": round(float(np.max(match_ms)), 1),
            "cpu_count": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 2),
            "targets": {"index_s": 10, "topk_ms": 50, "match_ms": 200},
        }
    print(json.dumps(doc, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
