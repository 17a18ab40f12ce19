"""Model parameters in PyTorch's layout (column-vector convention: gates = W x + b)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

F32 = NDArray[np.float32]

CELLS: tuple[str, ...] = ("rnn_tanh", "rnn_relu", "lstm", "gru")
GATE_COUNT: dict[str, int] = {"rnn_tanh": 1, "rnn_relu": 1, "lstm": 4, "gru": 3}
GATE_NAMES: dict[str, tuple[str, ...]] = {
    "rnn_tanh": (),
    "rnn_relu": (),
    "lstm": ("i", "f", "g", "o"),
    "gru": ("r", "z", "n"),
}


@dataclass(frozen=True)
class LayerParams:
    """One recurrent layer, exactly nn.RNN/LSTM/GRU's ``*_l{k}`` tensors.

    w_ih: (G*H, In), w_hh: (G*H, H), b_ih: (G*H,), b_hh: (G*H,); G = gate count.
    """

    w_ih: F32
    w_hh: F32
    b_ih: F32
    b_hh: F32

    @property
    def hidden_size(self) -> int:
        return int(self.w_hh.shape[1])

    @property
    def input_size(self) -> int:
        return int(self.w_ih.shape[1])


@dataclass(frozen=True)
class ModelParams:
    """Embedding -> stacked recurrent layers -> linear decoder.

    embedding: (V, D); decoder_w: (V, H); decoder_b: (V,).
    """

    cell: str
    embedding: F32
    layers: tuple[LayerParams, ...]
    decoder_w: F32
    decoder_b: F32
    output_size: int = 0  # decoder rows when they are not the vocabulary (a classifier's C)

    def __post_init__(self) -> None:
        validate(self)

    @property
    def vocab_size(self) -> int:
        return int(self.embedding.shape[0])

    @property
    def embedding_size(self) -> int:
        return int(self.embedding.shape[1])

    @property
    def hidden_size(self) -> int:
        return self.layers[0].hidden_size

    @property
    def num_layers(self) -> int:
        return len(self.layers)

    @property
    def tied(self) -> bool:
        """True when the decoder weight is the embedding matrix (same values)."""
        e, d = self.embedding, self.decoder_w
        return e.shape == d.shape and (e is d or bool(np.array_equal(e, d)))


class ParamError(ValueError):
    """Parameters that do not form a valid model."""


def _check(cond: bool, msg: str) -> None:
    if not cond:
        raise ParamError(msg)


def validate(p: ModelParams) -> None:
    """Check cell name, shapes, dtypes and finiteness; raise ParamError naming the problem."""
    _check(p.cell in CELLS, f"unknown cell type {p.cell!r} (expected one of {', '.join(CELLS)})")
    _check(len(p.layers) >= 1, "model has no recurrent layers")
    _check(p.embedding.ndim == 2, f"embedding must be 2-D, got shape {p.embedding.shape}")
    v, d = p.embedding.shape
    g = GATE_COUNT[p.cell]
    _check(p.decoder_w.ndim == 2, f"decoder.weight must be 2-D, got shape {p.decoder_w.shape}")
    h = p.decoder_w.shape[1]  # the decoder reads the top layer's hidden state
    _check(h > 0, "hidden size must be positive")
    for k, layer in enumerate(p.layers):
        n_in = d if k == 0 else h
        want = {
            "weight_ih": (g * h, n_in),
            "weight_hh": (g * h, h),
            "bias_ih": (g * h,),
            "bias_hh": (g * h,),
        }
        got = {"weight_ih": layer.w_ih, "weight_hh": layer.w_hh,
               "bias_ih": layer.b_ih, "bias_hh": layer.b_hh}
        for name, arr in got.items():
            _check(arr.shape == want[name],
                   f"rnn.{name}_l{k} has shape {tuple(arr.shape)}, expected {want[name]} "
                   f"for a {p.cell} with hidden size {h}")
    out = p.output_size or v
    _check(p.decoder_w.shape == (out, h),
           f"decoder.weight has shape {tuple(p.decoder_w.shape)}, expected {(out, h)}")
    _check(p.decoder_b.shape == (out,),
           f"decoder.bias has shape {tuple(p.decoder_b.shape)}, expected {(out,)}")
    for name, arr in named_arrays(p).items():
        _check(arr.dtype == np.float32, f"{name} must be float32, got {arr.dtype}")
        _check(bool(np.isfinite(arr).all()), f"{name} contains NaN or infinite values")


def named_arrays(p: ModelParams) -> dict[str, F32]:
    """PyTorch state_dict names -> arrays (word_language_model naming)."""
    out: dict[str, F32] = {"encoder.weight": p.embedding}
    for k, layer in enumerate(p.layers):
        out[f"rnn.weight_ih_l{k}"] = layer.w_ih
        out[f"rnn.weight_hh_l{k}"] = layer.w_hh
        out[f"rnn.bias_ih_l{k}"] = layer.b_ih
        out[f"rnn.bias_hh_l{k}"] = layer.b_hh
    out["decoder.weight"] = p.decoder_w
    out["decoder.bias"] = p.decoder_b
    return out


def from_named_arrays(cell: str, arrays: dict[str, np.ndarray]) -> ModelParams:
    """Inverse of :func:`named_arrays`; missing or extra names raise ParamError."""
    n_layers = 0
    while f"rnn.weight_ih_l{n_layers}" in arrays:
        n_layers += 1
    expected = {"encoder.weight", "decoder.weight", "decoder.bias"}
    for k in range(n_layers):
        expected |= {f"rnn.{n}_l{k}" for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
    missing = sorted(expected - arrays.keys())
    extra = sorted(arrays.keys() - expected)
    _check(n_layers > 0, "no recurrent layer tensors (rnn.weight_ih_l0 is missing)")
    _check(not missing, f"missing tensor(s): {', '.join(missing)}")
    _check(not extra, f"unexpected tensor(s): {', '.join(extra)}")

    def f32(name: str) -> F32:
        return np.ascontiguousarray(arrays[name], dtype=np.float32)

    layers = tuple(
        LayerParams(f32(f"rnn.weight_ih_l{k}"), f32(f"rnn.weight_hh_l{k}"),
                    f32(f"rnn.bias_ih_l{k}"), f32(f"rnn.bias_hh_l{k}"))
        for k in range(n_layers)
    )
    return ModelParams(cell, f32("encoder.weight"), layers, f32("decoder.weight"),
                       f32("decoder.bias"))


def random_params(cell: str, vocab: int, hidden: int, layers: int = 1,
                  embedding: int | None = None, tied: bool = False,
                  seed: int = 0, scale: float | None = None) -> ModelParams:
    """Random model (uniform in +-1/sqrt(H) as PyTorch initialises), for demos and tests."""
    rng = np.random.default_rng(seed)
    d = hidden if (embedding is None or tied) else embedding
    s = scale if scale is not None else 1.0 / np.sqrt(hidden)
    g = GATE_COUNT[cell]

    def u(*shape: int) -> F32:
        return rng.uniform(-s, s, size=shape).astype(np.float32)

    emb = u(vocab, d)
    ls = tuple(
        LayerParams(u(g * hidden, d if k == 0 else hidden), u(g * hidden, hidden),
                    u(g * hidden), u(g * hidden))
        for k in range(layers)
    )
    dec = emb if tied else u(vocab, hidden)
    return ModelParams(cell, emb, ls, dec, u(vocab))
