"""``rnnviz analyze``: run a text through a model, write states, predictions and BPTT norms."""

from __future__ import annotations

import argparse
from typing import Any

from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.vocab import Token, VocabError, ids_to_tokens
from rnnviz.cli.common import UsageError, add_model_args, engine_for, open_model, write_json
from rnnviz.cli.whatif_args import WhatIf, add_whatif_args, whatif_from_args
from rnnviz.engine.factory import rnn_only
from rnnviz.engine.network import RNNLM
from rnnviz.session.analysis import analyze as run_analysis


def add_parser(sub: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        "analyze", help="states, top-k predictions and gradient norms of a text, as JSON")
    add_model_args(p)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--text", help="the text to run")
    src.add_argument("--ids", help="comma-separated token ids, e.g. 3,14,15")
    p.add_argument("--top-k", type=int, default=10, metavar="K", help="predictions per step")
    p.add_argument("--truncate", type=int, default=0, metavar="K",
                   help="truncated BPTT with blocks of K steps (0: exact, the default)")
    p.add_argument("--prime", default="", metavar="TEXT",
                   help="text run first to set the initial state (default: zeros); for a "
                        "backward model the text that follows, read right to left before it")
    p.add_argument("--target-word", metavar="WORD",
                   help="the loss of the last position traces this word (default: the model's "
                        "top guess); one token of the model's vocabulary (a classifier: a class "
                        "name)")
    p.add_argument("--json", default="-", metavar="OUT", help="output file ('-': stdout)")
    add_whatif_args(p)
    return p


def target_id(model: LoadedModel, word: str) -> int:
    """The id of a word given as the traced target: exactly one in-vocabulary token (a
    classifier: one of its class names)."""
    if model.classes:
        if word not in model.classes:
            raise UsageError(f"--target-word {word!r} is not a class of this classifier "
                             f"({', '.join(model.classes)})")
        return model.classes.index(word)
    try:
        toks = model.tokenize(word)
    except VocabError as e:
        raise UsageError(f"--target-word: {e}") from None
    if len(toks) != 1 or toks[0].oov:
        what = "is not in the vocabulary" if len(toks) == 1 else f"is {len(toks)} tokens"
        raise UsageError(f"--target-word {word!r} {what}; give one token of the vocabulary")
    return toks[0].id


def _tokens(args: argparse.Namespace, model: LoadedModel) -> list[Token]:
    try:
        if args.ids is not None:
            ids = [int(x) for x in args.ids.replace(" ", "").split(",") if x]
            tokens = ids_to_tokens(ids, model.vocab)
        else:
            tokens = model.tokenize(args.text)
    except ValueError as e:  # VocabError or a non-integer id
        raise UsageError(str(e) if isinstance(e, VocabError) else f"bad --ids: {e}") from None
    if not tokens:
        raise UsageError("the text has no tokens")
    return tokens


def analyze(model: LoadedModel, tokens: list[Token], top_k: int = 10, truncate: int | None = None,
            prime: list[Token] | None = None, target: int | None = None,
            whatif: WhatIf | None = None) -> dict[str, Any]:
    """The analyze document (README documents the schema; rnnviz.session.analysis builds it).
    target: the token id the last position's loss traces (default: the top-1 prediction);
    ``whatif``: an intervened run and the what-if blocks (rnnviz.cli.whatif_args)."""
    run = run_analysis(model, tokens, top_k, truncate, prime, target,
                       None if whatif is None else whatif.trace)
    doc = run.to_dict()
    if whatif is not None:
        assert run.engine is not None and run.trace is not None
        doc |= whatif.blocks(model, rnn_only(run.engine, "what-if options"), tokens,
                             run.initial_state, run.trace, top_k)
    return doc


def _kind_words(model: LoadedModel) -> str:
    """'an RWKV model', 'a backward language model', 'a classifier'... for messages."""
    if model.direction == "backward":
        return "a backward language model"
    return {"rwkv": "an RWKV model", "cbow": "a CBOW model", "classifier": "a classifier",
            "bidirectional": "a bidirectional model"}.get(model.kind, "another kind of model")


def run(args: argparse.Namespace) -> int:
    if args.top_k < 1:
        raise UsageError("--top-k must be at least 1")
    if args.truncate < 0:
        raise UsageError("--truncate must be 0 (exact) or a positive block length")
    model = open_model(args)
    tokens = _tokens(args, model)
    prime = model.tokenize(args.prime) if args.prime else None
    engine = engine_for(model)
    whatif = None
    if isinstance(engine, RNNLM) and model.direction == "forward" and model.task == "lm":
        whatif = whatif_from_args(args, model, engine)
    elif any(getattr(args, k, None) for k in ("compare_text", "ablate", "clamp", "scale",
                                               "reset", "attribute")):
        raise UsageError("what-if options work on forward RNN, LSTM and GRU language models; "
                         f"this is {_kind_words(model)}")
    target = None if args.target_word is None else target_id(model, args.target_word)
    doc = analyze(model, tokens, args.top_k, args.truncate or None, prime, target, whatif)
    write_json(doc, args.json)
    return 0
