"""PyTorch state_dict names -> engine parameters.

The word_language_model example's names (``encoder.weight``, ``rnn.weight_ih_l0``...,
``decoder.weight``, ``decoder.bias``) map directly. Other models that hold a bare
nn.RNN/LSTM/GRU beside an embedding and a linear decoder (``embedding.``, ``lstm.``, ``fc.``...)
are mapped by shape, and the mapping is reported as a notice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from rnnviz.checkpoints.errors import CheckpointError
from rnnviz.engine.params import ModelParams, ParamError, from_named_arrays

_RNN_KEY = re.compile(r"^(?P<prefix>(?:.*\.)?)(?P<kind>weight_ih|weight_hh|bias_ih|bias_hh)"
                      r"_l(?P<k>\d+)(?P<suffix>.*)$")
_WRAPPERS = ("module.", "_orig_mod.")
_CELL_BY_GATES = {4: "lstm", 3: "gru"}


@dataclass(frozen=True)
class Mapped:
    """Parameters plus what the user should be told about how they were found."""

    params: ModelParams
    notices: tuple[str, ...]
    renamed: dict[str, str]


def _strip_wrappers(tensors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Drop DataParallel's ``module.`` and torch.compile's ``_orig_mod.`` prefixes."""
    for wrap in _WRAPPERS:
        if tensors and all(k.startswith(wrap) for k in tensors):
            tensors = {k[len(wrap):]: v for k, v in tensors.items()}
    return tensors


def _rnn_prefix(tensors: dict[str, np.ndarray]) -> str:
    """The one module prefix holding ``weight_ih_l0`` etc.; bidirectional/projections refused."""
    prefixes = set()
    for name in tensors:
        m = _RNN_KEY.match(name)
        if not m:
            continue
        if m.group("suffix"):
            what = "bidirectional" if "reverse" in m.group("suffix") else "unsupported"
            raise CheckpointError(f"{name}: {what} recurrent layers are not supported")
        prefixes.add(m.group("prefix"))
    if not prefixes:
        raise CheckpointError("no recurrent layer found (no tensor named *weight_ih_l0): "
                              "not an RNN/LSTM/GRU language model")
    if len(prefixes) > 1:
        names = ", ".join(sorted(p.rstrip(".") or "(top level)" for p in prefixes))
        raise CheckpointError(f"several recurrent modules ({names}); rnnviz reads one stack")
    if any(n.startswith(tuple(prefixes)) and "weight_hr" in n for n in tensors):
        raise CheckpointError("LSTM projections (proj_size) are not supported")
    return prefixes.pop()


def _rnn_layers(tensors: dict[str, np.ndarray], prefix: str) -> tuple[dict[str, np.ndarray], int]:
    """The stack's tensors under the example's names; missing biases become zeros (bias=False)."""
    out: dict[str, np.ndarray] = {}
    k = 0
    while f"{prefix}weight_ih_l{k}" in tensors:
        for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            name = f"{prefix}{kind}_l{k}"
            if name in tensors:
                out[f"rnn.{kind}_l{k}"] = tensors[name]
            elif kind.startswith("bias") and f"{prefix}weight_hh_l{k}" in tensors:
                out[f"rnn.{kind}_l{k}"] = np.zeros(tensors[f"{prefix}weight_hh_l{k}"].shape[0],
                                                   np.float32)
        k += 1
    return out, k


def _shape_of(a: np.ndarray) -> tuple[int, ...]:
    return tuple(int(n) for n in a.shape)


def _pick(cands: list[str], preferred: tuple[str, ...], what: str) -> str:
    if len(cands) == 1:
        return cands[0]
    named = [c for c in cands if c.split(".")[0] in preferred]
    if len(named) == 1:
        return named[0]
    if not cands:
        raise CheckpointError(f"no tensor fits the {what}")
    raise CheckpointError(f"several tensors could be the {what}: {', '.join(sorted(cands))}")


def _decoder(rest: dict[str, np.ndarray], hidden: int) -> tuple[str, str]:
    """The linear decoder: a (V, H) weight with a (V,) bias in the same module."""
    cands = []
    for name, a in rest.items():
        if name.endswith("weight") and a.ndim == 2 and a.shape[1] == hidden:
            bias = name[: -len("weight")] + "bias"
            if bias in rest and _shape_of(rest[bias]) == (a.shape[0],):
                cands.append(name)
    w = _pick(cands, ("decoder", "fc", "linear", "out", "output", "proj", "head", "lm_head"),
              f"decoder (a (V, {hidden}) weight with a bias)")
    return w, w[: -len("weight")] + "bias"


def _embedding(rest: dict[str, np.ndarray], vocab: int, emb: int, decoder_w: str) -> str:
    cands = [n for n, a in rest.items()
             if n != decoder_w and n.endswith("weight") and _shape_of(a) == (vocab, emb)
             and n[: -len("weight")] + "bias" not in rest]
    return _pick(cands, ("encoder", "embedding", "embed", "emb", "embeddings", "word_embeddings"),
                 f"embedding (a ({vocab}, {emb}) weight)")


def _cell(w_ih: np.ndarray, w_hh: np.ndarray, hint: str | None, flag: str | None,
          notices: list[str]) -> str:
    """Cell type from the gate count; tanh vs relu from the file's hint, --cell, or tanh."""
    hidden = w_hh.shape[1] if w_hh.ndim == 2 else 0
    gates, rem = divmod(w_ih.shape[0], hidden) if hidden else (0, 1)
    if rem or gates not in (1, 3, 4):
        raise CheckpointError(f"weight_ih_l0 has shape {_shape_of(w_ih)}: not 1, 3 or 4 times "
                              f"the hidden size {hidden}")
    if gates in _CELL_BY_GATES:
        cell = _CELL_BY_GATES[gates]
        if flag:
            notices.append(f"--cell {flag} ignored: the file holds a {cell.upper()}")
        return cell
    if hint:
        if flag and flag != hint:
            notices.append(f"--cell {flag} ignored: the file says {hint}")
        return hint
    if flag:
        return flag
    notices.append("RNN nonlinearity cannot be told from a state_dict: assuming tanh "
                   "(pass --cell rnn_relu for a ReLU RNN)")
    return "rnn_tanh"


def _as_float32(tensors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in tensors.items()}


def map_state_dict(tensors: dict[str, np.ndarray], cell_hint: str | None = None,
                   cell_flag: str | None = None) -> Mapped:
    """Find embedding, recurrent stack and decoder among ``tensors`` (numpy arrays).

    cell_hint: 'rnn_tanh'/'rnn_relu' when the file itself says (a whole-module file);
    cell_flag: the user's --cell.
    """
    tensors = _strip_wrappers(dict(tensors))
    notices: list[str] = []
    prefix = _rnn_prefix(tensors)
    named, n_layers = _rnn_layers(tensors, prefix)
    w_ih, w_hh = named["rnn.weight_ih_l0"], named.get("rnn.weight_hh_l0")
    if w_hh is None or w_ih.ndim != 2 or w_hh.ndim != 2:
        raise CheckpointError(f"{prefix}weight_hh_l0 is missing or not a matrix")
    cell = _cell(w_ih, w_hh, cell_hint, cell_flag, notices)
    rest = {k: v for k, v in tensors.items() if not (k.startswith(prefix) and _RNN_KEY.match(k))}
    top_hidden = int(named[f"rnn.weight_hh_l{n_layers - 1}"].shape[-1])
    dec_w, dec_b = _decoder(rest, top_hidden)
    emb = _embedding(rest, int(rest[dec_w].shape[0]), int(w_ih.shape[1]), dec_w)
    renamed = {emb: "encoder.weight", dec_w: "decoder.weight", dec_b: "decoder.bias"}
    named.update({new: rest[old] for old, new in renamed.items()})
    if prefix != "rnn.":
        renamed[f"{prefix}*"] = "rnn.*"
    moved = {k: v for k, v in renamed.items() if k != v}
    if moved:
        notices.append("mapped tensors by shape: "
                       + ", ".join(f"{k} -> {v}" for k, v in moved.items()))
    if not any(_RNN_KEY.match(k) and "bias" in k for k in tensors if k.startswith(prefix)):
        notices.append("the recurrent layers have no biases (bias=False): using zeros")
    ignored = sorted(set(rest) - set(renamed))
    if ignored:
        notices.append(f"ignored tensors: {', '.join(ignored[:8])}"
                       + (" ..." if len(ignored) > 8 else ""))
    try:
        params = from_named_arrays(cell, _as_float32(named))
    except ParamError as e:
        raise CheckpointError(str(e)) from None
    return Mapped(params, tuple(notices), renamed)
