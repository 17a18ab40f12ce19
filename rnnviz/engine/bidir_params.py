"""Bidirectional stacked RNN parameters, exactly nn.RNN/LSTM/GRU(bidirectional=True)'s tensors.

Layer k has a forward cell (``*_l{k}``) and a reverse cell (``*_l{k}_reverse``); both read the
layer below's output, which for k > 0 is the forward and reverse states concatenated (2H).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.engine.params import CELLS, F32, GATE_COUNT, LayerParams, ParamError


@dataclass(frozen=True)
class BiParams:
    """Embedding -> L bidirectional layers -> linear decoder on [forward; reverse].

    embedding: (V, D); forward[k], reverse[k]: LayerParams with w_ih (G*H, D if k == 0 else
    2H); decoder_w: (O, 2H); decoder_b: (O,). O = V for a language model (output_size 0),
    the class count for a classifier's fc (output_size = C).
    """

    cell: str
    embedding: F32
    forward: tuple[LayerParams, ...]
    reverse: tuple[LayerParams, ...]
    decoder_w: F32
    decoder_b: F32
    output_size: int = 0

    def __post_init__(self) -> None:
        validate_bidir(self)

    @property
    def vocab_size(self) -> int:
        return int(self.embedding.shape[0])

    @property
    def embedding_size(self) -> int:
        return int(self.embedding.shape[1])

    @property
    def hidden_size(self) -> int:
        """H of one direction (the decoder reads 2H)."""
        return self.forward[0].hidden_size

    @property
    def num_layers(self) -> int:
        """L, each with two directions."""
        return len(self.forward)

    @property
    def tied(self) -> bool:
        return False

    @property
    def bidirectional(self) -> bool:
        return True


def _check(cond: bool, msg: str) -> None:
    if not cond:
        raise ParamError(msg)


def validate_bidir(p: BiParams) -> None:
    """Check cell name, shapes, dtypes and finiteness; raise ParamError naming the problem."""
    _check(p.cell in CELLS, f"unknown cell type {p.cell!r} (expected one of {', '.join(CELLS)})")
    _check(len(p.forward) >= 1, "model has no recurrent layers")
    _check(len(p.forward) == len(p.reverse),
           f"{len(p.forward)} forward layers but {len(p.reverse)} reverse layers")
    _check(p.embedding.ndim == 2, f"embedding must be 2-D, got shape {p.embedding.shape}")
    _check(p.decoder_w.ndim == 2, f"decoder.weight must be 2-D, got shape {p.decoder_w.shape}")
    v, d = p.embedding.shape
    h = p.forward[0].w_hh.shape[1]
    g = GATE_COUNT[p.cell]
    for k in range(len(p.forward)):
        n_in = d if k == 0 else 2 * h
        for suffix, layer in (("", p.forward[k]), ("_reverse", p.reverse[k])):
            want = {"weight_ih": (g * h, n_in), "weight_hh": (g * h, h),
                    "bias_ih": (g * h,), "bias_hh": (g * h,)}
            got = {"weight_ih": layer.w_ih, "weight_hh": layer.w_hh,
                   "bias_ih": layer.b_ih, "bias_hh": layer.b_hh}
            for name, arr in got.items():
                _check(arr.shape == want[name],
                       f"rnn.{name}_l{k}{suffix} has shape {tuple(arr.shape)}, expected "
                       f"{want[name]} for a bidirectional {p.cell} with hidden size {h}")
    out = p.output_size or v
    _check(p.decoder_w.shape == (out, 2 * h),
           f"decoder.weight has shape {tuple(p.decoder_w.shape)}, expected {(out, 2 * h)}")
    _check(p.decoder_b.shape == (out,),
           f"decoder.bias has shape {tuple(p.decoder_b.shape)}, expected {(out,)}")
    for name, arr in bidir_named_arrays(p).items():
        _check(arr.dtype == np.float32, f"{name} must be float32, got {arr.dtype}")
        _check(bool(np.isfinite(arr).all()), f"{name} contains NaN or infinite values")


def bidir_named_arrays(p: BiParams) -> dict[str, F32]:
    """PyTorch state_dict names -> arrays (``encoder.``, ``rnn.*_l{k}[_reverse]``, ``decoder.``)."""
    out: dict[str, F32] = {"encoder.weight": p.embedding}
    for k in range(len(p.forward)):
        for suffix, layer in (("", p.forward[k]), ("_reverse", p.reverse[k])):
            out[f"rnn.weight_ih_l{k}{suffix}"] = layer.w_ih
            out[f"rnn.weight_hh_l{k}{suffix}"] = layer.w_hh
            out[f"rnn.bias_ih_l{k}{suffix}"] = layer.b_ih
            out[f"rnn.bias_hh_l{k}{suffix}"] = layer.b_hh
    out["decoder.weight"] = p.decoder_w
    out["decoder.bias"] = p.decoder_b
    return out


def random_bidir(cell: str, vocab: int, hidden: int, layers: int = 1,
                 embedding: int | None = None, outputs: int = 0, seed: int = 0) -> BiParams:
    """Random bidirectional model (uniform +-1/sqrt(H), as PyTorch initialises); for tests."""
    rng = np.random.default_rng(seed)
    d = embedding or hidden
    s = 1.0 / np.sqrt(hidden)
    g = GATE_COUNT[cell]

    def u(*shape: int) -> F32:
        return rng.uniform(-s, s, size=shape).astype(np.float32)

    def layer(k: int) -> LayerParams:
        n_in = d if k == 0 else 2 * hidden
        return LayerParams(u(g * hidden, n_in), u(g * hidden, hidden), u(g * hidden),
                           u(g * hidden))

    fwd = tuple(layer(k) for k in range(layers))
    rev = tuple(layer(k) for k in range(layers))
    out = outputs or vocab
    return BiParams(cell, u(vocab, d), fwd, rev, u(out, 2 * hidden), u(out), outputs)
