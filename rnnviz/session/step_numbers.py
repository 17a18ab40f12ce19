"""The cell equations of one unit at one step, filled with the numbers the model computed:
"h_t[17] = tanh(x-part 0.31 + h-part -0.12) = 0.19". Qt-free; the help panel shows the lines.

Conventions are PyTorch's (column vectors, gate order i,f,g,o for the LSTM and r,z,n for the GRU,
h' = (1 - z) * n + z * h). Pre-activations are split into the part from the layer's input x_t and
the part from the previous hidden state h_{t-1}, biases included in each.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rnnviz.engine.params import ModelParams
from rnnviz.session.model_session import ModelSession, SessionError


@dataclass(frozen=True)
class Filled:
    """One equation with numbers: ``name`` (e.g. 'f'), ``value`` and a readable ``text``."""

    name: str
    value: float
    text: str


def _sig(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


@dataclass(frozen=True)
class Inputs:
    """What layer l reads at step t: x (In,), h_prev (H,), c_prev (H,) or None."""

    x: np.ndarray
    h_prev: np.ndarray
    c_prev: np.ndarray | None


def layer_inputs(session: ModelSession, layer: int, t: int) -> Inputs:
    """x_t, h_{t-1} and c_{t-1} of one layer (the start state before step 0)."""
    if session.trace is None or session.engine is None:
        raise SessionError("no text has been run")
    params = session.engine.params
    if not isinstance(params, ModelParams):
        raise SessionError("the filled-in equations cover RNN, LSTM and GRU cells")
    rec = session.trace.records[t]
    x = params.embedding[rec.token_id] if layer == 0 else rec.h[layer - 1]
    if t > 0:
        prev = session.trace.records[t - 1]
        h_prev = prev.h[layer]
        c_prev = None if prev.c is None else prev.c[layer]
    else:
        start = session.start_state()
        h_prev = start.h[layer, 0]
        c_prev = None if start.c is None else start.c[layer, 0]
    return Inputs(np.asarray(x, np.float64), np.asarray(h_prev, np.float64),
                  None if c_prev is None else np.asarray(c_prev, np.float64))


def _parts(params: ModelParams, layer: int, row: int, inp: Inputs) -> tuple[float, float]:
    """(W_ih[row] . x + b_ih[row], W_hh[row] . h_prev + b_hh[row]) in float64."""
    p = params.layers[layer]
    xs = float(p.w_ih[row].astype(np.float64) @ inp.x + p.b_ih[row])
    hs = float(p.w_hh[row].astype(np.float64) @ inp.h_prev + p.b_hh[row])
    return xs, hs


def _pre(name: str, xs: float, hs: float) -> str:
    return f"x-part {xs:+.4f} + h-part {hs:+.4f} = {xs + hs:+.4f}"


def fill(session: ModelSession, layer: int, unit: int, t: int) -> list[Filled]:
    """The equations of unit ``unit`` of ``layer`` (0-based) at step t, in computation order."""
    if session.engine is None:
        raise SessionError("no model is loaded")
    params = session.engine.params
    if not isinstance(params, ModelParams):
        raise SessionError("the filled-in equations cover RNN, LSTM and GRU cells")
    hid = params.hidden_size
    if not (0 <= layer < params.num_layers and 0 <= unit < hid):
        raise SessionError(f"no unit {unit} in layer {layer + 1}")
    inp = layer_inputs(session, layer, t)
    j, cell = unit, params.cell
    if cell in ("rnn_tanh", "rnn_relu"):
        xs, hs = _parts(params, layer, j, inp)
        act = math.tanh(xs + hs) if cell == "rnn_tanh" else max(0.0, xs + hs)
        f_name = "tanh" if cell == "rnn_tanh" else "relu"
        return [Filled("h", act, f"h_t[{j}] = {f_name}({_pre('h', xs, hs)}) = {act:.4f}")]
    if cell == "lstm":
        return _fill_lstm(params, layer, j, inp, hid)
    return _fill_gru(params, layer, j, inp, hid)


def _fill_lstm(params: ModelParams, layer: int, j: int, inp: Inputs, hid: int) -> list[Filled]:
    out: list[Filled] = []
    vals: dict[str, float] = {}
    for k, (name, fn, fn_name) in enumerate((("i", _sig, "σ"), ("f", _sig, "σ"),
                                            ("g", math.tanh, "tanh"), ("o", _sig, "σ"))):
        xs, hs = _parts(params, layer, k * hid + j, inp)
        vals[name] = fn(xs + hs)
        out.append(Filled(name, vals[name], f"{name}_t[{j}] = {fn_name}({_pre(name, xs, hs)}) "
                                            f"= {vals[name]:.4f}"))
    c_prev = float(inp.c_prev[j]) if inp.c_prev is not None else 0.0
    c = vals["f"] * c_prev + vals["i"] * vals["g"]
    out.append(Filled("c", c, f"c_t[{j}] = f·c_(t-1) + i·g = {vals['f']:.4f} × {c_prev:+.4f} "
                              f"+ {vals['i']:.4f} × {vals['g']:+.4f} = {c:+.4f}"))
    h = vals["o"] * math.tanh(c)
    out.append(Filled("h", h, f"h_t[{j}] = o·tanh(c_t) = {vals['o']:.4f} × tanh({c:+.4f}) "
                              f"= {h:+.4f}"))
    return out


def _fill_gru(params: ModelParams, layer: int, j: int, inp: Inputs, hid: int) -> list[Filled]:
    out: list[Filled] = []
    xr, hr = _parts(params, layer, j, inp)
    xz, hz = _parts(params, layer, hid + j, inp)
    xn, hn = _parts(params, layer, 2 * hid + j, inp)
    r, z = _sig(xr + hr), _sig(xz + hz)
    n = math.tanh(xn + r * hn)
    h_prev = float(inp.h_prev[j])
    h = (1 - z) * n + z * h_prev
    out.append(Filled("r", r, f"r_t[{j}] = σ({_pre('r', xr, hr)}) = {r:.4f}"))
    out.append(Filled("z", z, f"z_t[{j}] = σ({_pre('z', xz, hz)}) = {z:.4f}"))
    out.append(Filled("n", n, f"n_t[{j}] = tanh(x-part {xn:+.4f} + r × h-part {r:.4f} × "
                              f"{hn:+.4f}) = {n:+.4f}"))
    out.append(Filled("h", h, f"h_t[{j}] = (1 − z)·n + z·h_(t-1) = {1 - z:.4f} × {n:+.4f} + "
                              f"{z:.4f} × {h_prev:+.4f} = {h:+.4f}"))
    return out
