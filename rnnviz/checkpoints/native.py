"""The native format: one .safetensors file, PyTorch tensor names, JSON metadata under 'rnnviz'."""

from __future__ import annotations

import json
import os
import struct
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from rnnviz.checkpoints.errors import CheckpointError
from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.options import VocabOptions
from rnnviz.checkpoints.vocab import TOKENIZER_ALIASES, Vocab, VocabError, normalize_tokenizer
from rnnviz.engine.factory import AnyParams
from rnnviz.engine.params import CELLS, ModelParams, ParamError, from_named_arrays, named_arrays
from rnnviz.engine.rwkv_params import RWKV_CELLS, RwkvParams

META_KEY = "rnnviz"
TIED_NAME = "decoder.weight"  # absent in a tied model's file: it is encoder.weight
_MAX_HEADER = 100 * 1024 * 1024


def save(path: str | Path, params: AnyParams, vocab: Vocab, tokenizer: str,
         meta: dict[str, Any] | None = None) -> None:
    """Write params + vocabulary as a native checkpoint (atomic: temp file then rename)."""
    from safetensors.numpy import save_file

    if not isinstance(params, ModelParams | RwkvParams):
        raise ValueError(f"the native format cannot store {type(params).__name__} yet")

    if len(vocab) != params.vocab_size:
        raise ValueError(f"vocabulary has {len(vocab)} tokens but the model {params.vocab_size}")
    info = dict(meta or {})
    info.update(cell=params.cell, vocab=list(vocab.tokens),
                tokenizer=normalize_tokenizer(tokenizer))
    if isinstance(params, RwkvParams):  # BlinkDL's names, as the engine keeps them
        tensors = {k: np.ascontiguousarray(v) for k, v in params.arrays.items()}
        tied_name = "head.weight"
    else:
        tensors = {k: np.ascontiguousarray(v) for k, v in named_arrays(params).items()}
        tied_name = TIED_NAME
    if params.tied:  # stored once, as safetensors.torch.save_model stores shared tensors
        del tensors[tied_name]
    tmp = f"{path}.tmp{os.getpid()}"
    save_file(tensors, tmp, metadata={META_KEY: json.dumps(info, ensure_ascii=False)})
    os.replace(tmp, path)


def _read_header(path: str | Path) -> dict[str, Any]:
    """Parse and sanity-check the safetensors header without loading tensors."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        head = f.read(8)
        if len(head) < 8:
            raise CheckpointError("file is too short to be a safetensors file")
        (n,) = struct.unpack("<Q", head)
        if n > min(size - 8, _MAX_HEADER):
            raise CheckpointError("not a safetensors file (header length is impossible)")
        try:
            header = json.loads(f.read(n))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise CheckpointError(f"safetensors header is not valid JSON ({e})") from None
    if not isinstance(header, dict):
        raise CheckpointError("safetensors header is not a JSON object")
    data = size - 8 - n
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        offs = entry.get("data_offsets") if isinstance(entry, dict) else None
        if not (isinstance(offs, list) and len(offs) == 2 and 0 <= offs[0] <= offs[1] <= data):
            raise CheckpointError(f"tensor {name!r} lies outside the file (truncated file?)")
    return header


def _parse_meta(header: dict[str, Any]) -> dict[str, Any]:
    raw = (header.get("__metadata__") or {}).get(META_KEY)
    if raw is None:
        raise CheckpointError(f"no '{META_KEY}' metadata: not an rnnviz checkpoint "
                              "(for a PyTorch state_dict use a .pt file and --vocab)")
    try:
        meta = json.loads(raw)
    except json.JSONDecodeError as e:
        raise CheckpointError(f"'{META_KEY}' metadata is not valid JSON ({e})") from None
    if not isinstance(meta, dict):
        raise CheckpointError(f"'{META_KEY}' metadata must be a JSON object")
    for key in ("cell", "vocab", "tokenizer"):
        if key not in meta:
            raise CheckpointError(f"'{META_KEY}' metadata lacks the required key {key!r}")
    if meta["cell"] not in CELLS + RWKV_CELLS:
        raise CheckpointError(f"unknown cell {meta['cell']!r} "
                              f"(expected one of {', '.join(CELLS + RWKV_CELLS)})")
    try:
        meta["tokenizer"] = normalize_tokenizer(meta["tokenizer"])  # 'word' (older files): ptb
    except (VocabError, TypeError):
        raise CheckpointError(f"unknown tokenizer {meta['tokenizer']!r} (expected ptb, words or "
                              f"char; older files say {', '.join(TOKENIZER_ALIASES)})") from None
    if not (isinstance(meta["vocab"], list) and all(isinstance(t, str) for t in meta["vocab"])):
        raise CheckpointError("'vocab' must be a list of strings")
    return meta


def load(path: str | Path) -> LoadedModel:
    """Read a native checkpoint; any problem raises CheckpointError with a one-line message."""
    from safetensors import SafetensorError
    from safetensors.numpy import load_file

    path = str(path)
    try:
        header = _read_header(path)
        meta = _parse_meta(header)
        if meta["cell"] in RWKV_CELLS:
            from rnnviz.checkpoints.rwkv_native import load_rwkv

            return load_rwkv(path, header, meta)
        arrays = load_file(path)
    except OSError as e:
        raise CheckpointError(f"cannot read {path}: {e.strerror or e}") from None
    except (SafetensorError, ValueError) as e:
        if isinstance(e, CheckpointError):
            raise
        raise CheckpointError(f"not a valid safetensors file ({e})") from None
    if TIED_NAME not in arrays and "encoder.weight" in arrays:
        arrays[TIED_NAME] = arrays["encoder.weight"]  # tied: one matrix, two roles
    try:
        params = from_named_arrays(meta["cell"], arrays)
        vocab = Vocab(tuple(meta["vocab"]))
    except (ParamError, VocabError) as e:
        raise CheckpointError(str(e)) from None
    if len(vocab) != params.vocab_size:
        raise CheckpointError(f"vocabulary has {len(vocab)} tokens but encoder.weight has "
                              f"{params.vocab_size} rows")
    extra = {k: v for k, v in meta.items() if k not in ("cell", "vocab", "tokenizer")}
    return LoadedModel(params, vocab, meta["tokenizer"], "rnnviz", path, extra)


def load_with_options(path: str, opts: VocabOptions) -> LoadedModel:
    """The loader's entry: the file carries its vocabulary, so vocabulary flags are ignored."""
    model = load(path)
    if opts.vocab_file or opts.vocab_corpus:
        notice = "--vocab/--vocab-corpus ignored: the file carries its own vocabulary"
        model = replace(model, notices=(*model.notices, notice))
    return model


def read_meta(path: str | Path) -> dict[str, Any]:
    """Only the metadata (fast: tensors are not read)."""
    return _parse_meta(_read_header(path))
