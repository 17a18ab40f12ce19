"""``rnnviz eval``: corpus perplexity with the book's protocol, on the numpy engine.

'Deep Learning from Scratch 2' ``eval_perplexity``: the N token ids form ``batch`` parallel
streams starting ``jump = (N - 1) // batch`` apart; ``(N - 1) // (batch * bptt)`` windows of
``bptt`` steps are read, the state carried from one window to the next, and every window's
targets count (so ``iters * batch * bptt`` tokens). ``--batch 1`` is one continuous stream from
a zero state over all N - 1 next-token predictions.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.vocab import UNK, VocabError
from rnnviz.cli.common import UsageError, add_model_args, open_model, write_json
from rnnviz.engine.factory import Engine, build_engine
from rnnviz.engine.network import State

IDS = NDArray[np.int64]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = subparsers.add_parser(
        "eval", help="corpus perplexity (the book's protocol)",
        description="Perplexity of a model on a text corpus. Default: the book's eval_perplexity "
                    "(batch 10 parallel streams, 35-step windows, state carried over).")
    add_model_args(p)
    p.add_argument("--data", required=True, metavar="TEXT",
                   help="corpus, one sentence a line (<eos> after each line), e.g. ptb.test.txt")
    p.add_argument("--batch", type=int, default=10,
                   help="parallel streams (default 10; 1 = one continuous stream)")
    p.add_argument("--bptt", type=int, default=35, help="steps per window (default 35)")
    p.add_argument("--max-tokens", type=int, metavar="N", help="use only the first N tokens")
    p.add_argument("--json", metavar="OUT", help="write {perplexity, tokens, seconds} here "
                                                 "('-' for stdout)")
    return p


def corpus_ids(path: str, model: LoadedModel, limit: int | None = None) -> tuple[IDS, int]:
    """Token ids of a corpus file (the first ``limit`` when given) and how many of those were
    out of vocabulary (read as <unk>).

    Word models (ptb, words): each line's whitespace words then <eos> (as the book and
    pytorch/examples read PTB and wikitext). Character models: the model's own tokenizer over
    the whole text.
    """
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise UsageError(f"{path}: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text") from None
    ids, oov = _all_ids(path, text, model)
    return ids[:limit], int(oov[:limit].sum())  # OOV over the tokens used, not the whole file


def _all_ids(path: str, text: str, model: LoadedModel) -> tuple[IDS, NDArray[np.bool_]]:
    """Every token id of the text and an out-of-vocabulary mask."""
    try:
        toks = model.corpus_tokens(text)
    except VocabError as e:
        raise UsageError(f"{path}: {e}") from None
    return np.array([t.id for t in toks], np.int64), np.array([t.oov for t in toks], bool)


def windows(n: int, batch: int, bptt: int) -> list[tuple[IDS, IDS]]:
    """(input positions, target positions), each (batch, steps), window by window."""
    if batch == 1:
        starts = range(0, n - 1, bptt)
        return [(np.arange(s, min(s + bptt, n - 1))[None, :],
                 np.arange(s + 1, min(s + bptt, n - 1) + 1)[None, :]) for s in starts]
    iters = (n - 1) // (batch * bptt)
    jump = (n - 1) // batch
    offsets = np.arange(batch)[:, None] * jump
    out = []
    for it in range(iters):
        pos = offsets + it * bptt + np.arange(bptt)[None, :]
        out.append((pos % n, (pos + 1) % n))
    return out


def _window_nll(net: Engine, xs: IDS, ts: IDS, state: State | None) -> tuple[float, State]:
    """Summed negative log-likelihood of the targets of one window, and the carried state."""
    logits, state = net.forward(xs, state)
    top = logits.max(axis=-1, keepdims=True)
    picked = np.take_along_axis(logits, ts[..., None], axis=-1)[..., 0] - top[..., 0]
    z = np.subtract(logits, top, out=logits)
    lse = np.log(np.exp(z, out=z).sum(axis=-1, dtype=np.float64))
    return float((lse - picked).sum()), state


def _progress(total: int) -> Iterator[None]:
    from tqdm import tqdm

    bar = tqdm(total=total, unit="window", file=sys.stderr, disable=not sys.stderr.isatty(),
               leave=False, desc="eval")
    try:
        for _ in range(total):
            yield
            bar.update(1)
    finally:
        bar.close()


def perplexity(model: LoadedModel, ids: IDS, batch: int, bptt: int) -> tuple[float, int]:
    """(perplexity, counted tokens) of ``ids`` under the protocol described in the module."""
    net = build_engine(model.params)
    wins = windows(len(ids), batch, bptt)
    _check_length(len(ids), batch, bptt)
    total, count, state = 0.0, 0, None
    for (xp, tp), _ in zip(wins, _progress(len(wins)), strict=True):
        nll, state = _window_nll(net, ids[xp], ids[tp], state)
        total += nll
        count += tp.size
    return math.exp(total / count), count


def _check_length(n: int, batch: int, bptt: int) -> None:
    need = batch * bptt + 1 if batch > 1 else 2
    if n < need:
        raise UsageError(f"{n} tokens are too few for --batch {batch} --bptt {bptt} "
                         f"(need at least {need})")


def _check_args(args: argparse.Namespace) -> None:
    if args.batch < 1 or args.bptt < 1:
        raise UsageError("--batch and --bptt must be at least 1")
    if args.max_tokens is not None and args.max_tokens < 2:
        raise UsageError("--max-tokens must be at least 2")


def run(args: argparse.Namespace) -> int:
    _check_args(args)
    model = open_model(args)
    ids, oov = corpus_ids(args.data, model, args.max_tokens)
    _check_length(len(ids), args.batch, args.bptt)
    if oov:
        print(f"rnnviz: note: {oov} tokens of the {len(ids)} used from {args.data} are not in "
              f"the vocabulary (read as {UNK})", file=sys.stderr)
    start = time.perf_counter()
    ppl, tokens = perplexity(model, ids, args.batch, args.bptt)
    seconds = time.perf_counter() - start
    print(f"perplexity {ppl:.2f} over {tokens} tokens (batch {args.batch}, bptt {args.bptt}) "
          f"in {seconds:.1f} s")
    if args.json:
        report = {"perplexity": ppl, "tokens": tokens, "seconds": round(seconds, 3),
                  "batch": args.batch, "bptt": args.bptt, "checkpoint": args.checkpoint,
                  "data": args.data}
        write_json(report, args.json, indent=2)
    return 0
