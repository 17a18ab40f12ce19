"""``rnnviz generate``: continue a prompt (greedy, sampled with a seed, or beam search)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import numpy as np

from rnnviz.checkpoints.model import LoadedModel
from rnnviz.cli.common import UsageError, add_model_args, open_model, write_json
from rnnviz.engine.factory import build_engine, rnn_only
from rnnviz.engine.generate import BeamTree, Sampling, beam_search, sample


def add_parser(sub: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        "generate", help="continue a prompt: greedy, sampling (seeded) or beam search")
    add_model_args(p)
    p.add_argument("--prompt", required=True, help="the text to continue")
    p.add_argument("--tokens", type=int, default=20, metavar="N", help="tokens to generate")
    p.add_argument("--temperature", type=float, default=None, metavar="T",
                   help="sample at temperature T (0: greedy; default greedy, or 1 when "
                        "--top-k/--top-p is given)")
    p.add_argument("--top-k", type=int, default=0, metavar="K",
                   help="sample among the K most likely tokens (0: all)")
    p.add_argument("--top-p", type=float, default=1.0, metavar="P",
                   help="sample among the most likely tokens holding mass P (nucleus)")
    p.add_argument("--beam", type=int, default=0, metavar="B",
                   help="beam search with B beams (ignores the sampling flags)")
    p.add_argument("--seed", type=int, default=0, metavar="S",
                   help="random seed; the same seed gives the same text (default 0)")
    p.add_argument("--json", default=None, metavar="OUT",
                   help="write a JSON document (tokens, log-probabilities, beam tree) to OUT "
                        "('-': stdout) instead of printing the text")
    return p


def join(tokens: list[str], tokenizer: str) -> str:
    """Tokens -> text: characters run together, words are separated by spaces."""
    return "".join(tokens) if tokenizer == "char" else " ".join(tokens)


def _sampling(args: argparse.Namespace) -> Sampling:
    temp = args.temperature
    if temp is None:
        temp = 1.0 if (args.top_k or args.top_p < 1.0) else 0.0
    try:
        return Sampling(temp, args.top_k, args.top_p)
    except ValueError as e:
        raise UsageError(str(e)) from None


def _tree_json(tree: BeamTree, model: LoadedModel) -> dict[str, Any]:
    words = model.vocab.tokens
    return {
        "nodes": [{"index": n.index, "token": None if n.token < 0 else words[n.token],
                   "token_id": None if n.token < 0 else n.token, "logp": n.logp,
                   "parent": None if n.parent < 0 else n.parent, "depth": n.depth}
                  for n in tree.nodes],
        "final": tree.final,
    }


def generate(model: LoadedModel, prompt: str, n: int, sampling: Sampling, beam: int = 0,
             seed: int = 0) -> dict[str, Any]:
    """The generate document: prompt, generated tokens with log p, and the beam tree. A
    backward model reads the prompt from its last token to its first and writes before it:
    ``tokens`` are in the order it wrote them, ``text`` in text order."""
    tokens = model.tokenize(prompt)
    if not tokens:
        raise UsageError("the prompt has no tokens")
    try:
        engine = rnn_only(build_engine(model.params), "generation")
    except ValueError as e:
        raise UsageError(str(e)) from None
    backward = model.direction == "backward"
    read = tokens[::-1] if backward else tokens
    last = engine.run([t.id for t in read])[-1]
    doc: dict[str, Any] = {"model": model.summary(), "direction": model.direction,
                           "prompt": [t.text for t in tokens],
                           "prompt_ids": [t.id for t in tokens]}
    if beam:
        tree = beam_search(engine, last.state, last.logits, n, beam)
        ids = tree.best()
        logps = [tree.nodes[i].logp for i in _chain(tree)]
        logps = [b - a for a, b in zip([0.0, *logps[:-1]], logps, strict=True)]
        doc |= {"method": "beam", "settings": {"beam": beam}, "beam": _tree_json(tree, model)}
    else:
        out = sample(engine, last.state, last.logits, n, sampling, np.random.default_rng(seed))
        ids, logps = out.ids, out.logps
        doc |= {"method": "greedy" if sampling.temperature == 0 else "sample",
                "settings": {"temperature": sampling.temperature, "top_k": sampling.top_k,
                             "top_p": sampling.top_p, "seed": seed}}
    words = [model.vocab.tokens[i] for i in ids]
    prompt_words = [t.text for t in tokens]
    text = words[::-1] + prompt_words if backward else prompt_words + words
    doc |= {"tokens": words, "token_ids": ids, "logps": logps, "total_logp": float(sum(logps)),
            "text": join(text, model.tokenizer)}
    return doc


def _chain(tree: BeamTree) -> list[int]:
    """Node indices of the best path, root's child first."""
    out, i = [], tree.final[0]
    while i > 0:
        out.append(i)
        i = tree.nodes[i].parent
    return out[::-1]


def run(args: argparse.Namespace) -> int:
    if args.tokens < 1:
        raise UsageError("--tokens must be at least 1")
    if args.beam < 0:
        raise UsageError("--beam must be >= 1 (or 0: no beam search)")
    sampling = _sampling(args)
    model = open_model(args)
    doc = generate(model, args.prompt, args.tokens, sampling, args.beam, args.seed)
    if args.json is None:
        sys.stdout.write(doc["text"] + "\n")
    else:
        write_json(doc, args.json)
    return 0
