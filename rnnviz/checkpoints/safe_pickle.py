"""A restricted unpickler: a file may name only the globals its format needs.

Python's pickle can call any importable function while loading. Here ``find_class`` looks every
global up in an explicit table and refuses anything else, naming it, so no file ever runs code
or imports a module. Every failure becomes a one-line :class:`CheckpointError`.
"""

from __future__ import annotations

import io
import pickle
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from rnnviz.checkpoints.errors import CheckpointError

Globals = Mapping[tuple[str, str], Any]

#: Largest pickle read into memory (the book's biggest models are ~100 MB as float16).
MAX_PICKLE_BYTES = 2 * 1024**3


class RefusedGlobal(CheckpointError):
    """The file names a global that its format does not need."""


class _NdarrayName:
    """Stands for ``numpy.ndarray`` in a pickle: only an argument of ``_reconstruct``, not callable
    (so a file cannot allocate an array of a size it chooses)."""


_NDARRAY = _NdarrayName()


def _reconstruct(subtype: object, shape: object, typecode: object) -> np.ndarray:
    """numpy's ``_reconstruct``, limited to what numpy writes: an empty ndarray to fill by BUILD
    (whose ``__setstate__`` checks the raw data's length against the shape before allocating)."""
    if subtype is not _NDARRAY or shape not in ((0,), [0], 0):
        raise CheckpointError("malformed numpy array record in the pickle")
    return np.ndarray((0,), dtype=np.uint8)


def _dtype(spec: object, align: object = False, copy: object = False) -> np.dtype:
    """``numpy.dtype(spec)`` for plain numeric types only (no objects, records or strings)."""
    if not isinstance(spec, str) or len(spec) > 8:
        raise CheckpointError("malformed numpy dtype record in the pickle")
    try:
        dt = np.dtype(spec, copy=True)  # a copy: BUILD may set its state
    except TypeError:
        raise CheckpointError(f"unsupported numpy dtype {spec!r} in the pickle") from None
    if dt.kind not in "biuf":
        raise CheckpointError(f"unsupported numpy dtype {spec!r} in the pickle")
    return dt


def _frombuffer(buf: object, dtype: object, shape: object, order: object) -> np.ndarray:
    """numpy's protocol-5 ``_frombuffer``, checking that the buffer holds exactly the shape."""
    if isinstance(buf, pickle.PickleBuffer):
        buf = bytes(buf.raw())
    ok_shape = isinstance(shape, tuple) and all(isinstance(n, int) and n >= 0 for n in shape)
    if not (isinstance(buf, (bytes, bytearray)) and isinstance(dtype, np.dtype) and ok_shape
            and order in ("C", "F")):
        raise CheckpointError("malformed numpy array record in the pickle")
    assert isinstance(shape, tuple)
    if int(np.prod(shape, dtype=object)) * dtype.itemsize != len(buf):
        raise CheckpointError("numpy array record's data does not match its shape")
    # bytes, never a bytearray: an array viewing a bytearray that a malformed pickle left in a
    # reference cycle can outlive it in the collector ("deallocated bytearray object has
    # exported buffers", a SystemError printed at some later, unrelated moment)
    flat = np.frombuffer(bytes(buf) if isinstance(buf, bytearray) else buf, dtype=dtype)
    return flat.reshape(shape, order="F" if order == "F" else "C")


def _latin1(text: object, encoding: object = "utf-8") -> bytes:
    """``_codecs.encode(text, 'latin1')``: how protocol 2 spells a bytes object."""
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise CheckpointError("malformed bytes record in the pickle")
    return text.encode("latin1")


_NUMPY_GLOBALS: dict[tuple[str, str], Any] = {
    ("numpy", "ndarray"): _NDARRAY,
    ("numpy", "dtype"): _dtype,
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy.core.numeric", "_frombuffer"): _frombuffer,
    ("numpy._core.numeric", "_frombuffer"): _frombuffer,
}
_CONTAINER_GLOBALS: dict[tuple[str, str], Any] = {
    ("collections", "OrderedDict"): OrderedDict,
    ("builtins", "set"): set,
    ("_codecs", "encode"): _latin1,
    ("builtins", "frozenset"): frozenset,
}

#: Globals that pickles of numpy arrays (any protocol numpy writes in-band) need.
NUMPY_ARRAYS: Globals = {**_NUMPY_GLOBALS, **_CONTAINER_GLOBALS}
#: Plain containers of str/int/float (e.g. the book's ptb.vocab.pkl): no globals at all.
PLAIN: Globals = dict(_CONTAINER_GLOBALS)


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, allowed: Globals,
                 resolve: Callable[[str, str], Any] | None,
                 persistent_load: Callable[[Any], Any] | None) -> None:
        super().__init__(file)
        self._allowed = allowed
        self._resolve = resolve
        self._persistent = persistent_load

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self._allowed:
            return self._allowed[(module, name)]
        found = self._resolve(module, name) if self._resolve else None
        if found is not None:
            return found
        raise RefusedGlobal(f"refused to load: the file names the global '{module}.{name}', "
                            "which this format does not need (files may not run code)")

    def persistent_load(self, pid: Any) -> Any:
        if self._persistent is None:
            raise CheckpointError("malformed pickle (unexpected persistent id)")
        return self._persistent(pid)


def loads(data: bytes, allowed: Globals, *, resolve: Callable[[str, str], Any] | None = None,
          persistent_load: Callable[[Any], Any] | None = None, what: str = "pickle") -> Any:
    """Unpickle ``data`` allowing only ``allowed`` globals (plus whatever ``resolve`` returns
    non-None for). Any failure raises CheckpointError with a one-line message."""
    try:
        return _Unpickler(io.BytesIO(data), allowed, resolve, persistent_load).load()
    except CheckpointError:
        raise
    except MemoryError:
        raise CheckpointError(f"corrupt {what}: it claims more memory than is available") from None
    except RecursionError:
        raise CheckpointError(f"corrupt {what}: nested too deeply") from None
    except Exception as e:  # pickle raises many types on corrupt input; all mean 'corrupt'
        msg = " ".join(str(e).split())[:200] or type(e).__name__
        raise CheckpointError(f"corrupt or truncated {what} ({msg})") from None


def read_file(path: str, what: str = "pickle") -> bytes:
    """The whole file, refusing files too big to be a model."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_PICKLE_BYTES + 1)
    except OSError as e:
        raise CheckpointError(f"cannot read {path}: {e.strerror or e}") from None
    if len(data) > MAX_PICKLE_BYTES:
        raise CheckpointError(f"{what} is larger than {MAX_PICKLE_BYTES >> 30} GiB")
    return data


def load_file(path: str, allowed: Globals, what: str = "pickle") -> Any:
    """Read and unpickle a whole file with :func:`loads`."""
    return loads(read_file(path, what), allowed, what=what)
