"""min-char-rnn (Karpathy's numpy gist): ``Wxh`` (H, V), ``Whh`` (H, H), ``Why`` (V, H),
``bh`` (H, 1), ``by`` (V, 1) and ``char_to_ix``, saved with ``np.savez`` or pickle.

The gist computes ``h = tanh(Wxh x + Whh h + bh)`` with a one-hot ``x``, so ``Wxh x`` is column
``Wxh[:, i]``: the engine reads it as a 1-layer tanh RNN whose embedding is ``Wxh.T`` (V, H) and
whose input weight is the identity. An ``.npz`` member holding a pickled object (``char_to_ix``
saved as a dict) is read with the restricted unpickler; no code from the file is run.
"""

from __future__ import annotations

import ast
import zipfile
from collections.abc import Mapping
from typing import Any

import numpy as np

from rnnviz.checkpoints import safe_pickle
from rnnviz.checkpoints.errors import CheckpointError
from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.options import VocabOptions
from rnnviz.checkpoints.vocab import Vocab, VocabError
from rnnviz.checkpoints.vocab_sources import read_vocab
from rnnviz.engine.params import LayerParams, ModelParams, ParamError

FORMAT = "min-char-rnn"
WEIGHTS = ("Wxh", "Whh", "Why", "bh", "by")
VOCAB_KEYS = ("char_to_ix", "ix_to_char", "chars")
#: A pickle of plain containers and numpy arrays (the gist's dict).
PICKLE_GLOBALS = safe_pickle.NUMPY_ARRAYS
_NPY_MAGIC = b"\x93NUMPY"


def is_minchar(obj: Mapping[Any, Any]) -> bool:
    """True when ``obj`` holds the gist's five weight arrays."""
    return all(isinstance(obj.get(k), np.ndarray) for k in WEIGHTS)


def _f32(a: Any) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float32)


def params_from_arrays(w: Mapping[str, np.ndarray]) -> ModelParams:
    """The gist's arrays -> a 1-layer rnn_tanh: embedding Wxh.T, identity input weight."""
    wxh, whh, why = (np.asarray(w[k]) for k in ("Wxh", "Whh", "Why"))
    if wxh.ndim != 2 or whh.shape != (wxh.shape[0],) * 2 or why.shape != wxh.shape[::-1]:
        raise CheckpointError(f"min-char-rnn arrays do not fit: Wxh {wxh.shape}, Whh "
                              f"{whh.shape}, Why {why.shape} (expected (H, V), (H, H), (V, H))")
    hidden, vocab = wxh.shape
    bh, by = np.asarray(w["bh"]).reshape(-1), np.asarray(w["by"]).reshape(-1)
    if bh.shape != (hidden,) or by.shape != (vocab,):
        raise CheckpointError(f"min-char-rnn biases bh {w['bh'].shape} and by {w['by'].shape} "
                              f"do not fit H={hidden}, V={vocab}")
    layer = LayerParams(np.eye(hidden, dtype=np.float32), _f32(whh), _f32(bh),
                        np.zeros(hidden, np.float32))
    try:
        return ModelParams("rnn_tanh", _f32(wxh.T), (layer,), _f32(why), _f32(by))
    except ParamError as e:
        raise CheckpointError(str(e)) from None


def _vocab_from(obj: Mapping[str, Any], size: int) -> Vocab | None:
    """The vocabulary the file carries: char_to_ix (dict), ix_to_char (dict) or chars."""
    c2i, i2c, chars = (obj.get(k) for k in VOCAB_KEYS)
    if isinstance(c2i, dict) and all(isinstance(c, str) for c in c2i):
        if sorted(c2i.values()) != list(range(len(c2i))):
            raise CheckpointError("char_to_ix must map characters to ids 0..n-1")
        return Vocab(tuple(sorted(c2i, key=c2i.__getitem__)))
    if isinstance(i2c, dict) and sorted(i2c) == list(range(len(i2c))):
        return Vocab(tuple(str(i2c[i]) for i in range(len(i2c))))
    if isinstance(chars, np.ndarray) and chars.dtype.kind == "U":
        chars = [str(c) for c in chars.reshape(-1)] if chars.ndim else str(chars)
    if isinstance(chars, (str, list)):
        return Vocab(tuple(chars))
    return None


def from_mapping(obj: Mapping[str, Any], path: str, opts: VocabOptions) -> LoadedModel:
    """The gist's names -> LoadedModel (vocabulary from the file, or from --vocab)."""
    params = params_from_arrays(obj)
    notices = ["min-char-rnn: one-hot input read as an embedding equal to Wxh transposed"]
    if opts.vocab_file:
        vocab = read_vocab(opts.vocab_file)
    else:
        found = _vocab_from(obj, params.vocab_size)
        if found is None:
            raise CheckpointError("the file has no char_to_ix (or ix_to_char, chars): pass "
                                  "--vocab FILE with the characters in id order")
        vocab = found
    if len(vocab) != params.vocab_size:
        raise CheckpointError(f"vocabulary has {len(vocab)} tokens but Wxh has "
                              f"{params.vocab_size} columns")
    meta = {"source_format": FORMAT}
    return LoadedModel(params, vocab, "char", FORMAT, path, meta, tuple(notices))


def _object_dtype(spec: object, align: object = False, copy: object = False) -> np.dtype:
    """numpy.dtype for an object array's pickle: 'O8' only (its items go through the same
    restricted unpickler, so they are plain containers)."""
    if spec != "O8":
        raise CheckpointError("malformed object array in the .npz")
    return np.dtype("O8", copy=True)  # a copy: BUILD may set its state


_OBJECT_GLOBALS = {**safe_pickle.PLAIN, **{k: v for k, v in safe_pickle.NUMPY_ARRAYS.items()
                                           if k != ("numpy", "dtype")},
                   ("numpy", "dtype"): _object_dtype}


def _npy(raw: bytes, name: str) -> Any:
    """One .npy member: plain arrays by numpy (no pickle); an object array (a dict saved by
    np.savez) through the restricted unpickler."""
    if raw[:6] != _NPY_MAGIC or len(raw) < 10:
        raise CheckpointError(f"{name} is not a .npy record")
    hlen_size = 2 if raw[6] == 1 else 4
    hlen = int.from_bytes(raw[8: 8 + hlen_size], "little")
    start = 8 + hlen_size + hlen
    try:
        header = ast.literal_eval(raw[8 + hlen_size: start].decode("latin1"))
        descr = header["descr"]
    except (ValueError, SyntaxError, KeyError, TypeError):
        raise CheckpointError(f"{name}: malformed .npy header") from None
    if descr != "|O":
        import io

        try:
            return np.load(io.BytesIO(raw), allow_pickle=False)
        except ValueError as e:
            raise CheckpointError(f"{name}: {e}") from None
    arr = safe_pickle.loads(raw[start:], _OBJECT_GLOBALS, what=name)
    if not isinstance(arr, np.ndarray) or arr.dtype != object or arr.size != 1:
        raise CheckpointError(f"{name}: expected one pickled object")
    return arr.reshape(()).item()


def _read_npz(path: str) -> dict[str, Any]:
    try:
        with zipfile.ZipFile(path) as zf:
            out = {}
            for info in zf.infolist():
                if info.file_size > safe_pickle.MAX_PICKLE_BYTES:
                    raise CheckpointError(f"{info.filename} is too large")
                out[info.filename.removesuffix(".npy")] = _npy(zf.read(info), info.filename)
            return out
    except (zipfile.BadZipFile, EOFError, OSError) as e:
        raise CheckpointError(f"corrupt .npz file ({e})") from None


def load_npz(path: str, opts: VocabOptions) -> LoadedModel:
    """The loader's entry for numpy ``.npz`` files: min-char-rnn's, or refused by name."""
    arrays = _read_npz(path)
    if not is_minchar(arrays):
        names = ", ".join(sorted(arrays)[:8]) or "none"
        raise CheckpointError(f"a numpy .npz file (arrays: {names}) that is not min-char-rnn's "
                              "(Wxh, Whh, Why, bh, by): not supported; rnnviz reads "
                              ".safetensors, PyTorch .pt/.pth, the book's .pkl and min-char-rnn. "
                              "Saving a PyTorch model's state_dict works")
    try:
        return from_mapping(arrays, path, opts)
    except VocabError as e:
        raise CheckpointError(str(e)) from None
