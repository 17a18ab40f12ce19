"""Pieces shared by the subcommands: model-loading flags and the one-line error exit."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from rnnviz.checkpoints.errors import CheckpointError
from rnnviz.checkpoints.loader import VocabOptions, load_model
from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.vocab import TOKENIZERS, VocabError
from rnnviz.engine.factory import Engine, NotForThisModel, build_engine
from rnnviz.engine.params import ParamError

EXIT_BAD_INPUT = 2


class UsageError(Exception):
    """Bad input from the user; main() prints it as one line and exits 2."""


def fail(message: str) -> int:
    """Print ``rnnviz: error: MESSAGE`` (one line) to stderr and return exit code 2."""
    line = " ".join(str(message).split())
    print(f"rnnviz: error: {line}", file=sys.stderr)
    return EXIT_BAD_INPUT


def add_model_args(p: argparse.ArgumentParser) -> None:
    """CHECKPOINT plus the vocabulary/cell flags that mean the same on every subcommand."""
    p.add_argument("checkpoint", help="model file (.safetensors, .pt/.pth, the book's .pkl)")
    p.add_argument("--vocab", metavar="FILE",
                   help="vocabulary: one token a line, or the book's ptb.vocab.pkl")
    p.add_argument("--vocab-corpus", metavar="FILE", nargs="+",
                   help="build the vocabulary from corpus files (first appearance, <eos> per line; "
                        "give train, valid, test in that order)")
    p.add_argument("--cell", choices=("rnn_tanh", "rnn_relu"),
                   help="nonlinearity of PyTorch RNN files; shapes cannot tell (default tanh)")
    p.add_argument("--tokenizer", choices=TOKENIZERS,
                   help="how text becomes tokens: ptb (PTB rules), words (the vocabulary's own "
                        "spellings, wikitext style), char; default: the file's, else inferred "
                        "from the vocabulary")
    p.add_argument("--classes", metavar="NAMES",
                   help='a classifier\'s class names in its output order, e.g. "neg,pos" '
                        "(PyTorch files carry none; default 'class 0', 'class 1', ...)")
    p.add_argument("--labels", metavar="FILE",
                   help="a classifier's class names, one a line (instead of --classes)")
    p.add_argument("--pool", choices=("last-output", "final-states"),
                   help="what a PyTorch classifier's fc reads: the last step's output "
                        "out[:, -1, :] (default, SampleRNN) or both directions' final states "
                        "h_n (a state_dict cannot tell)")


def open_model(args: argparse.Namespace) -> LoadedModel:
    """Load args.checkpoint with the vocabulary flags; errors become UsageError (one line)."""
    classes = getattr(args, "classes", None)
    opts = VocabOptions(vocab_file=args.vocab, vocab_corpus=tuple(args.vocab_corpus or ()),
                        cell=args.cell, tokenizer=getattr(args, "tokenizer", None),
                        classes=tuple(c for c in (classes or "").split(",") if c.strip()),
                        labels_file=getattr(args, "labels", None),
                        pool=getattr(args, "pool", None))
    try:
        model = load_model(args.checkpoint, opts)
    except (CheckpointError, VocabError, ParamError) as e:
        raise UsageError(f"{args.checkpoint}: {e}") from None
    except OSError as e:
        raise UsageError(f"{args.checkpoint}: {e.strerror or e}") from None
    for notice in model.notices:
        print(f"rnnviz: note: {notice}", file=sys.stderr)
    return model


def engine_for(model: LoadedModel) -> Engine:
    """The model's engine; a kind without one is a UsageError (one line)."""
    try:
        return build_engine(model.params)
    except NotForThisModel as e:
        raise UsageError(f"{model.path or model.name}: {e}") from None


def write_json(doc: Any, dest: str, indent: int | None = None) -> None:
    """Write a JSON document to a file, or to stdout for '-'; an unwritable file is a UsageError."""
    text = json.dumps(doc, indent=indent) + "\n"
    if dest == "-":
        sys.stdout.write(text)
        return
    try:
        with open(dest, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        raise UsageError(f"cannot write {dest}: {e.strerror or e}") from None
