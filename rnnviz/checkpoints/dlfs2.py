"""The book 'Deep Learning from Scratch 2' (ゼロから作るDeep Learning 2): ``BaseModel.save_params``.

A file is a pickle of a plain list of float16 arrays in ``model.params`` order, no metadata:

- SimpleRnnlm: embed_W (V,D), rnn_Wx (D,H), rnn_Wh (H,H), rnn_b (H,), affine_W (H,V), affine_b (V,)
- Rnnlm: the same with lstm_Wx (D,4H), lstm_Wh (H,4H), lstm_b (4H,)
- BetterRnnlm: embed_W, two (Wx, Wh, b) LSTM triples, affine_W = embed_W.T stored again, affine_b

Row-vector layout (x @ W) and LSTM gate blocks f, g, i, o; one bias per layer. The engine uses
PyTorch's layout (W x), gate order i, f, g, o and two biases (the book's goes in b_ih).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rnnviz.checkpoints import safe_pickle
from rnnviz.checkpoints.errors import CheckpointError
from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.vocab_sources import resolve_vocab
from rnnviz.engine.params import F32, LayerParams, ModelParams, ParamError

FORMAT = "dlfs2"
#: Position of torch's i, f, g, o blocks among the book's f, g, i, o.
BOOK_TO_TORCH_GATES = (2, 0, 1, 3)
_EXPECTED = ("not one of the book's models: expected a list of 3 + 3*L float arrays "
             "(SimpleRnnlm, Rnnlm: 6; BetterRnnlm: 9)")


def _f32(a: np.ndarray) -> F32:
    return np.ascontiguousarray(a, dtype=np.float32)


def _check_arrays(obj: Any) -> list[np.ndarray]:
    if not isinstance(obj, list) or len(obj) < 6 or len(obj) % 3 != 0:
        raise CheckpointError(_EXPECTED)
    for k, a in enumerate(obj):
        if not isinstance(a, np.ndarray) or a.dtype.kind != "f":
            raise CheckpointError(f"{_EXPECTED}; item {k} is not a float array")
    return obj


def _gates(w: np.ndarray, cell: str) -> np.ndarray:
    """Book column blocks (..., G*H) -> torch row blocks (G*H, ...) in torch's gate order."""
    wt = w.T
    if cell != "lstm":
        return wt
    blocks = np.split(wt, 4, axis=0)
    return np.concatenate([blocks[i] for i in BOOK_TO_TORCH_GATES], axis=0)


def _layer(wx: np.ndarray, wh: np.ndarray, b: np.ndarray, k: int) -> tuple[str, LayerParams]:
    if wh.ndim != 2 or wx.ndim != 2 or b.ndim != 1:
        raise CheckpointError(f"{_EXPECTED}; layer {k} arrays have shapes "
                              f"{wx.shape}, {wh.shape}, {b.shape}")
    h, gh = wh.shape
    if gh == h:
        cell = "rnn_tanh"
    elif gh == 4 * h:
        cell = "lstm"
    else:
        raise CheckpointError(f"layer {k}: Wh has shape {wh.shape}; expected (H, H) for an RNN "
                              "or (H, 4H) for an LSTM")
    if wx.shape[1] != gh or b.shape != (gh,):
        raise CheckpointError(f"layer {k}: Wx {wx.shape} and b {b.shape} do not match "
                              f"Wh {wh.shape}")
    layer = LayerParams(_f32(_gates(wx, cell)), _f32(_gates(wh, cell)),
                        _f32(_gates(b[None, :], cell)[:, 0]), np.zeros(gh, np.float32))
    return cell, layer


def params_from_arrays(arrays: list[np.ndarray]) -> tuple[ModelParams, str]:
    """The book's params list -> engine parameters and the book's class name."""
    arrays = _check_arrays(arrays)
    n_layers = (len(arrays) - 3) // 3
    cells, layers = set(), []
    for k in range(n_layers):
        wx, wh, b = arrays[1 + 3 * k: 4 + 3 * k]
        cell, layer = _layer(wx, wh, b, k)
        cells.add(cell)
        layers.append(layer)
    if len(cells) != 1:
        raise CheckpointError("layers mix RNN and LSTM shapes")
    affine_w, affine_b = arrays[-2], arrays[-1]
    if affine_w.ndim != 2:
        raise CheckpointError(f"affine_W has shape {affine_w.shape}, expected (H, V)")
    try:
        params = ModelParams(cells.pop(), _f32(arrays[0]), tuple(layers), _f32(affine_w.T),
                             _f32(affine_b))
    except ParamError as e:
        raise CheckpointError(f"{_EXPECTED} ({e})") from None
    return params, _class_name(params)


def _class_name(p: ModelParams) -> str:
    if p.num_layers == 1:
        return "SimpleRnnlm" if p.cell == "rnn_tanh" else "Rnnlm"
    if p.num_layers == 2 and p.cell == "lstm" and p.tied:
        return "BetterRnnlm"
    return f"{p.num_layers}-layer {p.cell}"


def from_object(obj: Any, path: str, vocab_file: str | None,
                vocab_corpus: tuple[str, ...]) -> LoadedModel:
    """An already safely unpickled params list -> LoadedModel (vocabulary from the options)."""
    params, cls = params_from_arrays(obj)
    vocab, notices = resolve_vocab(vocab_file, vocab_corpus, params.vocab_size, ptb_default=True)
    dtypes = sorted({str(a.dtype) for a in obj})
    meta = {"source_format": FORMAT, "source_class": cls, "source_dtypes": dtypes}
    tokenizer = "" if vocab_file or vocab_corpus else "ptb"  # "": the loader infers it
    return LoadedModel(params, vocab, tokenizer, FORMAT, path, meta, notices)


def load(path: str, vocab_file: str | None = None,
         vocab_corpus: tuple[str, ...] = ()) -> LoadedModel:
    """Read one of the book's pickles (only numpy array globals are allowed)."""
    obj = safe_pickle.load_file(path, safe_pickle.NUMPY_ARRAYS, "pickle")
    return from_object(obj, path, vocab_file, vocab_corpus)
