"""PyTorch files (``.pt``/``.pth``): state_dicts and whole ``torch.save(model)`` modules.

One entry, :func:`load`: sniff (zip sizes) -> read -> map (:mod:`.statedict`) -> LoadedModel.
State_dicts are read with ``torch.load(weights_only=True)`` (torch's own restricted unpickler).
A file that this refuses because it names other globals (a whole pickled module) is read by
:mod:`rnnviz.checkpoints.torch_module`, which imports and runs nothing. torch is imported here,
lazily, and nowhere in the engine.
"""

from __future__ import annotations

import pickle
import warnings
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from rnnviz.checkpoints import torch_module
from rnnviz.checkpoints.errors import CheckpointError
from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.options import VocabOptions
from rnnviz.checkpoints.statedict import ClassifierChoice, Mapped, map_state_dict
from rnnviz.checkpoints.vocab_sources import class_names, resolve_vocab
from rnnviz.engine.bidir_params import BiParams
from rnnviz.engine.classifier_params import POOLS, ClassifierParams

STATE_DICT = "pytorch-state-dict"
MODULE = "pytorch-module"
#: The first object of a legacy (pre-1.6, non-zip) torch.save file.
LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_NESTED_KEYS = ("state_dict", "model_state_dict", "model", "net")
_RNN_TYPES = {"LSTM": "lstm", "GRU": "gru", "RNN_TANH": "rnn_tanh", "RNN_RELU": "rnn_relu"}


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split())[:200] or type(e).__name__


def torch_load(path: str) -> Any:
    """``torch.load(weights_only=True)`` on CPU; None when torch refuses a global (module file)."""
    import torch

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as e:
        if "global" in str(e).lower():
            return None
        raise CheckpointError(f"corrupt PyTorch file ({_one_line(e)})") from None
    except MemoryError:
        raise CheckpointError("corrupt PyTorch file: it claims more memory than is available"
                              ) from None
    except Exception as e:  # torch raises RuntimeError, EOFError, ValueError... on corrupt input
        raise CheckpointError(f"corrupt PyTorch file ({_one_line(e)})") from None


def _to_numpy(name: str, obj: Any) -> np.ndarray | None:
    """A tensor as numpy (floats as float32); views claiming more elements than their storage
    holds (a stride-0 expansion to a huge shape) are refused before anything is allocated."""
    import torch

    if not isinstance(obj, torch.Tensor):
        return None
    t = obj.detach().cpu()
    if t.numel() > t.untyped_storage().nbytes() // max(t.element_size(), 1):
        raise CheckpointError(f"tensor {name} claims {t.numel()} elements but its storage holds "
                              "fewer (corrupt file)")
    if t.is_floating_point():
        t = t.to(torch.float32)
    elif t.dtype not in (torch.int64, torch.int32, torch.uint8, torch.bool):
        return None
    return t.numpy().copy()


def _tensor_dict(obj: Any) -> dict[str, np.ndarray]:
    """The state_dict inside what torch.load returned (plain, or nested under 'state_dict'...)."""
    if not isinstance(obj, Mapping):
        raise CheckpointError(f"the file holds a {type(obj).__name__}, not a state_dict")
    arrays = {str(k): a for k, v in obj.items() if (a := _to_numpy(str(k), v)) is not None}
    if not any("weight_ih_l" in k for k in arrays):
        for key in _NESTED_KEYS:
            if isinstance(obj.get(key), Mapping):
                return _tensor_dict(obj[key])
    return arrays


def _float_only(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {k: v for k, v in arrays.items() if v.dtype.kind == "f"}


def _finish(mapped: Mapped, fmt: str, path: str, opts: VocabOptions,
            meta: dict[str, Any]) -> LoadedModel:
    """Mapped parameters + the user's vocabulary -> LoadedModel (tokenizer settled by the
    loader: the user's choice or one inferred from the vocabulary)."""
    char = opts.tokenizer == "char"
    p = mapped.params
    if isinstance(p, ClassifierParams) and p.one_hot and not (opts.vocab_file or
                                                              opts.vocab_corpus):
        raise CheckpointError(f"the file has no embedding: its RNN reads one-hot vectors of size "
                              f"{p.vocab_size}; pass --vocab FILE with {p.vocab_size} tokens "
                              "(one a line, in the order of the input vector)")
    vocab, vnotes = resolve_vocab(opts.vocab_file, opts.vocab_corpus, p.vocab_size,
                                  ptb_default=False, char_default=char)
    meta = {"source_format": fmt, **meta}
    if any(k != v for k, v in mapped.renamed.items()):
        meta["source_names"] = {k: v for k, v in mapped.renamed.items() if k != v}
    return LoadedModel(mapped.params, vocab, "", fmt, path, meta, mapped.notices + vnotes)


def _module_cell_hint(attrs: dict[str, Any]) -> tuple[str | None, str]:
    """The nonlinearity the pickled model states (``rnn_type``, ``rnn.mode``, ``nonlinearity``)."""
    rnn_type = attrs.get("rnn_type") or attrs.get("rnn.mode")
    if rnn_type == "RNN_TANH" and attrs.get("rnn.nonlinearity") == "relu":
        rnn_type = "RNN_RELU"
    if isinstance(rnn_type, str) and rnn_type in _RNN_TYPES:
        return _RNN_TYPES[rnn_type], rnn_type
    return None, str(rnn_type or "")


def _check_module_attrs(attrs: dict[str, Any]) -> None:
    if attrs.get("rnn.proj_size"):
        raise CheckpointError("LSTM projections (proj_size) are not supported")
    if attrs.get("rnn.batch_first") not in (None, False, True):
        raise CheckpointError("malformed recurrent module attributes")


def _choice(opts: VocabOptions, said_pool: object = None) -> ClassifierChoice:
    """The user's class names and pooling; a whole module's own ``pool`` attribute (one of
    POOLS) stands in for --pool when none is given."""
    pool = opts.pool or (said_pool if said_pool in POOLS else None)
    return ClassifierChoice(class_names(opts.classes, opts.labels_file), pool)


def _map_module(contents: torch_module.ModuleContents, opts: VocabOptions) -> Mapped:
    """A whole pickled module's tensors -> engine parameters, checked against what it says."""
    _check_module_attrs(contents.attrs)
    hint, rnn_type = _module_cell_hint(contents.attrs)
    mapped = map_state_dict(_float_only(contents.tensors), cell_hint=hint, cell_flag=opts.cell,
                            choice=_choice(opts, contents.attrs.get("pool")))
    if hint and mapped.params.cell != hint:
        raise CheckpointError(f"the model says rnn_type {rnn_type} but its tensors are a "
                              f"{mapped.params.cell}")
    said_pool = contents.attrs.get("pool")
    if isinstance(mapped.params, ClassifierParams) and not opts.pool and said_pool in POOLS:
        mapped = replace(mapped, notices=(*mapped.notices, f"pooling {said_pool}: the module's "
                                          "own 'pool' attribute says so"))
    said = contents.attrs.get("rnn.bidirectional")
    if isinstance(said, bool) and said != isinstance(_net_of(mapped), BiParams):
        raise CheckpointError(f"the model says bidirectional={said} but its tensors disagree")
    return mapped


def _net_of(mapped: Mapped) -> object:
    p = mapped.params
    return p.net if isinstance(p, ClassifierParams) else p


def _module_meta(contents: torch_module.ModuleContents) -> dict[str, Any]:
    meta: dict[str, Any] = {"source_class": contents.class_name}
    for key in ("rnn_type", "nlayers", "nhid", "ntoken", "model", "n_layers", "hidden_size"):
        if isinstance(contents.attrs.get(key), (str, int)):
            meta[f"source_{key}"] = contents.attrs[key]
    return meta


def load(path: str, opts: VocabOptions | None = None) -> LoadedModel:
    """The loader's entry for torch.save zips: sniff (zip sizes checked) -> read (a state_dict
    by torch.load(weights_only=True), else a whole module by stand-ins) -> map -> LoadedModel."""
    opts = opts or VocabOptions()
    path = str(path)
    zf, _ = torch_module.open_zip(path)  # size checks before torch reads anything
    zf.close()
    obj = torch_load(path)
    if obj is None:
        contents = torch_module.load_contents(path)
        return _finish(_map_module(contents, opts), MODULE, path, opts,
                       _module_meta(contents))
    mapped = map_state_dict(_float_only(_tensor_dict(obj)), cell_flag=opts.cell,
                            choice=_choice(opts))
    return _finish(mapped, STATE_DICT, path, opts, {})


def load_legacy(path: str, opts: VocabOptions | None = None) -> LoadedModel:
    """A pre-1.6 (non-zip) torch.save state_dict; legacy whole-module files are refused."""
    opts = opts or VocabOptions()
    obj = torch_load(path)
    if obj is None:
        raise CheckpointError("refused to load a legacy (pre-zip) PyTorch file that names "
                              "globals beyond tensors (a whole module?): save its "
                              "model.state_dict() in PyTorch instead")
    mapped = map_state_dict(_float_only(_tensor_dict(obj)), cell_flag=opts.cell,
                            choice=_choice(opts))
    return _finish(mapped, STATE_DICT, path, opts, {"legacy": True})
