"""Hand-made hostile and corrupt files: pickles whose reductions we choose, torch zips we build."""

from __future__ import annotations

import io
import os
import pickle
import sys
import types
import zipfile
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
import torch


class RunsCommand:
    """Unpickling this runs a shell command that creates ``marker``."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.system, (f"touch {self.marker}",))


class Reduce:
    """Pickles as ``func(*args)`` then BUILD ``state`` (when given)."""

    def __init__(self, func: Any, args: tuple[Any, ...], state: Any = None) -> None:
        self.func, self.args, self.state = func, args, state

    def __reduce__(self) -> tuple[Any, ...]:
        return (self.func, self.args) if self.state is None else (self.func, self.args, self.state)


def numpy_array_record(shape: tuple[int, ...], raw: bytes, dtype: str = "<f2") -> Reduce:
    """An ndarray as numpy pickles it (protocols 2-4), with a shape and data we choose."""
    from numpy._core.multiarray import _reconstruct

    return Reduce(_reconstruct, (np.ndarray, (0,), b"b"), (1, shape, np.dtype(dtype), False, raw))


class FakeStorage:
    def __init__(self, key: str, numel: int) -> None:
        self.key, self.numel = key, numel


def fake_tensor(storage: FakeStorage, size: tuple[int, ...], stride: tuple[int, ...],
                offset: int = 0) -> Reduce:
    return Reduce(torch._utils._rebuild_tensor_v2,
                  (storage, offset, size, stride, False, OrderedDict()))


class _ZipPickler(pickle.Pickler):
    def persistent_id(self, obj: Any) -> Any:
        if isinstance(obj, FakeStorage):
            return ("storage", torch.FloatStorage, obj.key, "cpu", obj.numel)
        return None


def write_torch_zip(path: Path, obj: Any, records: dict[str, bytes]) -> Path:
    """A zip laid out as torch.save writes it, holding our pickle and raw storage records."""
    buf = io.BytesIO()
    _ZipPickler(buf, protocol=2).dump(obj)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("archive/data.pkl", buf.getvalue())
        z.writestr("archive/byteorder", "little")
        z.writestr("archive/version", "3\n")
        for key, raw in records.items():
            z.writestr(f"archive/data/{key}", raw)
    return path


class ModuleLike:
    """Pickles as an instance of ``model.RNNModel`` holding ``_modules``/``_parameters``."""

    def __init__(self, state: dict[str, Any]) -> None:
        self.state = state

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rnn_model_class(), (), self.state)


def _rnn_model_class() -> type:
    mod = sys.modules.get("model")
    if mod is None or not hasattr(mod, "RNNModel"):
        mod = types.ModuleType("model")
        mod.RNNModel = type("RNNModel", (), {"__module__": "model"})  # type: ignore[attr-defined]
        sys.modules["model"] = mod
    return mod.RNNModel  # type: ignore[no-any-return]


def write_module_zip(path: Path, params: dict[str, Any], records: dict[str, bytes],
                     attrs: dict[str, Any] | None = None) -> Path:
    """A whole-module file whose single module holds ``params`` (so torch.load refuses it)."""
    state = {"_modules": OrderedDict(), "_parameters": OrderedDict(params), **(attrs or {})}
    try:
        return write_torch_zip(path, ModuleLike(state), records)
    finally:
        sys.modules.pop("model", None)
