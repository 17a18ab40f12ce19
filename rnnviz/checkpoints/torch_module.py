"""Whole-module ``torch.save(model)`` files read without importing or running anything.

A torch zip holds ``<name>/data.pkl`` plus one raw record per storage (``<name>/data/<key>``).
The pickle names the model's class (``model.RNNModel``), nn module classes and torch's tensor
rebuild functions. Here every class it may name becomes an inert stand-in that only keeps the
pickled attributes, tensors are rebuilt as numpy arrays from the raw records, and any other
global is refused. Nothing from the file's own code (``model.py``) is ever imported.
"""

from __future__ import annotations

import re
import sys
import zipfile
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np

from rnnviz.checkpoints import safe_pickle
from rnnviz.checkpoints.errors import CheckpointError

#: Largest single record (storage or data.pkl) read from a zip.
MAX_RECORD_BYTES = 4 * 1024**3
#: Deflated records may expand by at most this factor (zip bombs).
MAX_EXPANSION = 200


class StandIn:
    """An inert object in place of a pickled class instance: it keeps the pickled state only."""

    qualname = "object"
    nn = False  # a torch.nn class (not the user's own)

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # REDUCE on the class: keep nothing
        pass

    def __setstate__(self, state: Any) -> None:
        if isinstance(state, tuple) and len(state) == 2:  # (dict, slots) form
            state = {**(state[0] or {}), **(state[1] or {})}
        if not isinstance(state, dict):
            raise CheckpointError(f"malformed state for {self.qualname}")
        self.__dict__.update({k: v for k, v in state.items() if isinstance(k, str)})


_NN_CLASSES = ("Embedding", "LSTM", "GRU", "RNN", "Linear", "Dropout", "ModuleList",
               "Sequential", "Identity")
_NN_MODULES = ("torch.nn.modules.sparse", "torch.nn.modules.rnn", "torch.nn.modules.linear",
               "torch.nn.modules.dropout", "torch.nn.modules.container")
#: Top-level model classes accepted from any module (the example's class, however imported).
MODEL_CLASSES = ("RNNModel",)
RECURRENT = ("LSTM", "GRU", "RNN")
_CLASS_NAME = re.compile(r"[A-Z][A-Za-z0-9_]*")
_NOT_USER_CODE = ("torch", "numpy", "builtins", "__builtin__")


def _user_class(module: str, name: str) -> bool:
    """A class of the user's own code (``model.CharRNN``): a CapWords name from a module that
    is neither the standard library nor torch/numpy. It becomes an inert stand-in; what it
    holds is checked after reading (:func:`check_model_shape`)."""
    top = module.split(".")[0]
    return (bool(_CLASS_NAME.fullmatch(name)) and top not in sys.stdlib_module_names
            and top not in _NOT_USER_CODE)


def _stand_in(module: str, name: str) -> type[StandIn] | None:
    known = (module in _NN_MODULES and name in _NN_CLASSES) or name in MODEL_CLASSES
    if known or _user_class(module, name):
        return type(name, (StandIn,), {"qualname": f"{module}.{name}",
                                       "nn": module in _NN_MODULES})
    return None


_STORAGE_DTYPES = {
    "FloatStorage": "<f4", "HalfStorage": "<f2", "DoubleStorage": "<f8",
    "BFloat16Storage": "<u2", "LongStorage": "<i8", "IntStorage": "<i4",
    "ShortStorage": "<i2", "ByteStorage": "u1", "CharStorage": "i1", "BoolStorage": "?",
}


@dataclass(frozen=True)
class _StorageType:
    name: str
    dtype: np.dtype


@dataclass(frozen=True)
class Storage:
    """One storage record as a flat numpy array; bf16 is kept as raw uint16."""

    array: np.ndarray
    bfloat16: bool


def _record_ok(info: zipfile.ZipInfo) -> None:
    if info.file_size > MAX_RECORD_BYTES:
        raise CheckpointError(f"record {info.filename} claims {info.file_size} bytes (too large)")
    if (info.compress_type != zipfile.ZIP_STORED
            and info.file_size > MAX_EXPANSION * info.compress_size + (1 << 20)):
        raise CheckpointError(f"record {info.filename} expands implausibly (corrupt zip)")


def open_zip(path: str) -> tuple[zipfile.ZipFile, str]:
    """The zip and its record prefix (the folder holding data.pkl); sizes are checked."""
    try:
        zf = zipfile.ZipFile(path)
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as e:
        raise CheckpointError(f"not a valid PyTorch zip file ({e})") from None
    except OSError as e:
        raise CheckpointError(f"cannot read {path}: {e.strerror or e}") from None
    pkls = [i.filename for i in infos if re.fullmatch(r"([^/]+/)?data\.pkl", i.filename)]
    if len(pkls) != 1:
        zf.close()
        raise CheckpointError("a zip without one data.pkl: not a file written by torch.save")
    for info in infos:
        _record_ok(info)
    return zf, pkls[0][: -len("data.pkl")]


def read_record(zf: zipfile.ZipFile, name: str) -> bytes:
    """One record's bytes; a corrupt record raises CheckpointError."""
    try:
        info = zf.getinfo(name)
        _record_ok(info)
        return zf.read(info)
    except KeyError:
        raise CheckpointError(f"record {name} is missing (truncated file?)") from None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as e:
        raise CheckpointError(f"record {name} is corrupt ({e})") from None
    except Exception as e:  # zlib.error and friends
        raise CheckpointError(f"record {name} is corrupt ({type(e).__name__})") from None


class _Reader:
    """Resolves globals and persistent ids for one zip."""

    def __init__(self, zf: zipfile.ZipFile, prefix: str) -> None:
        self.zf, self.prefix = zf, prefix
        self.storages: dict[str, Storage] = {}
        order = zf.read(prefix + "byteorder") if prefix + "byteorder" in zf.namelist() else b""
        self.big_endian = order.strip() == b"big"

    def find(self, module: str, name: str) -> Any:
        if module == "torch" and name in _STORAGE_DTYPES:
            dt = np.dtype(_STORAGE_DTYPES[name])
            return _StorageType(name, dt.newbyteorder(">") if self.big_endian else dt)
        if module == "torch._utils" and name in _REBUILDERS:
            return _REBUILDERS[name]
        found = _stand_in(module, name)
        if found is None and module.startswith("torch.nn.modules."):
            raise CheckpointError(f"the model contains a {module}.{name}: rnnviz reads "
                                  "embedding + RNN/LSTM/GRU + linear decoder models only")
        return found

    def storage(self, pid: Any) -> Storage:
        ok = isinstance(pid, tuple) and len(pid) == 5 and pid[0] in ("storage", b"storage")
        if not ok or not isinstance(pid[1], _StorageType) or not isinstance(pid[4], int):
            raise CheckpointError("malformed storage reference in data.pkl")
        stype, key, numel = pid[1], str(pid[2]), pid[4]
        if key not in self.storages:
            raw = read_record(self.zf, f"{self.prefix}data/{key}")
            if len(raw) < numel * stype.dtype.itemsize:
                raise CheckpointError(f"storage {key} holds {len(raw)} bytes but claims {numel} "
                                      f"elements of {stype.name} (truncated file?)")
            arr = np.frombuffer(raw, dtype=stype.dtype, count=numel)
            self.storages[key] = Storage(arr, stype.name == "BFloat16Storage")
        return self.storages[key]


def _ints(x: Any, what: str) -> tuple[int, ...]:
    if not (isinstance(x, tuple) and all(isinstance(n, int) and n >= 0 for n in x)):
        raise CheckpointError(f"malformed tensor {what} in data.pkl")
    return x


def _rebuild_tensor(storage: Any, offset: Any, size: Any, stride: Any, *_: Any) -> np.ndarray:
    """A tensor as a float32/int numpy copy of its storage view, bounds checked."""
    if not isinstance(storage, Storage) or not isinstance(offset, int) or offset < 0:
        raise CheckpointError("malformed tensor record in data.pkl")
    shape, strides = _ints(size, "size"), _ints(stride, "stride")
    if len(shape) != len(strides):
        raise CheckpointError("malformed tensor record in data.pkl")
    n = storage.array.shape[0]
    last = offset + sum((s - 1) * st for s, st in zip(shape, strides, strict=True))
    if 0 not in shape and (last >= n or offset >= n or int(np.prod(shape, dtype=object)) > n):
        raise CheckpointError(f"tensor of shape {shape} lies outside its storage ({n} elements)")
    if 0 in shape:
        out = np.zeros(shape, dtype=storage.array.dtype)
    else:
        base = storage.array[offset:]
        item = base.itemsize
        view = np.lib.stride_tricks.as_strided(base, shape, [s * item for s in strides],
                                               writeable=False)
        out = np.array(view)
    if storage.bfloat16:
        out = (out.astype(np.uint32) << 16).view(np.float32)
    return out


def _rebuild_parameter(data: Any, *_: Any) -> Any:
    return data


_REBUILDERS = {
    "_rebuild_tensor_v2": _rebuild_tensor,
    "_rebuild_parameter": _rebuild_parameter,
    "_rebuild_parameter_with_state": _rebuild_parameter,
}
_GLOBALS = {**safe_pickle.PLAIN, ("__builtin__", "set"): set, ("collections", "OrderedDict"):
            OrderedDict}


def read_object(path: str) -> Any:
    """Unpickle a torch zip's data.pkl with stand-ins and numpy tensors (nothing is imported)."""
    zf, prefix = open_zip(path)
    with zf:
        reader = _Reader(zf, prefix)
        data = read_record(zf, prefix + "data.pkl")
        return safe_pickle.loads(data, _GLOBALS, resolve=reader.find,
                                 persistent_load=reader.storage, what="data.pkl")


@dataclass(frozen=True)
class ModuleContents:
    """What a pickled model holds: its flat state_dict and the attributes that describe it."""

    class_name: str
    tensors: dict[str, np.ndarray]
    attrs: dict[str, Any]


def _walk(obj: Any, prefix: str, out: dict[str, np.ndarray], depth: int = 0) -> None:
    """Collect ``_parameters`` and ``_buffers`` of a stand-in module tree, state_dict-style."""
    if depth > 32:
        raise CheckpointError("module tree is nested too deeply")
    state = obj.__dict__ if isinstance(obj, StandIn) else {}
    for group in ("_parameters", "_buffers"):
        items = state.get(group) or {}
        if isinstance(items, dict):
            for name, value in items.items():
                if isinstance(value, np.ndarray):
                    out.setdefault(f"{prefix}{name}", value)
    modules = state.get("_modules") or {}
    if isinstance(modules, dict):
        for name, child in modules.items():
            if isinstance(child, StandIn):
                _walk(child, f"{prefix}{name}.", out, depth + 1)


_SCALAR = (str, int, float, bool)


def _attrs(obj: StandIn) -> dict[str, Any]:
    """Plain attributes of the model and of its recurrent submodule, whatever its name, under
    ``rnn.`` (``rnn.mode``, ``rnn.bidirectional``...)."""
    out = {k: v for k, v in obj.__dict__.items()
           if isinstance(v, _SCALAR) and not k.startswith("_")}
    for child in (obj.__dict__.get("_modules") or {}).values():
        if isinstance(child, StandIn) and type(child).__name__ in RECURRENT:
            out.update({f"rnn.{k}": v for k, v in child.__dict__.items()
                        if isinstance(v, _SCALAR) and not k.startswith("_")})
    return out


_SHAPE_HELP = ("rnnviz reads whole modules whose submodules are exactly one RNN/LSTM/GRU and "
               "a Linear, with or without an Embedding (under any names); saving the model's "
               "state_dict works for the others")


def check_model_shape(obj: StandIn) -> None:
    """The model (word_language_model's RNNModel, the tutorial's SampleRNN or a class of the
    user's own code) must hold exactly one RNN/LSTM/GRU + Linear, optionally an Embedding
    (without one, the RNN reads raw vectors: one-hot tokens), Dropout allowed."""
    children = obj.__dict__.get("_modules") or {}
    kinds = [type(c).__name__ for c in children.values() if type(c).__name__ != "Dropout"]
    plain = all(isinstance(c, StandIn) and c.nn for c in children.values())
    recurrent = [k for k in kinds if k in RECURRENT]
    shapes = (sorted(["Embedding", "Linear", *recurrent[:1]]), sorted(["Linear", *recurrent[:1]]))
    if not plain or len(recurrent) != 1 or sorted(kinds) not in shapes:
        listed = ", ".join(f"{n} ({type(c).__name__})" for n, c in children.items()) or "none"
        raise CheckpointError(f"a whole module of class {type(obj).qualname} with submodules "
                              f"{listed}: {_SHAPE_HELP}")


def load_contents(path: str) -> ModuleContents:
    """Read a whole-module file into its tensors and descriptive attributes."""
    obj = read_object(path)
    if not isinstance(obj, StandIn):
        raise CheckpointError("data.pkl holds no model object")
    check_model_shape(obj)
    tensors: dict[str, np.ndarray] = {}
    _walk(obj, "", tensors)
    return ModuleContents(type(obj).qualname, tensors, _attrs(obj))
