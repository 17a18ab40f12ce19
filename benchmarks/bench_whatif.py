"""What-if figures on a bundled model (default ptb-lstm, 2x200 LSTM, 10,000 words); prints JSON.

- ablation_rerun_suffix100: ablate two units from step s on and rerun the 100-token suffix from
  the cached state at s - 1 (states, gates, logits, softmax of every step): the engine part of
  an intervention repaint;
- difference_suffix100: the differences against the clean run (Δ log p, Δ loss, Δh);
- rerun_plus_difference: both, the engine work before a repaint;
- gradient_row_intervened: the cursor's gradient row under the intervention (batched sweep);
- ablation_effect_layer: the batched ablation effect of every unit of one layer at a step;
- beam_search: beam width 4, 20 tokens.
- with ``--ui``, repaint_*: the What if panel offscreen (1110x576, its tab in a 1366x768
  window): a new intervention on two units from step 20 of the 120-token text until the panel
  has repainted (the session reruns the 100-token suffix, computes the differences and the
  cursor's intervened gradient row, the plots update, ``processEvents`` paints); once with the
  cursor at the first step, once at the last (the gradient row then runs back over 120 steps).
Target (issue): an ablation rerun of a 100-token suffix repaints in <= 30 ms (median).

Usage: python benchmarks/bench_whatif.py [--repeat N] [--checkpoint FILE] [--ui]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from rnnviz.checkpoints.loader import load_model
from rnnviz.engine.attribution import ablation_effect
from rnnviz.engine.bptt import default_targets, gradient_rows
from rnnviz.engine.compare import difference
from rnnviz.engine.generate import beam_search
from rnnviz.engine.intervention import Intervention, UnitEdit
from rnnviz.engine.network import RNNLM

REPO = Path(__file__).resolve().parents[1]


Times = tuple[list[float], list[float]]  # wall ms, CPU ms of this process


def timings(fn: Callable[[], object], repeat: int) -> Times:
    """Wall and CPU times in ms of repeat calls, after one warm-up call. The CPU time leaves out
    the time other processes held the core (this machine is shared): a quiet machine's wall
    time is close to it."""
    fn()
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - t0) * 1e3)
        cpu.append((time.process_time() - c0) * 1e3)
    return wall, cpu


def summary(times: Times) -> dict[str, float]:
    wall, cpu = times
    return {"p50_ms": round(float(np.median(wall)), 3),
            "p90_ms": round(float(np.percentile(wall, 90)), 3),
            "min_ms": round(min(wall), 3), "cpu_p50_ms": round(float(np.median(cpu)), 3),
            "n": len(wall)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--checkpoint", default=str(REPO / "resources/models/ptb-lstm.safetensors"))
    ap.add_argument("--ui", action="store_true", help="also time the What if panel's repaint")
    args = ap.parse_args()
    model = RNNLM(load_model(args.checkpoint).params)
    rng = np.random.default_rng(0)
    ids = rng.integers(0, model.params.vocab_size, 120).tolist()
    s = 20  # the suffix: steps 20..119
    iv = Intervention((UnitEdit(model.num_layers - 1, 17, step=s),
                       UnitEdit(0, 42, step=s)))
    clean = model.run(ids)
    start = clean[s - 1].state

    def rerun() -> list:
        return model.run(ids[s:], start, iv, start=s)

    suffix = rerun()
    both = clean[:s] + suffix

    def rerun_and_diff() -> object:
        return difference(clean[s:], rerun(), list(range(len(ids) - s)))

    targets, _ = default_targets(both)
    t_cur = len(ids) - 1
    figures = {
        "ablation_rerun_suffix100": summary(timings(rerun, args.repeat)),
        "difference_suffix100": summary(timings(
            lambda: difference(clean[s:], suffix, list(range(len(ids) - s))), args.repeat)),
        "rerun_plus_difference": summary(timings(rerun_and_diff, args.repeat)),
        "gradient_row_intervened": summary(timings(
            lambda: gradient_rows(model, both, targets, t_cur, t_cur + 1), args.repeat)),
        "ablation_effect_layer": summary(timings(
            lambda: ablation_effect(model, both, t_cur, 0, int(targets[t_cur])), args.repeat)),
        "beam_search_w4_n20": summary(timings(
            lambda: beam_search(model, clean[-1].state, clean[-1].logits, 20, 4),
            max(3, args.repeat // 5))),
    }
    doc = {"model": Path(args.checkpoint).name, "hidden": model.hidden_size,
           "layers": model.num_layers, "vocab": model.params.vocab_size, "text_len": len(ids),
           "suffix_len": len(ids) - s, "threads": os.environ.get("OPENBLAS_NUM_THREADS"),
           "load_avg_1min": round(os.getloadavg()[0], 2), "cpus": os.cpu_count(),
           "target_ms": 30.0, **figures,
           "note": "engine figures; repaint_* (with --ui) include the engine work"}
    if args.ui:
        doc |= ui_figures(args.checkpoint, ids, s, args.repeat)
    json.dump(doc, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


def ui_figures(checkpoint: str, ids: list[int], s: int, repeat: int) -> dict[str, object]:
    """Intervention -> repainted What if panel, offscreen; cursor at the first and last step."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from rnnviz.session import Workspace
    from rnnviz.session.whatif import whatif_of
    from rnnviz.ui.whatif import WhatIfView

    app = QApplication.instance() or QApplication([])
    loaded = load_model(checkpoint)
    ws = Workspace()
    ws.add_model(loaded)
    ws.set_text(" ".join(loaded.vocab.tokens[i] for i in ids))
    view = WhatIfView(ws)
    view.resize(1110, 576)  # the tab area of a 1366x768 window
    view.show()
    app.processEvents()
    top = loaded.params.num_layers - 1
    ivs = [Intervention((UnitEdit(top, u, step=s), UnitEdit(0, u + 25, step=s)))
           for u in range(repeat + 1)]
    out: dict[str, object] = {}
    for name, cursor in (("repaint_cursor_first", 0), ("repaint_cursor_last", len(ids) - 1)):
        ws.set_cursor(cursor)
        app.processEvents()
        wall, cpu = [], []
        for iv in ivs:
            t0, c0 = time.perf_counter(), time.process_time()
            whatif_of(ws).set_intervention(iv)
            app.processEvents()
            wall.append((time.perf_counter() - t0) * 1e3)
            cpu.append((time.process_time() - c0) * 1e3)
        out[name] = summary((wall[1:], cpu[1:]))
    return out


if __name__ == "__main__":
    raise SystemExit(main())
