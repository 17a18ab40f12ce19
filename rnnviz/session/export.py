"""Export of what a view shows as CSV and NPZ, Qt-free.

A :class:`ViewData` is named arrays, each with a label per axis (tokens, units, words). The
builders read a :class:`ModelSession` the way the views do: :func:`hidden_states` (the heatmap:
one (T, H) array per layer of the chosen state kind), :func:`next_word` (the bars: top-k words and
probabilities at a step), :func:`gradient_row` (the curves: ||d l_t / d h_s|| for s <= t per layer,
cell and input) and :func:`gradient_matrix` (the T x T matrices; rows not computed yet are NaN).

CSV: one file per array (``name.csv`` for one array, ``stem-<array>.csv`` for several), the
first column the row labels and the header the column labels. NPZ: every array plus its labels
as ``<array>__rows`` / ``<array>__cols`` string arrays; it loads with ``allow_pickle=False``.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rnnviz.session.model_session import ModelSession, SessionError


@dataclass(frozen=True)
class ViewData:
    """arrays: name -> 1-D or 2-D array; axes: name -> (row labels,) or (row labels, column
    labels); titles: name -> (row axis title, column axis title or value title)."""

    name: str
    arrays: dict[str, np.ndarray]
    axes: dict[str, tuple[tuple[str, ...], ...]]
    titles: dict[str, tuple[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for key, a in self.arrays.items():
            labels = self.axes.get(key, ())
            if a.ndim not in (1, 2) or len(labels) != a.ndim:
                raise ValueError(f"{key}: {a.ndim}-D array with {len(labels)} label axes")
            if any(len(lab) != n for lab, n in zip(labels, a.shape, strict=True)):
                raise ValueError(f"{key}: labels do not match shape {a.shape}")


def _token_labels(session: ModelSession) -> tuple[str, ...]:
    if session.trace is None:
        raise SessionError("no text has been run")
    return tuple(f"{t}:{tok.text}" for t, tok in enumerate(session.trace.tokens))


def hidden_states(session: ModelSession, kind: str | None = None) -> ViewData:
    """The heatmap: per layer, the (T, H) values of ``kind`` (default: the view's state kind)."""
    kind = kind or session.state_kind
    if session.trace is None or kind not in session.state_kinds():
        raise SessionError(f"this model has no {kind!r} state")
    states = session.trace.states(kind)  # (L, T, H)
    rows = _token_labels(session)
    cols = tuple(f"unit {u}" for u in range(states.shape[2]))
    names = [f"{kind}_layer{k + 1}" for k in range(states.shape[0])]
    return ViewData(f"{kind} states", {n: states[k] for k, n in enumerate(names)},
                    {n: (rows, cols) for n in names}, {n: ("step:token", kind) for n in names})


def next_word(session: ModelSession, t: int | None = None, k: int | None = None) -> ViewData:
    """The bars: the top-k next words and their probabilities at step t (default: cursor)."""
    p = session.prediction(t, k)
    return ViewData(f"next word after step {p.t}", {"probs": np.asarray(p.probs)},
                    {"probs": (tuple(p.words),)}, {"probs": ("word", "probability")})


def gradient_row(session: ModelSession, t: int | None = None) -> ViewData:
    """The curves: norms of d l_t / d h_s (per layer), d c_s and d e_s for s = 0..t."""
    row = session.gradient_row(t, session.truncate)
    steps = _token_labels(session)[: row.t + 1]
    layers = tuple(f"layer {k + 1}" for k in range(row.h.shape[0]))
    arrays = {"h": row.h.T, "inputs": row.inputs}
    axes: dict[str, tuple[tuple[str, ...], ...]] = {"h": (steps, layers), "inputs": (steps,)}
    if row.c is not None:
        arrays["c"], axes["c"] = row.c.T, (steps, layers)
    titles = {n: ("source step:token", f"||d l_{row.t} / d {n}_s||") for n in arrays}
    return ViewData(f"gradient norms of the loss at step {row.t}", arrays, axes, titles)


def gradient_matrix(session: ModelSession) -> ViewData:
    """The matrices: per layer G[t, s] = ||d l_t / d h_s|| (NaN for s > t or rows not yet
    computed), and the input matrix."""
    store = session.store(session.truncate)
    labels = _token_labels(session)
    arrays = {f"h_layer{k + 1}": store.h[k] for k in range(store.h.shape[0])}
    if store.c is not None:
        arrays |= {f"c_layer{k + 1}": store.c[k] for k in range(store.c.shape[0])}
    arrays["inputs"] = store.inputs
    return ViewData("gradient norm matrices", arrays, {n: (labels, labels) for n in arrays},
                    {n: ("target step:token", "source step:token") for n in arrays})


def _cell(x: float) -> str:
    return "" if math.isnan(x) else repr(float(x))


def write_csv(path: str | Path, data: ViewData) -> list[Path]:
    """One CSV per array (see the module docstring); returns the files written."""
    path = Path(path)
    many = len(data.arrays) > 1
    out = []
    for key, a in data.arrays.items():
        dest = path.with_name(f"{path.stem}-{key}{path.suffix or '.csv'}") if many else path
        rows_title, cols_title = data.titles.get(key, ("row", "value"))
        with open(dest, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            labels = data.axes[key]
            if a.ndim == 1:
                w.writerow([rows_title, cols_title])
                w.writerows([lab, _cell(x)] for lab, x in zip(labels[0], a, strict=True))
            else:
                w.writerow([rows_title, *labels[1]])
                w.writerows([lab, *map(_cell, row)] for lab, row in zip(labels[0], a,
                                                                          strict=True))
        out.append(dest)
    return out


def write_npz(path: str | Path, data: ViewData) -> Path:
    """Every array with its labels (``<array>__rows``, ``<array>__cols``) in one .npz."""
    payload: dict[str, np.ndarray] = {}
    for key, a in data.arrays.items():
        payload[key] = np.asarray(a)
        for axis, labels in zip(("rows", "cols"), data.axes[key], strict=False):
            payload[f"{key}__{axis}"] = np.array(labels, dtype=str)
    path = Path(path)
    np.savez(path, **payload)  # type: ignore[arg-type]
    return path if path.suffix == ".npz" else path.with_name(path.name + ".npz")
