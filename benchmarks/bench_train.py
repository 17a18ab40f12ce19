"""Training throughput: rnnviz's trainer loop vs a plain nn.Module loop, same config, same run.

Prints JSON. Both loops train the same model (fresh copies of one initialisation) on the same
rows for the same number of windows, in alternating rounds; the figures are medians over rounds
(the best round of each is listed too).

    .venv/bin/python benchmarks/bench_train.py [--data ../shared/data/ptb] [--windows 40]
"""

from __future__ import annotations

import argparse
import copy
import json
import platform
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from rnnviz.train.model import RNNModel
from rnnviz.train.trainer import TrainConfig, _Run, batchify, build_optimizer, run_epoch

V_SYNTHETIC = 10_000


def corpus_ids(data: str) -> tuple[np.ndarray, str]:
    """PTB train ids when the data is there, else a random stream with PTB's vocabulary size."""
    if Path(data).is_dir():
        from rnnviz.train.corpus import load_corpus

        return load_corpus(data).train, data
    rng = np.random.default_rng(0)
    return rng.integers(0, V_SYNTHETIC, size=300_000), "synthetic"


def plain_loop(model: RNNModel, rows: torch.Tensor, cfg: TrainConfig) -> float:
    """The textbook loop (pytorch/examples word_language_model style); returns seconds."""
    criterion = nn.CrossEntropyLoss()
    hidden = model.init_hidden(rows.shape[1])
    model.train()
    t0 = time.perf_counter()
    for i in range(0, len(rows) - 1, cfg.bptt):
        seq = min(cfg.bptt, len(rows) - 1 - i)
        x, y = rows[i:i + seq], rows[i + 1:i + 1 + seq]
        hidden = (hidden[0].detach(), hidden[1].detach()) if isinstance(hidden, tuple) \
            else hidden.detach()
        model.zero_grad()
        out, hidden = model(x, hidden)
        loss = criterion(out.view(-1, out.shape[-1]), y.reshape(-1))
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), cfg.clip)
        for p in model.parameters():
            assert p.grad is not None
            p.data.add_(p.grad, alpha=-cfg.lr)
        loss.item()
    return time.perf_counter() - t0


def trainer_loop(model: RNNModel, rows: torch.Tensor, cfg: TrainConfig) -> float:
    """One pass of rnnviz's epoch loop (optimizer, clipping, progress bar); returns seconds."""
    from rnnviz.train.trainer import Progress

    run = _Run(cfg, None, model, model, build_optimizer(cfg, model),  # type: ignore[arg-type]
               rows, 0, 1, Progress(lr=cfg.lr))
    t0 = time.perf_counter()
    run_epoch(run)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="../shared/data/ptb")
    ap.add_argument("--windows", type=int, default=40)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--cell", default="lstm")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    cfg = TrainConfig(data=args.data, out="-", cell=args.cell, layers=2, hidden=200, tied=True,
                      dropout=0.2, bptt=35, batch=20, lr=20.0, clip=0.25, progress=True,
                      checkpoint_minutes=1e9)
    ids, source = corpus_ids(args.data)
    vocab = int(ids.max()) + 1
    rows = batchify(ids, cfg.batch)[: args.windows * cfg.bptt + 1]
    torch.manual_seed(0)
    base = RNNModel(cfg.cell, vocab, cfg.hidden, cfg.layers, None, cfg.dropout, cfg.tied)
    warm = rows[: 3 * cfg.bptt + 1]
    plain_loop(copy.deepcopy(base), warm, cfg)
    trainer_loop(copy.deepcopy(base), warm, cfg)
    tokens = (len(rows) - 1) * cfg.batch
    plain, ours = [], []
    for _ in range(args.rounds):
        plain.append(tokens / plain_loop(copy.deepcopy(base), rows, cfg))
        ours.append(tokens / trainer_loop(copy.deepcopy(base), rows, cfg))
    print(json.dumps({
        "benchmark": "train_throughput",
        "data": source,
        "model": f"{cfg.layers}x{cfg.hidden} {cfg.cell} tied, vocab {vocab}",
        "batch": cfg.batch, "bptt": cfg.bptt, "windows": args.windows, "rounds": args.rounds,
        "threads": torch.get_num_threads(),
        "trainer_tokens_per_s": round(float(np.median(ours))),
        "plain_loop_tokens_per_s": round(float(np.median(plain))),
        "ratio": round(float(np.median(ours) / np.median(plain)), 3),
        "best_ratio": round(max(ours) / max(plain), 3),
        "all_trainer": [round(x) for x in ours], "all_plain": [round(x) for x in plain],
        "torch": torch.__version__, "cpu": platform.processor() or platform.machine(),
    }, indent=1))


if __name__ == "__main__":
    main()
