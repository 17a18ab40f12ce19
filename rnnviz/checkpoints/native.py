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
from rnnviz.engine.bidir_params import BiParams, bidir_named_arrays
from rnnviz.engine.cbow_params import CbowParams
from rnnviz.engine.classifier_params import POOLS, ClassifierParams
from rnnviz.engine.factory import AnyParams
from rnnviz.engine.params import (
    CELLS,
    F32,
    LayerParams,
    ModelParams,
    ParamError,
    named_arrays,
)
from rnnviz.engine.rwkv_params import RWKV_CELLS, RwkvParams

META_KEY = "rnnviz"
TIED_NAME = "decoder.weight"  # absent in a tied model's file: it is encoder.weight
_MAX_HEADER = 100 * 1024 * 1024
CBOW = "cbow"
# metadata keys that describe the tensors; the loaded params carry them, not LoadedModel.meta
STRUCTURE_KEYS = ("cell", "vocab", "tokenizer", "task", "classes", "pool", "bidirectional",
                  "one_hot", "window")


def save(path: str | Path, params: AnyParams, vocab: Vocab, tokenizer: str,
         meta: dict[str, Any] | None = None) -> None:
    """Write params + vocabulary as a native checkpoint (atomic: temp file then rename).

    Every kind keeps PyTorch's tensor names; the metadata says how to read them back:
    a bidirectional LM adds ``bidirectional: true`` (``rnn.*_l{k}_reverse``), a classifier
    ``task: 'classify'``, ``classes``, ``pool``, ``bidirectional``, ``one_hot`` (fc.* instead of
    decoder.*; no encoder.weight when one-hot), CBOW ``cell: 'cbow'`` and ``window``.
    """
    from safetensors.numpy import save_file

    if len(vocab) != params.vocab_size:
        raise ValueError(f"vocabulary has {len(vocab)} tokens but the model {params.vocab_size}")
    info = {k: v for k, v in (meta or {}).items() if k not in STRUCTURE_KEYS}
    info.update(cell=params.cell, vocab=list(vocab.tokens),
                tokenizer=normalize_tokenizer(tokenizer))
    tensors, structure = _tensors_of(params)
    info.update(structure)
    tmp = f"{path}.tmp{os.getpid()}"
    save_file({k: np.ascontiguousarray(v) for k, v in tensors.items()}, tmp,
              metadata={META_KEY: json.dumps(info, ensure_ascii=False)})
    os.replace(tmp, path)


def _tensors_of(params: AnyParams) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The tensors to store under PyTorch's names, and the metadata keys that describe them."""
    if isinstance(params, RwkvParams):  # BlinkDL's names, as the engine keeps them
        tensors = dict(params.arrays)
        if params.tied:  # stored once, as safetensors.torch.save_model stores shared tensors
            del tensors["head.weight"]
        return tensors, {}
    if isinstance(params, CbowParams):
        tensors = {"encoder.weight": params.embedding, "decoder.weight": params.decoder_w,
                   "decoder.bias": params.decoder_b}
        if params.tied:
            del tensors[TIED_NAME]
        return tensors, {"window": params.window}
    if isinstance(params, ClassifierParams):
        net = params.net
        tensors = dict(bidir_named_arrays(net) if isinstance(net, BiParams) else named_arrays(net))
        tensors["fc.weight"] = tensors.pop("decoder.weight")
        tensors["fc.bias"] = tensors.pop("decoder.bias")
        if params.one_hot:
            del tensors["encoder.weight"]
        return tensors, {"task": "classify", "classes": list(params.classes),
                         "pool": params.pool, "bidirectional": params.bidirectional,
                         "one_hot": params.one_hot}
    if isinstance(params, BiParams):
        return dict(bidir_named_arrays(params)), {"bidirectional": True}
    tensors = dict(named_arrays(params))
    if params.tied:
        del tensors[TIED_NAME]
    return tensors, {}


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
    cells = (*CELLS, *RWKV_CELLS, CBOW)
    if meta["cell"] not in cells:
        raise CheckpointError(f"unknown cell {meta['cell']!r} (expected one of {', '.join(cells)})")
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
    try:
        vocab = Vocab(tuple(meta["vocab"]))
        params = params_from_arrays(meta, arrays, len(vocab))
    except (ParamError, VocabError) as e:
        raise CheckpointError(str(e)) from None
    if len(vocab) != params.vocab_size:
        raise CheckpointError(f"vocabulary has {len(vocab)} tokens but encoder.weight has "
                              f"{params.vocab_size} rows")
    extra = {k: v for k, v in meta.items() if k not in STRUCTURE_KEYS}
    return LoadedModel(params, vocab, meta["tokenizer"], "rnnviz", path, extra)


def params_from_arrays(meta: dict[str, Any], arrays: dict[str, np.ndarray],
                       vocab_size: int) -> ModelParams | BiParams | ClassifierParams | CbowParams:
    """The parameters a native file's tensors and metadata describe; ParamError if they do not
    form one (a missing or unexpected tensor, a shape, the metadata disagreeing with them)."""
    if meta["cell"] == CBOW:
        return _cbow(meta, arrays)
    task = meta.get("task", "lm")
    if task == "classify":
        return _classifier(meta, arrays, vocab_size)
    if task != "lm":
        raise ParamError(f"unknown task {task!r} (expected lm or classify)")
    if TIED_NAME not in arrays and "encoder.weight" in arrays:
        arrays = {**arrays, TIED_NAME: arrays["encoder.weight"]}  # tied: one matrix, two roles
    return _recurrent(meta["cell"], arrays, "decoder", 0, _flag(meta, "bidirectional"), None)


def _flag(meta: dict[str, Any], key: str) -> bool:
    value = meta.get(key, False)
    if not isinstance(value, bool):
        raise ParamError(f"metadata {key!r} must be true or false, got {value!r}")
    return value


def _f32(arrays: dict[str, np.ndarray], name: str) -> F32:
    return np.ascontiguousarray(arrays[name], dtype=np.float32)


def _check_names(arrays: dict[str, np.ndarray], expected: set[str]) -> None:
    missing = sorted(expected - arrays.keys())
    extra = sorted(arrays.keys() - expected)
    if missing:
        raise ParamError(f"missing tensor(s): {', '.join(missing)}")
    if extra:
        raise ParamError(f"unexpected tensor(s): {', '.join(extra)}")


def _layer_names(n_layers: int, suffixes: tuple[str, ...]) -> set[str]:
    return {f"rnn.{n}_l{k}{s}" for k in range(n_layers) for s in suffixes
            for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}


def _layers(arrays: dict[str, np.ndarray], n_layers: int, suffix: str) -> tuple[LayerParams, ...]:
    return tuple(LayerParams(*(_f32(arrays, f"rnn.{n}_l{k}{suffix}")
                               for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")))
                 for k in range(n_layers))


def _count_layers(arrays: dict[str, np.ndarray]) -> int:
    n = 0
    while f"rnn.weight_ih_l{n}" in arrays:
        n += 1
    if n == 0:
        raise ParamError("no recurrent layer tensors (rnn.weight_ih_l0 is missing)")
    return n


def _recurrent(cell: str, arrays: dict[str, np.ndarray], head: str, outputs: int,
               bidirectional: bool, embedding: F32 | None) -> ModelParams | BiParams:
    """ModelParams or BiParams from ``encoder.weight`` (or ``embedding``), ``rnn.*`` and
    ``{head}.weight``/``{head}.bias`` (head: 'decoder' for an LM, 'fc' for a classifier)."""
    if cell not in CELLS:
        raise ParamError(f"unknown cell type {cell!r} (expected one of {', '.join(CELLS)})")
    n = _count_layers(arrays)
    suffixes = ("", "_reverse") if bidirectional else ("",)
    expected = _layer_names(n, suffixes) | {f"{head}.weight", f"{head}.bias"}
    if embedding is None:
        expected.add("encoder.weight")
    if not bidirectional and "rnn.weight_ih_l0_reverse" in arrays:
        raise ParamError("the file has rnn.*_reverse tensors but its metadata does not say "
                         "bidirectional: true")
    _check_names(arrays, expected)
    emb = _f32(arrays, "encoder.weight") if embedding is None else embedding
    w, b = _f32(arrays, f"{head}.weight"), _f32(arrays, f"{head}.bias")
    if arrays[f"{head}.weight"] is arrays.get("encoder.weight"):
        w = emb  # tied: one matrix, two roles
    if bidirectional:
        return BiParams(cell, emb, _layers(arrays, n, ""), _layers(arrays, n, "_reverse"), w, b,
                        outputs)
    return ModelParams(cell, emb, _layers(arrays, n, ""), w, b, outputs)


def _classifier(meta: dict[str, Any], arrays: dict[str, np.ndarray],
                vocab_size: int) -> ClassifierParams:
    classes = meta.get("classes")
    if not (isinstance(classes, list) and all(isinstance(c, str) for c in classes)):
        raise ParamError("a classifier's metadata needs 'classes', a list of class names")
    if len(set(classes)) != len(classes):
        raise ParamError(f"class names must be distinct, got {classes}")
    pool = meta.get("pool", "last-output")
    if pool not in POOLS:
        raise ParamError(f"unknown pooling {pool!r} (expected {' or '.join(POOLS)})")
    one_hot = _flag(meta, "one_hot")
    if one_hot and "encoder.weight" in arrays:
        raise ParamError("metadata says one_hot but the file has encoder.weight")
    fc = arrays.get("fc.weight")
    if fc is not None and fc.ndim >= 1 and fc.shape[0] != len(classes):
        raise ParamError(f"fc.weight has {fc.shape[0]} outputs but the metadata names "
                         f"{len(classes)} classes")
    eye = np.eye(vocab_size, dtype=np.float32) if one_hot else None
    net = _recurrent(meta["cell"], arrays, "fc", len(classes), _flag(meta, "bidirectional"), eye)
    return ClassifierParams(net, tuple(classes), pool, one_hot)


def _cbow(meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> CbowParams:
    window = meta.get("window")
    if not isinstance(window, int) or isinstance(window, bool):
        raise ParamError(f"a CBOW model's metadata needs 'window', a whole number; got {window!r}")
    if TIED_NAME not in arrays and "encoder.weight" in arrays:
        arrays = {**arrays, TIED_NAME: arrays["encoder.weight"]}
    _check_names(arrays, {"encoder.weight", "decoder.weight", "decoder.bias"})
    emb = _f32(arrays, "encoder.weight")
    dec = emb if arrays[TIED_NAME] is arrays["encoder.weight"] else _f32(arrays, TIED_NAME)
    return CbowParams(emb, window, dec, _f32(arrays, "decoder.bias"))


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
