"""``rnnviz inspect``: a readable summary of a model file and its provenance."""

from __future__ import annotations

import argparse
import json
from typing import Any

from rnnviz.checkpoints.model import LoadedModel
from rnnviz.cli.common import add_model_args, open_model
from rnnviz.engine.factory import parameter_count


def add_parser(sub: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser("inspect", help="summary of a model file")
    add_model_args(p)
    return p


_SHOWN = ("name", "direction", "task", "classes", "pool", "window", "bidirectional", "one_hot")


def _value(v: Any) -> str:
    return v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)


def describe(model: LoadedModel) -> list[str]:
    """Lines of the summary: architecture, vocabulary, then every metadata entry."""
    p, s = model.params, model.summary()
    n_params = parameter_count(p)
    vocab = model.vocab.tokens
    head = ", ".join(repr(t) for t in vocab[:8]) + (", ..." if len(vocab) > 8 else "")
    lines = [
        f"file:        {model.path}",
        f"format:      {s['format']}",
        f"name:        {model.name}",
        f"cell:        {s['cell']}",
        f"layers:      {s['layers']} x {s['hidden_size']} units"
        + (" per direction" if s.get("bidirectional") else ""),
        f"embedding:   {s['embedding_size']}",
        f"vocabulary:  {s['vocab_size']} tokens (tokenizer {model.tokenizer}): {head}",
        f"tied:        {'yes' if s['tied'] else 'no'}",
        f"parameters:  {n_params:,}",
        *kind_lines(model),
    ]
    for key, val in model.meta.items():
        if key in _SHOWN:  # the name and the kind lines say these already
            continue
        if key == "subword_tokenizer" and isinstance(val, dict):  # the file's text: name it only
            val = f"{val.get('kind')} ({len(str(val.get('text', '')))} characters stored)"
        lines.append(f"{key + ':':<12} {_value(val)}")
    lines += [f"note:        {n}" for n in model.notices]
    return lines


def kind_lines(model: LoadedModel) -> list[str]:
    """Kind, direction, and a classifier's classes and pooling, a CBOW model's window."""
    k = model.kind_summary()
    kind = {"rnn": "language model", "bidirectional": "bidirectional language model",
            "classifier": "many-to-one classifier", "cbow": "CBOW language model (order-blind)",
            "rwkv": "RWKV language model"}[k["kind"]]
    if k["kind"] == "classifier":
        kind += " (bidirectional)" if k["bidirectional"] else ""
        kind += ", one-hot input" if k["one_hot"] else ""
    lines = [f"kind:        {kind}", f"direction:   {k['direction']}"
             + (" (reads right to left, predicts the previous word)"
                if k["direction"] == "backward" else "")]
    if "classes" in k:
        lines += [f"classes:     {len(k['classes'])}: {', '.join(k['classes'])}",
                  f"pool:        {k['pool']}"]
    if "window" in k:
        lines.append(f"window:      {k['window']} words")
    return lines


def run(args: argparse.Namespace) -> int:
    print("\n".join(describe(open_model(args))))
    return 0
