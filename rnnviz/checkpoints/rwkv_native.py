"""The native format of an RWKV model: float32 tensors under BlinkDL's names, memory-mapped."""

from __future__ import annotations

from typing import Any

import numpy as np

from rnnviz.checkpoints.errors import CheckpointError
from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.rwkv_tokenizers import from_meta
from rnnviz.checkpoints.vocab import Vocab, VocabError
from rnnviz.engine.params import ParamError
from rnnviz.engine.rwkv_params import F32, RwkvParams, squeeze_arrays


def mmap_tensors(path: str, header: dict[str, Any]) -> dict[str, F32]:
    """Every F32 tensor of a checked safetensors header as a read-only memory map (nothing is
    read until used)."""
    with open(path, "rb") as f:
        hlen = int.from_bytes(f.read(8), "little")
    base = 8 + hlen
    out: dict[str, F32] = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        if e.get("dtype") != "F32":
            raise CheckpointError(f"tensor {name!r} is {e.get('dtype')}; the native format "
                                  "stores float32")
        shape = tuple(int(d) for d in e["shape"])
        start, end = e["data_offsets"]
        if end - start != 4 * int(np.prod(shape, dtype=np.int64)):
            raise CheckpointError(f"tensor {name!r}: size does not match its shape {shape}")
        if end == start:
            out[name] = np.zeros(shape, np.float32)
            continue
        out[name] = np.memmap(path, dtype="<f4", mode="r", offset=base + start, shape=shape)
    return out


def load_rwkv(path: str, header: dict[str, Any], meta: dict[str, Any]) -> LoadedModel:
    """An RWKV model from a native file whose header and metadata are already checked."""
    arrays = mmap_tensors(path, header)
    if "head.weight" not in arrays and "emb.weight" in arrays:
        arrays["head.weight"] = arrays["emb.weight"]  # tied
    try:
        params = RwkvParams(meta["cell"], squeeze_arrays(arrays))
        vocab = Vocab(tuple(meta["vocab"]))
    except (ParamError, VocabError) as e:
        raise CheckpointError(str(e)) from None
    if len(vocab) != params.vocab_size:
        raise CheckpointError(f"vocabulary has {len(vocab)} tokens but emb.weight has "
                              f"{params.vocab_size} rows")
    extra = {k: v for k, v in meta.items() if k not in ("cell", "vocab", "tokenizer")}
    encoder = None
    if "subword_tokenizer" in meta:
        encoder = from_meta(meta["subword_tokenizer"], params.vocab_size).encode
    return LoadedModel(params, vocab, meta["tokenizer"], "rnnviz", path, extra, (), encoder)
