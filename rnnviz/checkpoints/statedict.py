"""PyTorch state_dict names -> engine parameters.

The word_language_model example's names (``encoder.weight``, ``rnn.weight_ih_l0``...,
``decoder.weight``, ``decoder.bias``) map directly. Other models that hold a bare
nn.RNN/LSTM/GRU beside an embedding and a linear decoder (``embedding.``, ``lstm.``, ``fc.``...)
are mapped by shape, and the mapping is reported as a notice. ``*_reverse`` tensors
(bidirectional=True) give a bidirectional stack (BiParams). A Linear whose outputs are not the
embedding's rows (the tutorial's SampleRNN: ``rnn.*``, ``fc.weight``, ``fc.bias``, with or
without an embedding) is a many-to-one classifier's fc (ClassifierParams).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from rnnviz.checkpoints.errors import CheckpointError
from rnnviz.engine.bidir_params import BiParams
from rnnviz.engine.classifier_params import ClassifierParams
from rnnviz.engine.params import LayerParams, ModelParams, ParamError

_RNN_KEY = re.compile(r"^(?P<prefix>(?:.*\.)?)(?P<kind>weight_ih|weight_hh|bias_ih|bias_hh)"
                      r"_l(?P<k>\d+)(?P<suffix>.*)$")
_WRAPPERS = ("module.", "_orig_mod.")
_CELL_BY_GATES = {4: "lstm", 3: "gru"}


@dataclass(frozen=True)
class Mapped:
    """Parameters plus what the user should be told about how they were found."""

    params: ModelParams | BiParams | ClassifierParams
    notices: tuple[str, ...]
    renamed: dict[str, str]


def _strip_wrappers(tensors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Drop DataParallel's ``module.`` and torch.compile's ``_orig_mod.`` prefixes."""
    for wrap in _WRAPPERS:
        if tensors and all(k.startswith(wrap) for k in tensors):
            tensors = {k[len(wrap):]: v for k, v in tensors.items()}
    return tensors


def _rnn_prefix(tensors: dict[str, np.ndarray]) -> tuple[str, bool]:
    """The one module prefix holding ``weight_ih_l0`` etc., and whether it has ``_reverse``
    tensors (bidirectional); projections and other suffixes are refused."""
    prefixes = set()
    bidirectional = False
    for name in tensors:
        m = _RNN_KEY.match(name)
        if not m:
            continue
        if m.group("suffix") == "_reverse":
            bidirectional = True
        elif m.group("suffix"):
            raise CheckpointError(f"{name}: unsupported recurrent layers")
        prefixes.add(m.group("prefix"))
    if not prefixes:
        raise CheckpointError("no recurrent layer found (no tensor named *weight_ih_l0): "
                              "not an RNN/LSTM/GRU model")
    if len(prefixes) > 1:
        names = ", ".join(sorted(p.rstrip(".") or "(top level)" for p in prefixes))
        raise CheckpointError(f"several recurrent modules ({names}); rnnviz reads one stack")
    if any(n.startswith(tuple(prefixes)) and "weight_hr" in n for n in tensors):
        raise CheckpointError("LSTM projections (proj_size) are not supported")
    return prefixes.pop(), bidirectional


def _rnn_layers(tensors: dict[str, np.ndarray], prefix: str,
                suffix: str = "") -> tuple[dict[str, np.ndarray], int]:
    """One direction's tensors under the example's names (``rnn.weight_ih_l0`` + suffix);
    missing biases become zeros (bias=False)."""
    out: dict[str, np.ndarray] = {}
    k = 0
    while f"{prefix}weight_ih_l{k}{suffix}" in tensors:
        w_hh = f"{prefix}weight_hh_l{k}{suffix}"
        for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            name = f"{prefix}{kind}_l{k}{suffix}"
            if name in tensors:
                out[f"rnn.{kind}_l{k}{suffix}"] = tensors[name]
            elif kind.startswith("bias") and w_hh in tensors:
                out[f"rnn.{kind}_l{k}{suffix}"] = np.zeros(tensors[w_hh].shape[0], np.float32)
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


def _embeddings(rest: dict[str, np.ndarray], emb: int, decoder_w: str) -> list[str]:
    """Every bias-free (n, emb) weight other than the decoder: the embedding's candidates."""
    return [n for n, a in rest.items()
            if n != decoder_w and n.endswith("weight") and a.ndim == 2 and a.shape[1] == emb
            and n[: -len("weight")] + "bias" not in rest]


_EMBED_NAMES = ("encoder", "embedding", "embed", "emb", "embeddings", "word_embeddings")


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


@dataclass(frozen=True)
class Stack:
    """The recurrent stack found in a state_dict: forward (and reverse) tensors under the
    example's names, the cell and the layer count."""

    prefix: str
    cell: str
    forward: dict[str, np.ndarray]
    reverse: dict[str, np.ndarray]
    layers: int

    @property
    def bidirectional(self) -> bool:
        return bool(self.reverse)

    @property
    def input_size(self) -> int:
        return int(self.forward["rnn.weight_ih_l0"].shape[1])

    @property
    def output_width(self) -> int:
        """What a Linear on the stack's output reads: H, or 2H for a bidirectional stack."""
        top = int(self.forward[f"rnn.weight_hh_l{self.layers - 1}"].shape[-1])
        return 2 * top if self.bidirectional else top


def _stack(tensors: dict[str, np.ndarray], cell_hint: str | None, cell_flag: str | None,
           notices: list[str]) -> Stack:
    prefix, bidirectional = _rnn_prefix(tensors)
    fwd, n_layers = _rnn_layers(tensors, prefix)
    rev, n_rev = _rnn_layers(tensors, prefix, "_reverse") if bidirectional else ({}, n_layers)
    if n_rev != n_layers:
        raise CheckpointError(f"{n_layers} forward layers but {n_rev} reverse layers")
    w_ih, w_hh = fwd["rnn.weight_ih_l0"], fwd.get("rnn.weight_hh_l0")
    if w_hh is None or w_ih.ndim != 2 or w_hh.ndim != 2:
        raise CheckpointError(f"{prefix}weight_hh_l0 is missing or not a matrix")
    cell = _cell(w_ih, w_hh, cell_hint, cell_flag, notices)
    return Stack(prefix, cell, fwd, rev, n_layers)


@dataclass(frozen=True)
class ClassifierChoice:
    """What the user said about a classifier: class names (empty: not given), pooling (None:
    not given). Class names given make the file a classifier whatever its shapes."""

    classes: tuple[str, ...] = ()
    pool: str | None = None


def map_state_dict(tensors: dict[str, np.ndarray], cell_hint: str | None = None,
                   cell_flag: str | None = None,
                   choice: ClassifierChoice | None = None) -> Mapped:
    """Find embedding, recurrent stack and decoder among ``tensors`` (numpy arrays).

    A Linear whose outputs match the embedding's rows is a language model's decoder; one with
    another output count (or a stack without embedding, or class names given) is a
    classifier's fc. ``_reverse`` tensors make the stack bidirectional.
    cell_hint: 'rnn_tanh'/'rnn_relu' when the file itself says (a whole-module file);
    cell_flag: the user's --cell.
    """
    choice = choice or ClassifierChoice()
    tensors = _strip_wrappers(dict(tensors))
    notices: list[str] = []
    stack = _stack(tensors, cell_hint, cell_flag, notices)
    rest = {k: v for k, v in tensors.items()
            if not (k.startswith(stack.prefix) and _RNN_KEY.match(k))}
    dec_w, dec_b = _decoder(rest, stack.output_width)
    outputs = int(rest[dec_w].shape[0])
    cands = _embeddings(rest, stack.input_size, dec_w)
    lm_cands = [n for n in cands if rest[n].shape[0] == outputs]
    classify = bool(choice.classes) or not lm_cands
    if classify:
        emb = _pick(cands, _EMBED_NAMES, f"embedding (a (V, {stack.input_size}) weight)") \
            if cands else None
    else:
        emb = _pick(lm_cands, _EMBED_NAMES, f"embedding (a ({outputs}, {stack.input_size}) "
                                              "weight)")
    renamed = {dec_w: "decoder.weight", dec_b: "decoder.bias"}
    if emb is not None:
        renamed = {emb: "encoder.weight", **renamed}
    named = {**stack.forward, **stack.reverse,
             **{new: rest[old] for old, new in renamed.items()}}
    if emb is None:
        named["encoder.weight"] = np.eye(stack.input_size, dtype=np.float32)
    _report(tensors, rest, stack, renamed, notices)
    try:
        net = _net(stack, _as_float32(named), outputs if classify else 0)
        params: ModelParams | BiParams | ClassifierParams = net
        if classify:
            params = _classifier(net, outputs, emb is None, stack.bidirectional, choice, notices)
    except ParamError as e:
        raise CheckpointError(str(e)) from None
    return Mapped(params, tuple(notices), renamed)


def _report(tensors: dict[str, np.ndarray], rest: dict[str, np.ndarray], stack: Stack,
            renamed: dict[str, str], notices: list[str]) -> None:
    """Notices: tensors found by shape, missing biases, tensors left out."""
    if stack.prefix != "rnn.":
        renamed[f"{stack.prefix}*"] = "rnn.*"
    moved = {k: v for k, v in renamed.items() if k != v}
    if moved:
        notices.append("mapped tensors by shape: "
                       + ", ".join(f"{k} -> {v}" for k, v in moved.items()))
    if not any(_RNN_KEY.match(k) and "bias" in k for k in tensors if k.startswith(stack.prefix)):
        notices.append("the recurrent layers have no biases (bias=False): using zeros")
    ignored = sorted(set(rest) - set(renamed))
    if ignored:
        notices.append(f"ignored tensors: {', '.join(ignored[:8])}"
                       + (" ..." if len(ignored) > 8 else ""))


def _layers(named: dict[str, np.ndarray], n: int, suffix: str) -> tuple[LayerParams, ...]:
    return tuple(LayerParams(*(named[f"rnn.{kind}_l{k}{suffix}"] for kind in
                               ("weight_ih", "weight_hh", "bias_ih", "bias_hh")))
                 for k in range(n))


def _net(stack: Stack, named: dict[str, np.ndarray], output_size: int) -> ModelParams | BiParams:
    """The recurrent part with its decoder (output_size 0: the vocabulary; C: a classifier)."""
    missing = sorted({f"rnn.{kind}_l{k}{sfx}" for k in range(stack.layers)
                      for sfx in (("", "_reverse") if stack.bidirectional else ("",))
                      for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")} - set(named))
    if missing:
        raise CheckpointError(f"missing tensor(s): {', '.join(missing)}")
    emb, dec_w, dec_b = named["encoder.weight"], named["decoder.weight"], named["decoder.bias"]
    fwd = _layers(named, stack.layers, "")
    if stack.bidirectional:
        return BiParams(stack.cell, emb, fwd, _layers(named, stack.layers, "_reverse"), dec_w,
                        dec_b, output_size)
    return ModelParams(stack.cell, emb, fwd, dec_w, dec_b, output_size)


def _classifier(net: ModelParams | BiParams, outputs: int, one_hot: bool, bidirectional: bool,
                choice: ClassifierChoice, notices: list[str]) -> ClassifierParams:
    """The classifier around ``net``: class names and pooling, defaults with a notice."""
    classes = choice.classes
    if classes and len(classes) != outputs:
        raise CheckpointError(f"{len(classes)} class names given but fc has {outputs} outputs")
    if not classes:
        classes = tuple(f"class {i}" for i in range(outputs))
        notices.append(f"a classifier with {outputs} classes and no class names: calling them "
                       "'class 0', 'class 1'... (pass --classes \"neg,pos\" or --labels FILE)")
    pool = choice.pool or "last-output"
    if bidirectional and choice.pool is None:
        notices.append("a state_dict cannot tell what fc reads: assuming the last step's output "
                       "out[:, -1, :] as SampleRNN (pass --pool final-states for fc over both "
                       "directions' final states)")
    if one_hot:
        notices.append(f"no embedding in the file: the RNN reads one-hot vectors over a "
                       f"vocabulary of {net.embedding_size} tokens")
    return ClassifierParams(net, classes, pool, one_hot)
