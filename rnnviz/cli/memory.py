"""``rnnviz memory``: corpus-averaged memory curves of one or more models, as JSON.

For each model, the first N tokens of the corpus (read as ``eval`` reads it) run as one stream
from the zero state; for targets t = D..N-2 and d = 0..D the exact BPTT norms
||d l_t / d h^(l)_{t-d}||, ||d l_t / d c^(l)_{t-d}|| (LSTM) and ||d l_t / d e_{t-d}|| are
summarised per d by numpy's median and 25% / 75% quantiles; the span of a path is the largest d
whose median is still >= 1% of its value at d = 0.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from rnnviz.checkpoints.model import LoadedModel
from rnnviz.cli.common import UsageError, open_model, write_json
from rnnviz.engine.memory import MemoryCurves, Quantiles
from rnnviz.session.memory import (
    DEFAULT_DISTANCE,
    DEFAULT_TOKENS,
    CorpusError,
    models_memory,
    read_text,
    stream_ids,
)


def add_parser(sub: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        "memory", help="median gradient norm against distance over a corpus, per model and path",
        description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("checkpoints", nargs="+", metavar="MODEL",
                   help="model files (.safetensors, .pt/.pth, the book's .pkl)")
    p.add_argument("--data", required=True, metavar="FILE",
                   help="corpus, one sentence a line (<eos> after each line), e.g. ptb.valid.txt")
    p.add_argument("--tokens", type=int, default=DEFAULT_TOKENS, metavar="N",
                   help=f"use the first N tokens (default {DEFAULT_TOKENS})")
    p.add_argument("--max-distance", type=int, default=DEFAULT_DISTANCE, metavar="D",
                   help=f"largest distance d (default {DEFAULT_DISTANCE})")
    p.add_argument("--json", default="-", metavar="OUT", help="output file ('-': stdout)")
    p.add_argument("--vocab", metavar="FILE",
                   help="vocabulary for every model: one token a line, or the book's ptb.vocab.pkl")
    p.add_argument("--cell", choices=("rnn_tanh", "rnn_relu"),
                   help="nonlinearity of PyTorch RNN files; shapes cannot tell (default tanh)")
    return p


def _stats(q: Quantiles, attr: str) -> list[Any]:
    out: list[Any] = getattr(q, attr).tolist()
    return out


def _paths(curves: MemoryCurves, attr: str) -> dict[str, Any]:
    """{"h": per layer, "c": per layer or None, "input": one list} of one statistic."""
    return {"h": _stats(curves.h, attr),
            "c": None if curves.c is None else _stats(curves.c, attr),
            "input": _stats(curves.inputs, attr)}


def model_json(file: str, model: LoadedModel, curves: MemoryCurves) -> dict[str, Any]:
    """One entry of the ``models`` list (the issue's schema)."""
    return {
        "file": file,
        "cell": model.params.cell,
        "median": _paths(curves, "median"),
        "q25": _paths(curves, "q25"),
        "q75": _paths(curves, "q75"),
        "span": {"h": curves.h.span.tolist(),
                 "c": None if curves.c is None else curves.c.span.tolist(),
                 "input": int(curves.inputs.span)},
    }


def _open(path: str, args: argparse.Namespace) -> LoadedModel:
    ns = argparse.Namespace(checkpoint=path, vocab=args.vocab, vocab_corpus=None, cell=args.cell)
    return open_model(ns)


def run(args: argparse.Namespace) -> int:
    if args.tokens < 2:
        raise UsageError("--tokens must be at least 2")
    if args.max_distance < 0:
        raise UsageError("--max-distance must be >= 0")
    models = [_open(p, args) for p in args.checkpoints]
    start = time.perf_counter()
    try:
        text = read_text(args.data)
        for m in models:
            ids, oov = stream_ids(text, m, args.tokens)
            if oov:
                print(f"rnnviz: note: {m.name}: {oov} of the first {len(ids)} tokens are not in "
                      "the vocabulary (read as <unk>)", file=sys.stderr)
        curves = models_memory(models, text, args.tokens, args.max_distance)
    except CorpusError as e:
        msg = str(e) if str(e).startswith(args.data) else f"{args.data}: {e}"
        raise UsageError(msg) from None
    seconds = time.perf_counter() - start
    doc = {"data": args.data, "tokens": min(c.tokens for c in curves),
           "max_distance": args.max_distance,
           "models": [model_json(p, m, c)
                      for p, m, c in zip(args.checkpoints, models, curves, strict=True)]}
    write_json(doc, args.json)
    print(f"memory of {len(models)} model(s) over {doc['tokens']} tokens, d <= "
          f"{args.max_distance}, in {seconds:.1f} s", file=sys.stderr)
    return 0
