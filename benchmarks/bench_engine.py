"""Engine figures for a 2x200 LSTM with a 10,000-word vocabulary; prints JSON.

- step: one token through the model (states, gates, logits, softmax), median and p99;
- row_T100: the gradient row of the newest target at T=100 (what appending a token costs);
- full_T100: the whole T x T gradient matrix (every layer, cell state, inputs) at T=100;
- torch_per_target_T100: the same norms by torch autograd, one backward per target (same run).
Targets (issue): step p50 <= 1 ms; row <= 5 ms; full <= 150 ms and >= 5x faster than torch.

Usage: python benchmarks/bench_engine.py [--repeat N] [--checkpoint FILE]
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable

import numpy as np
from timing import timings

from rnnviz.engine.bptt import default_targets, gradient_norms, gradient_rows
from rnnviz.engine.network import RNNLM
from rnnviz.engine.params import ModelParams, random_params


def summary(ms: list[float]) -> dict[str, float]:
    return {"p50_ms": round(float(np.median(ms)), 3),
            "p99_ms": round(float(np.percentile(ms, 99)), 3),
            "min_ms": round(min(ms), 3), "n": len(ms)}


def torch_per_target(params: ModelParams, ids: list[int],
                     targets: np.ndarray) -> Callable[[], None]:
    """Per-target autograd: unrolled nn.LSTMCell layers, one torch.autograd.grad per target."""
    import torch

    torch.set_num_threads(1)
    cells = []
    for layer in params.layers:
        cell = torch.nn.LSTMCell(layer.input_size, layer.hidden_size)
        cell.load_state_dict({n: torch.from_numpy(v) for n, v in zip(
            ("weight_ih", "weight_hh", "bias_ih", "bias_hh"),
            (layer.w_ih, layer.w_hh, layer.b_ih, layer.b_hh), strict=True)})
        cells.append(cell)
    emb = torch.from_numpy(params.embedding)
    dec_w, dec_b = torch.from_numpy(params.decoder_w), torch.from_numpy(params.decoder_b)

    def run() -> None:
        xs = [emb[i].clone().requires_grad_(True) for i in ids]
        h = [torch.zeros(1, params.hidden_size) for _ in cells]
        c = [torch.zeros(1, params.hidden_size) for _ in cells]
        hs, cs, losses = [], [], []
        for t, x in enumerate(xs):
            inp = x[None]
            for k, cell in enumerate(cells):
                h[k], c[k] = cell(inp, (h[k], c[k]))
                hs.append(h[k])
                cs.append(c[k])
                inp = h[k]
            logp = torch.log_softmax(inp[0] @ dec_w.T + dec_b, -1)
            losses.append(-logp[int(targets[t])])
        n_layers = len(cells)
        for t, loss in enumerate(losses):
            wrt = hs[: (t + 1) * n_layers] + cs[: (t + 1) * n_layers] + xs[: t + 1]
            grads = torch.autograd.grad(loss, wrt, retain_graph=True, allow_unused=True)
            [g.norm() for g in grads if g is not None]

    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--checkpoint", help="a model file instead of a random 2x200 LSTM")
    args = ap.parse_args()
    if args.checkpoint:
        from rnnviz.checkpoints.loader import load_model

        params = load_model(args.checkpoint).params
    else:
        params = random_params("lstm", 10000, 200, layers=2, tied=True, seed=0)
    model = RNNLM(params)
    ids = np.random.default_rng(0).integers(0, params.vocab_size, 100).tolist()
    recs = model.run(ids)
    targets, _ = default_targets(recs)
    state = recs[-1].state
    step = timings(lambda: model.step(ids[0], state), args.repeat * 25)
    row = timings(lambda: gradient_rows(model, recs, targets, 99, 100), args.repeat * 5)
    full = timings(lambda: gradient_norms(model, recs, targets), args.repeat)
    trunc = timings(lambda: gradient_norms(model, recs, targets, truncate=35), args.repeat)
    ref = timings(torch_per_target(params, ids, targets), max(3, args.repeat // 5))
    out = {
        "model": {"cell": params.cell, "layers": params.num_layers,
                  "hidden": params.hidden_size, "vocab": params.vocab_size},
        "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
        "step": summary(step),
        "row_T100": summary(row),
        "full_T100": summary(full),
        "full_T100_truncate35": summary(trunc),
        "torch_per_target_T100": summary(ref),
        "speedup_vs_torch": round(float(np.median(ref) / np.median(full)), 1),
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
