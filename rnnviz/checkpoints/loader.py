"""Open any supported model file: the one dispatch point from a file's kind to its format module.

Every format module has one entry ``load(path, opts) -> LoadedModel`` (sniff -> read -> map);
:func:`sniff` names the kind from the first bytes, :data:`LOADERS` maps a kind to its module's
entry, :data:`REFUSED` names formats recognised and refused. The tokenizer is settled here, once
for every format: the user's choice, else the file's, else inferred from the vocabulary.
"""

from __future__ import annotations

import errno
import os
import stat
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from rnnviz.checkpoints import minchar, native, pickled, rwkv_hf, rwkv_pth, torchfile
from rnnviz.checkpoints.bundled import find_model
from rnnviz.checkpoints.errors import CheckpointError
from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.options import VocabOptions
from rnnviz.checkpoints.vocab import VocabError, infer_tokenizer, normalize_tokenizer
from rnnviz.engine.params import ParamError

__all__ = ["LOADERS", "REFUSED", "VocabOptions", "load_model", "sniff"]

Loader = Callable[[str, VocabOptions], LoadedModel]

#: kind (from :func:`sniff`) -> the format module's entry.
LOADERS: dict[str, Loader] = {
    "safetensors": native.load_with_options,
    "zip": torchfile.load,
    "pickle": pickled.load,
    "npz": minchar.load_npz,
}
_SUPPORTED = ("rnnviz reads .safetensors, PyTorch .pt/.pth (a state_dict, or a whole module of "
              "embedding + RNN/LSTM/GRU + linear), the book's .pkl and min-char-rnn's .npz/.pkl")
#: kind -> why it is refused (the message then says what is supported).
REFUSED: dict[str, str] = {
    "keras": "a Keras .keras file",
    "hdf5": "an HDF5 file (a Keras .h5 model?)",
    "onnx": "an ONNX model",
}
_HDF5 = b"\x89HDF\r\n\x1a\n"


def _zip_kind(path: str) -> str:
    """'zip' (torch.save), 'npz' (numpy) or 'keras', from the member names."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        return "zip"  # the PyTorch reader reports the corrupt zip
    if names and all(n.endswith(".npy") for n in names):
        return "npz"
    if "config.json" in names and any(n.endswith(".weights.h5") or n == "metadata.json"
                                      for n in names):
        return "keras"
    return "zip"


def _looks_onnx(path: str, head: bytes) -> bool:
    """ONNX is a protobuf ModelProto: field 1 (ir_version) first, 'onnx' in its opset domain
    or producer; the extension decides when the content is unclear."""
    if path.lower().endswith(".onnx"):
        return True
    if head[:1] != b"\x08":
        return False
    with open(path, "rb") as f:
        return b"onnx" in f.read(1 << 16).lower()


def sniff(path: str | Path) -> str:
    """The file's kind from its content: 'safetensors', 'zip' (torch.save), 'pickle', 'npz',
    'keras', 'hdf5', 'onnx' or 'unknown'."""
    path = str(path)
    with open(path, "rb") as f:
        head = f.read(9)
    if head[:4] == b"PK\x03\x04":
        return _zip_kind(path)
    if len(head) == 9 and head[8:9] == b"{":  # before pickle: a header length may end in 0x80
        return "safetensors"
    if head[:1] == b"\x80":
        return "pickle"
    if head[:8] == _HDF5:
        return "hdf5"
    if _looks_onnx(path, head):
        return "onnx"
    return "unknown"


def load_model(path: str | Path, opts: VocabOptions | None = None) -> LoadedModel:
    """Load a model file of any supported format, or a bundled model by name (``ptb-lstm``).
    Raises CheckpointError (one line)."""
    try:
        return _load(str(path), opts or VocabOptions())
    except CheckpointError:
        raise
    except (VocabError, ParamError) as e:
        raise CheckpointError(str(e)) from None
    except MemoryError:
        raise CheckpointError("corrupt file: it claims more memory than is available") from None
    except RecursionError:
        raise CheckpointError("corrupt file: nested too deeply") from None
    except OSError as e:
        raise CheckpointError(f"cannot read {path}: {e.strerror or e}") from None
    except Exception as e:  # a last guard: a corrupt file must never end in a traceback
        msg = " ".join(str(e).split())[:200]
        raise CheckpointError(f"cannot read the file as a model ({type(e).__name__}: {msg})"
                              ) from None


def check_regular_file(path: str) -> None:
    """Refuse, in one line, anything that is not a readable regular file: a directory, a FIFO
    (opening one would block), a device, a symlink loop, a missing path."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise CheckpointError(f"no such file: {path}") from None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise CheckpointError(f"symbolic link loop: {path}") from None
        raise CheckpointError(f"cannot read {path}: {e.strerror or e}") from None
    if stat.S_ISDIR(mode):
        raise CheckpointError(f"{path} is a folder, not a model file")
    if stat.S_ISFIFO(mode):
        raise CheckpointError(f"{path} is a named pipe (FIFO), not a model file")
    if not stat.S_ISREG(mode):
        raise CheckpointError(f"{path} is not a regular file (a device or socket)")


def _load(path: str, opts: VocabOptions) -> LoadedModel:
    path = str(find_model(path))  # a bundled model's name, such as ptb-lstm, works too
    if Path(path).is_dir() and rwkv_hf.is_hf_rwkv(path):
        return with_tokenizer(rwkv_hf.load(path, opts.vocab_file, opts.vocab_corpus),
                              opts.tokenizer)
    check_regular_file(path)
    try:
        kind = sniff(path)
    except OSError as e:
        raise CheckpointError(f"cannot read {path}: {e.strerror or e}") from None
    if kind in REFUSED:
        raise CheckpointError(f"{REFUSED[kind]} is not supported: {_SUPPORTED}. Saving the "
                              "model's state_dict (torch.save(model.state_dict(), ...)) works")
    if kind == "safetensors" and rwkv_hf.is_hf_rwkv(path):
        return with_tokenizer(rwkv_hf.load(path, opts.vocab_file, opts.vocab_corpus),
                              opts.tokenizer)
    if kind == "zip" and rwkv_pth.looks_like_rwkv(path):
        return with_tokenizer(rwkv_pth.load(path, opts.vocab_file, opts.vocab_corpus),
                              opts.tokenizer)
    if kind not in LOADERS:
        raise CheckpointError(f"unsupported file format ({kind}); {_SUPPORTED}")
    return with_tokenizer(LOADERS[kind](path, opts), opts.tokenizer)


def with_tokenizer(model: LoadedModel, choice: str | None) -> LoadedModel:
    """The model with its tokenizer settled: ``choice`` (the user's), else the file's, else one
    inferred from the vocabulary (with a notice saying so)."""
    if choice:
        return replace(model, tokenizer=normalize_tokenizer(choice))
    if model.tokenizer:
        return replace(model, tokenizer=normalize_tokenizer(model.tokenizer))
    kind, why = infer_tokenizer(model.vocab)
    notice = (f"the file names no tokenizer: using {kind} ({why}); "
              "pass --tokenizer ptb|words|char for another")
    return replace(model, tokenizer=kind, notices=(*model.notices, notice))
