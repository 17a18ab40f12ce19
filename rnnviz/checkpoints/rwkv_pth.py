"""BlinkDL's RWKV ``.pth`` checkpoints: a torch.save'd state dict (bf16, fp16 or fp32 tensors)
named ``emb.weight``, ``blocks.N.att.*``, ``blocks.N.ffn.*``, ``ln_out.*``, ``head.weight``.

The version is read from the names: ``att.r_k`` is RWKV-7, ``att.time_first`` without ``ln_x``
is RWKV-4; RWKV-5 and RWKV-6 are refused. Read with ``weights_only=True`` and memory-mapped:
fp32 tensors stay on disk until used, bf16/fp16 ones are widened to float32.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from rnnviz.checkpoints.errors import CheckpointError
from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.rwkv_tokenizers import TextTokenizer, open_tokenizer
from rnnviz.checkpoints.vocab_sources import resolve_vocab
from rnnviz.engine.rwkv_params import RwkvParams, squeeze_arrays

_V7_UNUSED = ("blocks.0.att.v0", "blocks.0.att.v1", "blocks.0.att.v2")  # layer 0 has no residual


def looks_like_rwkv(path: str | Path) -> bool:
    """A cheap check on a torch.save zip: its pickle names ``emb.weight`` and ``blocks.0.``."""
    try:
        with zipfile.ZipFile(path) as z:
            pkl = [n for n in z.namelist() if n.endswith("data.pkl")]
            if not pkl:
                return False
            data = z.read(pkl[0])
    except (OSError, zipfile.BadZipFile):
        return False
    return b"emb.weight" in data and b"blocks.0." in data


def detect_version(names: set[str]) -> str:
    """'rwkv4' or 'rwkv7' from the tensor names; other RWKV versions raise CheckpointError."""
    if any(n.endswith("att.r_k") for n in names):
        return "rwkv7"
    if any("time_maa" in n or "time_faaaa" in n for n in names):
        raise CheckpointError("this is an RWKV-6 checkpoint; rnnviz reads RWKV-4 and RWKV-7 "
                              "(not RWKV-5 or RWKV-6)")
    if any(n.endswith("att.ln_x.weight") for n in names):
        raise CheckpointError("this is an RWKV-5 checkpoint; rnnviz reads RWKV-4 and RWKV-7 "
                              "(not RWKV-5 or RWKV-6)")
    if any(n.endswith("att.time_first") for n in names):
        return "rwkv4"
    raise CheckpointError("not an RWKV-4 or RWKV-7 state dict (no att.time_first or att.r_k)")


def to_float32(tensors: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """torch tensors -> float32 numpy arrays (a view when already float32 and contiguous)."""
    import torch

    out = {}
    for name, t in tensors.items():
        if not isinstance(t, torch.Tensor):
            raise CheckpointError(f"{name} is not a tensor")
        if not t.is_floating_point():
            raise CheckpointError(f"{name} has dtype {t.dtype}, expected floating point")
        out[name] = t.detach().to(torch.float32).contiguous().numpy()
    return out


def params_from_state_dict(sd: Mapping[str, Any]) -> RwkvParams:
    """An RWKV state dict in BlinkDL's naming -> engine parameters."""
    cell = detect_version(set(sd))
    names = {k: v for k, v in sd.items() if not (cell == "rwkv7" and k in _V7_UNUSED)}
    return RwkvParams(cell, squeeze_arrays(to_float32(names)))


def vocabulary(vocab_file: str | None, vocab_corpus: tuple[str, ...], size: int
               ) -> tuple[TextTokenizer | None, Any, tuple[str, ...]]:
    """(subword tokenizer or None, Vocab, notices) for a model with ``size`` rows."""
    tok = open_tokenizer(vocab_file, size) if vocab_file else None
    if tok is not None:
        return tok, tok.vocab, ()
    if not vocab_file and not vocab_corpus:
        raise CheckpointError(f"the file has no vocabulary ({size} tokens): pass --vocab "
                              "rwkv_vocab_v20230424.txt (RWKV World) or 20B_tokenizer.json")
    vocab, notices = resolve_vocab(vocab_file, vocab_corpus, size, ptb_default=True)
    return None, vocab, notices


def load(path: str, vocab_file: str | None = None, vocab_corpus: tuple[str, ...] = ()
         ) -> LoadedModel:
    """Open a BlinkDL RWKV-4 or RWKV-7 ``.pth``; problems raise CheckpointError (one line)."""
    import torch

    try:
        sd = torch.load(path, map_location="cpu", weights_only=True, mmap=True)
    except Exception as e:  # torch raises many types for a bad or unsafe file
        msg = " ".join(str(e).split())[:160]
        raise CheckpointError(f"cannot read {path} as a torch state dict ({msg})") from None
    if not isinstance(sd, dict):
        raise CheckpointError(f"{path} holds a {type(sd).__name__}, not a state dict")
    params = params_from_state_dict(sd)
    tok, vocab, notices = vocabulary(vocab_file, vocab_corpus, params.vocab_size)
    kind = "word" if tok is None else tok.kind
    meta: dict[str, Any] = {"name": Path(path).stem, "source": "BlinkDL .pth"}
    if tok is not None:
        meta["subword_tokenizer"] = tok.to_meta()
    return LoadedModel(params, vocab, kind if kind in ("word", "char") else "word", "rwkv-pth",
                       path, meta, notices, None if tok is None else tok.encode)
