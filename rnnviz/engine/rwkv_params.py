"""RWKV parameters, kept under BlinkDL's tensor names (``emb.weight``, ``blocks.N.att.key.weight``).

Arrays may be memory-mapped views; the engine never writes into them. Time-mix vectors are
stored squeezed to (C,); ``att.r_k`` of RWKV-7 as (H, N).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rnnviz.engine.params import ParamError

F32 = NDArray[np.float32]
RWKV_CELLS: tuple[str, ...] = ("rwkv4", "rwkv7")

V4_ATT = ("time_mix_k", "time_mix_v", "time_mix_r", "time_decay", "time_first",
          "key.weight", "value.weight", "receptance.weight", "output.weight")
V4_FFN = ("time_mix_k", "time_mix_r", "key.weight", "receptance.weight", "value.weight")
V7_ATT = ("x_r", "x_w", "x_k", "x_v", "x_a", "x_g", "w0", "w1", "w2", "a0", "a1", "a2",
          "g1", "g2", "k_k", "k_a", "r_k", "key.weight", "value.weight", "receptance.weight",
          "output.weight", "ln_x.weight", "ln_x.bias")
V7_VRES = ("v0", "v1", "v2")  # value residual; absent in layer 0
V7_FFN = ("x_k", "key.weight", "value.weight")


def expected_names(cell: str, n_layer: int) -> set[str]:
    """Every tensor name a model of this cell and depth has."""
    names = {"emb.weight", "blocks.0.ln0.weight", "blocks.0.ln0.bias", "ln_out.weight",
             "ln_out.bias", "head.weight"}
    att, ffn = (V4_ATT, V4_FFN) if cell == "rwkv4" else (V7_ATT, V7_FFN)
    for i in range(n_layer):
        b = f"blocks.{i}."
        names |= {b + f"ln{j}.{p}" for j in (1, 2) for p in ("weight", "bias")}
        names |= {b + "att." + n for n in att} | {b + "ffn." + n for n in ffn}
        if cell == "rwkv7" and i > 0:
            names |= {b + "att." + n for n in V7_VRES}
    return names


def count_layers(names: object) -> int:
    """Number of ``blocks.N.`` prefixes with a ln1 weight."""
    n = 0
    while f"blocks.{n}.ln1.weight" in names:  # type: ignore[operator]
        n += 1
    return n


@dataclass(frozen=True)
class RwkvParams:
    """An RWKV-4 or RWKV-7 language model. arrays: BlinkDL name -> float32 array."""

    cell: str
    arrays: Mapping[str, F32]

    def __post_init__(self) -> None:
        validate(self)

    def __getitem__(self, name: str) -> F32:
        return self.arrays[name]

    @property
    def vocab_size(self) -> int:
        return int(self.arrays["emb.weight"].shape[0])

    @property
    def hidden_size(self) -> int:
        return int(self.arrays["emb.weight"].shape[1])

    @property
    def embedding_size(self) -> int:
        return self.hidden_size

    @property
    def num_layers(self) -> int:
        return count_layers(self.arrays)

    @property
    def head_size(self) -> int:
        """RWKV-7 head size N (C = H * N); RWKV-4 has one value per channel."""
        if self.cell == "rwkv7":
            return int(self.arrays["blocks.0.att.r_k"].shape[1])
        return 1

    @property
    def tied(self) -> bool:
        e, d = self.arrays["emb.weight"], self.arrays["head.weight"]
        if e.shape != d.shape:
            return False
        # the first rows decide an untied model without reading the rest of a mapped file
        return e is d or (bool(np.array_equal(e[:4], d[:4])) and bool(np.array_equal(e, d)))


def _check(cond: bool, msg: str) -> None:
    if not cond:
        raise ParamError(msg)


def validate(p: RwkvParams) -> None:
    """Names, dtypes and the shapes the engine relies on; raise ParamError naming the problem."""
    _check(p.cell in RWKV_CELLS, f"unknown RWKV cell {p.cell!r}")
    n = count_layers(p.arrays)
    _check(n >= 1, "no RWKV blocks (blocks.0.ln1.weight is missing)")
    want = expected_names(p.cell, n)
    missing = sorted(want - p.arrays.keys())
    extra = sorted(p.arrays.keys() - want)
    _check(not missing, f"missing tensor(s): {', '.join(missing[:6])}")
    _check(not extra, f"unexpected tensor(s): {', '.join(extra[:6])}")
    for name, arr in p.arrays.items():
        _check(arr.dtype == np.float32, f"{name} must be float32, got {arr.dtype}")
    _check(p.arrays["emb.weight"].ndim == 2, "emb.weight must be 2-D")
    v, c = p.arrays["emb.weight"].shape
    for name, arr in p.arrays.items():
        shape = _expected_shape(name, arr, c, p.arrays)
        _check(shape is None or arr.shape == shape,
               f"{name} has shape {tuple(arr.shape)}, expected {shape}")
    _check(p.arrays["head.weight"].shape == (v, c),
           f"head.weight has shape {p.arrays['head.weight'].shape}, expected {(v, c)}")
    if p.cell == "rwkv7":
        h, hs = p.arrays["blocks.0.att.r_k"].shape
        _check(h * hs == c, f"att.r_k shape {(h, hs)} does not divide the width {c}")


_VECTORS = ("time_mix_k", "time_mix_v", "time_mix_r", "time_decay", "time_first", "x_r", "x_w",
            "x_k", "x_v", "x_a", "x_g", "w0", "a0", "v0", "k_k", "k_a")


def _expected_shape(name: str, arr: F32, c: int, arrays: Mapping[str, F32]
                    ) -> tuple[int, ...] | None:
    """The shape the engine needs for a tensor (None: checked elsewhere or free)."""
    last = name.rsplit(".", 1)[-1]
    if last in ("bias",) or (last == "weight" and (".ln" in name or name.startswith("ln_out"))):
        return (c,)
    if last in _VECTORS:
        return (c,)
    if name.endswith(("att.key.weight", "att.value.weight", "att.receptance.weight",
                      "att.output.weight", "ffn.receptance.weight")):
        return (c, c)
    if name.endswith("ffn.key.weight"):
        return (int(arr.shape[0]), c) if arr.ndim == 2 else (-1, c)
    if name.endswith("ffn.value.weight"):
        f = arrays[name.replace("value", "key")].shape[0]
        return (c, int(f))
    if last in ("w1", "a1", "v1", "g1"):
        return (c, int(arr.shape[1])) if arr.ndim == 2 else (c, -1)
    if last in ("w2", "a2", "v2", "g2"):
        d = arrays[name[:-1] + "1"].shape[1]
        return (int(d), c)
    return None


def squeeze_arrays(arrays: Mapping[str, np.ndarray]) -> dict[str, F32]:
    """BlinkDL tensors as the engine keeps them: float32, (1, 1, C) vectors squeezed to (C,),
    ``r_k`` kept (H, N). Contiguous float32 inputs are not copied."""
    out: dict[str, F32] = {}
    for name, a in arrays.items():
        arr = np.asarray(a)
        if arr.ndim == 3 and arr.shape[:2] == (1, 1):
            arr = arr.reshape(arr.shape[2])
        out[name] = np.ascontiguousarray(arr, dtype=np.float32)
    return out


def random_rwkv_params(cell: str, vocab: int, hidden: int, layers: int = 1, head_size: int = 4,
                       lora: int = 4, seed: int = 0, scale: float = 0.5,
                       ffn_mult: int = 4) -> RwkvParams:
    """A random model in BlinkDL's naming, for tests and benchmarks (values of realistic range)."""
    rng = np.random.default_rng(seed)

    def u(*shape: int, s: float = scale) -> F32:
        return rng.uniform(-s, s, size=shape).astype(np.float32)

    def m(*shape: int) -> F32:
        return rng.uniform(0.0, 1.0, size=shape).astype(np.float32)

    c, f = hidden, hidden * ffn_mult
    ws = 1.0 / np.sqrt(c)
    a: dict[str, F32] = {"emb.weight": u(vocab, c, s=1.0), "head.weight": u(vocab, c, s=ws)}
    for ln in ("blocks.0.ln0", "ln_out"):
        a[ln + ".weight"], a[ln + ".bias"] = 1.0 + u(c, s=0.2), u(c, s=0.2)
    for i in range(layers):
        b = f"blocks.{i}."
        for j in (1, 2):
            a[b + f"ln{j}.weight"], a[b + f"ln{j}.bias"] = 1.0 + u(c, s=0.2), u(c, s=0.2)
        for kind in ("key", "value", "receptance", "output"):
            a[b + f"att.{kind}.weight"] = u(c, c, s=ws)
        if cell == "rwkv4":
            for n in ("time_mix_k", "time_mix_v", "time_mix_r"):
                a[b + "att." + n] = m(c)
            a[b + "att.time_decay"], a[b + "att.time_first"] = u(c, s=2.0), u(c, s=1.0)
            a[b + "ffn.time_mix_k"], a[b + "ffn.time_mix_r"] = m(c), m(c)
            a[b + "ffn.receptance.weight"] = u(c, c, s=ws)
        else:
            for n in ("x_r", "x_w", "x_k", "x_v", "x_a", "x_g"):
                a[b + "att." + n] = m(c)
            names = ["w", "a", "g"] + (["v"] if i > 0 else [])
            for n in names:
                a[b + f"att.{n}1"] = u(c, lora, s=ws)
                a[b + f"att.{n}2"] = u(lora, c, s=1.0 / np.sqrt(lora))
                if n != "g":
                    a[b + f"att.{n}0"] = u(c, s=1.0)
            a[b + "att.k_k"], a[b + "att.k_a"] = 0.5 + m(c), m(c)
            a[b + "att.r_k"] = u(c // head_size, head_size)
            a[b + "att.ln_x.weight"], a[b + "att.ln_x.bias"] = 1.0 + u(c, s=0.2), u(c, s=0.2)
            a[b + "ffn.x_k"] = m(c)
        a[b + "ffn.key.weight"] = u(f, c, s=ws)
        a[b + "ffn.value.weight"] = u(c, f, s=1.0 / np.sqrt(f))
    return RwkvParams(cell, a)
