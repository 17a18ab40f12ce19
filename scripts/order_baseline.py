#!/usr/bin/env python
"""Order-blind baselines for a ``label<TAB>sentence`` task (such as make_order_task.py's):
the majority class, and a bag-of-words logistic regression (word counts -> class logits).

    python scripts/order_baseline.py --data runs/ptb-order [--epochs 5] [--seed 0]

Prints one JSON object: majority-class and bag-of-words accuracy on valid and test (the
epoch with the best validation accuracy is reported). Both see each sentence's words but not
their order, so on the real-or-shuffled task they should be at chance.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from rnnviz.train.classify import Examples, load_labeled


def bags(ex: Examples, rows: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    """EmbeddingBag inputs: the concatenated ids and each sentence's offset."""
    seqs = [ex.ids[i] for i in rows]
    offsets = np.cumsum([0] + [len(s) for s in seqs[:-1]])
    return torch.from_numpy(np.concatenate(seqs)), torch.from_numpy(offsets)


def accuracy(model: nn.Module, ex: Examples) -> float:
    with torch.no_grad():
        ids, offsets = bags(ex, np.arange(len(ex)))
        pred = model(ids, offsets).argmax(1).numpy()
    return float((pred == ex.labels).mean())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True, help="directory with train/valid/test.txt")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    torch.manual_seed(args.seed)
    data = load_labeled(args.data)
    assert data.test is not None, "the task needs a test.txt"
    majority = int(np.bincount(data.train.labels).argmax())
    out: dict[str, object] = {
        "classes": list(data.classes),
        "majority_class": data.classes[majority],
        "majority_valid_accuracy": float((data.valid.labels == majority).mean()),
        "majority_test_accuracy": float((data.test.labels == majority).mean()),
    }
    model = nn.EmbeddingBag(len(data.vocab), len(data.classes), mode="sum")  # counts @ W
    bias = nn.Parameter(torch.zeros(len(data.classes)))
    opt = torch.optim.Adam([*model.parameters(), bias], lr=0.01)

    def net(ids: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
        return model(ids, offsets) + bias

    best = (-1.0, 0.0, 0)
    rng = np.random.default_rng(args.seed)
    for epoch in range(1, args.epochs + 1):
        order = rng.permutation(len(data.train))
        for i in range(0, len(order), 256):
            rows = order[i:i + 256]
            logits = net(*bags(data.train, rows))
            loss = nn.functional.cross_entropy(logits, torch.from_numpy(data.train.labels[rows]))
            opt.zero_grad()
            loss.backward()
            opt.step()
        valid = accuracy(net, data.valid)  # type: ignore[arg-type]
        if valid > best[0]:
            best = (valid, accuracy(net, data.test), epoch)  # type: ignore[arg-type]
    out.update(bow_train_accuracy=accuracy(net, data.train),  # type: ignore[arg-type]
               bow_valid_accuracy=best[0], bow_test_accuracy=best[1], bow_best_epoch=best[2],
               bow_epochs=args.epochs)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
