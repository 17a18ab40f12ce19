"""``rnnviz convert``: any supported model file -> one self-describing native .safetensors file."""

from __future__ import annotations

import argparse
import hashlib
import os
from pathlib import Path
from typing import Any

from rnnviz.checkpoints import native
from rnnviz.cli.common import UsageError, add_model_args, open_model


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = subparsers.add_parser(
        "convert", help="write a model as a native .safetensors file",
        description="Convert a PyTorch file or one of the book's pickles (with its vocabulary) "
                    "into rnnviz's native .safetensors format, recording where it came from.")
    add_model_args(p)
    p.add_argument("output", metavar="OUT.safetensors", help="file to write")
    return p


def sha256_of(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def run(args: argparse.Namespace) -> int:
    out = Path(args.output)
    if out.suffix != ".safetensors":
        raise UsageError(f"{out}: the output must end in .safetensors")
    if out.exists() and os.path.samefile(out, args.checkpoint):
        raise UsageError(f"{out}: refusing to overwrite the input")
    model = open_model(args)
    meta: dict[str, Any] = {k: v for k, v in model.meta.items()
                            if k not in ("source_file", "source_sha256")}
    meta.setdefault("name", Path(args.checkpoint).stem)
    meta.update(source_file=Path(args.checkpoint).name, source_format=model.format,
                source_sha256=sha256_of(args.checkpoint))
    if model.notices:
        meta["conversion_notes"] = list(model.notices)
    try:
        native.save(out, model.params, model.vocab, model.tokenizer, meta)
    except OSError as e:
        raise UsageError(f"{out}: {e.strerror or e}") from None
    p = model.params
    print(f"wrote {out}: {p.cell}, {p.num_layers} layer(s), hidden {p.hidden_size}, "
          f"vocabulary {p.vocab_size} (from {model.format})")
    return 0
