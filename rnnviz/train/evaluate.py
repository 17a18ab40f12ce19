"""Perplexity with the book's protocol: B rows spaced evenly, windows of K, state carried."""

from __future__ import annotations

import math

import numpy as np
import torch

from rnnviz.train.corpus import IDS
from rnnviz.train.model import RNNModel

BOOK_BATCH = 10
BOOK_BPTT = 35


def book_streams(ids: IDS, batch: int = BOOK_BATCH, bptt: int = BOOK_BPTT) -> tuple[IDS, IDS]:
    """Inputs and targets (T, B) as 'Deep Learning from Scratch 2' ``eval_perplexity`` reads them.

    Row b starts at ``b * ((N - 1) // batch)``; T = ((N - 1) // (batch * bptt)) * bptt.
    """
    n = len(ids)
    iters = (n - 1) // (batch * bptt)
    if iters < 1:
        raise ValueError(f"{n} tokens are too few for batch {batch} x bptt {bptt}")
    jump = (n - 1) // batch
    pos = np.arange(iters * bptt)[:, None] + (np.arange(batch) * jump)[None, :]
    return ids[pos % n], ids[(pos + 1) % n]


def fit_batch(n: int, batch: int = BOOK_BATCH, bptt: int = BOOK_BPTT) -> int:
    """``batch``, or fewer rows when N tokens cannot fill one window of each."""
    return max(1, min(batch, (n - 1) // bptt))


@torch.inference_mode()
def mean_nll(model: RNNModel, ids: IDS, batch: int = BOOK_BATCH, bptt: int = BOOK_BPTT,
             device: str = "cpu") -> float:
    """Mean negative log-likelihood (nats per token) over the book's windows."""
    was_training = model.training
    model.eval()
    xs, ts = book_streams(ids, batch, bptt)
    x_all = torch.from_numpy(xs).to(device)
    t_all = torch.from_numpy(ts).to(device)
    hidden = model.init_hidden(batch)
    total = 0.0
    for i in range(0, len(xs), bptt):
        logits, hidden = model(x_all[i:i + bptt], hidden)
        loss = torch.nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]), t_all[i:i + bptt].reshape(-1), reduction="sum")
        total += float(loss)
    model.train(was_training)
    return total / xs.size


def perplexity(model: RNNModel, ids: IDS, batch: int = BOOK_BATCH, bptt: int = BOOK_BPTT,
               device: str = "cpu") -> float:
    """exp(mean NLL) with the book's protocol."""
    return math.exp(mean_nll(model, ids, batch, bptt, device))
