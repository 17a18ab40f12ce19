"""Cost of the shared gradient scale (rnnviz.session.scale.shared_range) once every row of every
model is computed: prints JSON {models, tokens, ms_per_call}. Usage:
python benchmarks/bench_shared_scale.py [TOKENS]"""

from __future__ import annotations

import json
import sys
import time

from rnnviz.checkpoints.bundled import find_model
from rnnviz.checkpoints.loader import load_model
from rnnviz.session import Workspace
from rnnviz.session.scale import shared_range


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    ws = Workspace()
    words = "the company said its net income rose to $ N million in the third quarter".split()
    ws.text = " ".join(words[i % len(words)] for i in range(n))
    for name in ("ptb-rnn", "ptb-gru", "ptb-lstm"):
        ws.add_model(load_model(find_model(name)))
    for s in ws.models:
        for t in range(s.length):
            s.gradient_row(t, None)
    calls = 20
    start = time.perf_counter()
    for _ in range(calls):
        shared_range(ws)
    ms = (time.perf_counter() - start) / calls * 1000
    print(json.dumps({"models": len(ws.models), "tokens": ws.length,
                      "ms_per_call": round(ms, 2), "range_log10": shared_range(ws)}))


if __name__ == "__main__":
    main()
