"""Hugging Face ``RwkvForCausalLM`` (RWKV-4) checkpoints: a directory with ``config.json`` and
``model.safetensors`` (and usually ``tokenizer.json``), or the ``model.safetensors`` alone.

Tensors are renamed to BlinkDL's names (``rwkv.blocks.N.attention.time_mix_key`` ->
``blocks.N.att.time_mix_k``) and memory-mapped when they are float32.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np

from rnnviz.checkpoints.errors import CheckpointError
from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.rwkv_pth import vocabulary
from rnnviz.engine.rwkv_params import RwkvParams, squeeze_arrays

_RENAMES = (
    (r"^rwkv\.embeddings\.weight$", "emb.weight"),
    (r"^rwkv\.blocks\.0\.pre_ln\.", "blocks.0.ln0."),
    (r"^rwkv\.blocks\.(\d+)\.attention\.time_mix_key$", r"blocks.\1.att.time_mix_k"),
    (r"^rwkv\.blocks\.(\d+)\.attention\.time_mix_value$", r"blocks.\1.att.time_mix_v"),
    (r"^rwkv\.blocks\.(\d+)\.attention\.time_mix_receptance$", r"blocks.\1.att.time_mix_r"),
    (r"^rwkv\.blocks\.(\d+)\.feed_forward\.time_mix_key$", r"blocks.\1.ffn.time_mix_k"),
    (r"^rwkv\.blocks\.(\d+)\.feed_forward\.time_mix_receptance$", r"blocks.\1.ffn.time_mix_r"),
    (r"^rwkv\.blocks\.(\d+)\.attention\.", r"blocks.\1.att."),
    (r"^rwkv\.blocks\.(\d+)\.feed_forward\.", r"blocks.\1.ffn."),
    (r"^rwkv\.blocks\.(\d+)\.(ln[12])\.", r"blocks.\1.\2."),
    (r"^rwkv\.ln_out\.", "ln_out."),
)


def blinkdl_name(hf: str) -> str:
    """An HF RWKV tensor name -> BlinkDL's."""
    for pat, rep in _RENAMES:
        new, n = re.subn(pat, rep, hf)
        if n:
            return new
    return hf


def is_hf_rwkv(path: str | Path) -> bool:
    """A directory with config.json of model_type 'rwkv', or a safetensors file whose tensor
    names start with ``rwkv.``."""
    p = Path(path)
    if p.is_dir():
        return (p / "config.json").is_file()
    try:
        with open(p, "rb") as f:
            n = int.from_bytes(f.read(8), "little")
            head = f.read(min(n, 1 << 20))
    except OSError:
        return False
    return b'"rwkv.embeddings.weight"' in head


def _read_safetensors(path: Path) -> dict[str, np.ndarray]:
    from safetensors import safe_open

    out: dict[str, np.ndarray] = {}
    with safe_open(str(path), framework="numpy") as f:
        for name in f.keys():  # noqa: SIM118  (safe_open has no __iter__)
            out[blinkdl_name(name)] = f.get_tensor(name)
    return out


def _config(directory: Path) -> dict[str, Any]:
    cfg_path = directory / "config.json"
    if not cfg_path.is_file():
        return {}
    try:
        cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CheckpointError(f"cannot read {cfg_path}: {e}") from None
    if cfg.get("model_type", "rwkv") != "rwkv":
        raise CheckpointError(f"{cfg_path}: model_type {cfg.get('model_type')!r} is not 'rwkv' "
                              "(rnnviz reads RWKV-4 from Hugging Face)")
    return dict(cfg)


def load(path: str, vocab_file: str | None = None, vocab_corpus: tuple[str, ...] = ()
         ) -> LoadedModel:
    """Open an HF RWKV-4 directory or model.safetensors; problems raise CheckpointError."""
    p = Path(path)
    directory = p if p.is_dir() else p.parent
    weights = p / "model.safetensors" if p.is_dir() else p
    if not weights.is_file():
        raise CheckpointError(f"{directory} has no model.safetensors (sharded or .bin "
                              "checkpoints are not read)")
    cfg = _config(directory)
    arrays = _read_safetensors(weights)
    if "head.weight" not in arrays and "emb.weight" in arrays:
        arrays["head.weight"] = arrays["emb.weight"]
    params = RwkvParams("rwkv4", squeeze_arrays(arrays))
    if vocab_file is None and (directory / "tokenizer.json").is_file():
        vocab_file = str(directory / "tokenizer.json")
    tok, vocab, notices = vocabulary(vocab_file, vocab_corpus, params.vocab_size)
    meta: dict[str, Any] = {"name": cfg.get("_name_or_path") or directory.name,
                            "source": "Hugging Face RWKV"}
    if tok is not None:
        meta["subword_tokenizer"] = tok.to_meta()
    return LoadedModel(params, vocab, "word", "rwkv-hf", str(path), meta, notices,
                       None if tok is None else tok.encode)
