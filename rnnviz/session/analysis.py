"""One text through one model: states, predictions and exact (or truncated) BPTT gradient
norms as numpy arrays, and the ``analyze`` JSON document built from them. Used by
``rnnviz analyze`` and by the Python API (``rnnviz.load(...).analyze(...)``)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.vocab import Token
from rnnviz.engine.factory import Engine, build_engine, engine_gradient_rows, rnn_only
from rnnviz.engine.jacobian import forget_gate_mean, jacobian_norms
from rnnviz.engine.network import RNNLM, State
from rnnviz.engine.params import F32
from rnnviz.session.trace import Trace, run_trace, with_target

#: Runs the tokens from a state: run_trace by default, an intervened run for what-if.
TraceFn = Callable[[RNNLM, list[Token], State | None], Trace]


@dataclass(frozen=True)
class Analysis:
    """A text's analysis; T steps, L layers, H units, V vocabulary.

    hidden: (L, T, H), so ``hidden[layer]`` is (T, H); cell: (L, T, H) for an LSTM, else None;
    probs: (T, V) next-token softmax; grad_norms: (L, T, T), row t = target t, column s =
    ||d l_t / d h_s|| (NaN where s > t); cell_grad_norms likewise or None; input_grad_norms:
    (T, T) against the input embeddings; targets (T,), target_is_prediction (T,), losses (T,);
    jacobian_norms: (L, T) ||d s_t / d s_t-1||_2 (NaN at t = 0); forget_gate_mean: (L, T) for
    an LSTM, else None. ``trace``, ``engine`` and ``initial_state`` are what they came from.
    """

    model: LoadedModel
    tokens: list[str]
    token_ids: NDArray[np.int64]
    oov: NDArray[np.bool_]
    hidden: F32
    cell: F32 | None
    probs: F32
    grad_norms: F32
    cell_grad_norms: F32 | None
    input_grad_norms: F32
    targets: NDArray[np.int64]
    target_is_prediction: NDArray[np.bool_]
    losses: NDArray[np.float64]
    jacobian_norms: np.ndarray
    forget_gate_mean: np.ndarray | None
    truncate: int | None
    top_k: int = 10
    trace: Trace | None = field(default=None, repr=False, compare=False)
    engine: Engine | None = field(default=None, repr=False, compare=False)
    initial_state: State | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The ``analyze --json`` document (README documents the schema)."""
        return {
            "model": self.model.summary(),
            "tokens": list(self.tokens),
            "token_ids": [int(i) for i in self.token_ids],
            "oov": [bool(o) for o in self.oov],
            "truncate": self.truncate,
            "steps": [self._step(t) for t in range(len(self.tokens))],
            "grad_norms": floats(self.grad_norms),
            "cell_grad_norms": None if self.cell_grad_norms is None
            else floats(self.cell_grad_norms),
            "input_grad_norms": floats(self.input_grad_norms),
            "jacobian_norms": floats(self.jacobian_norms),
            "forget_gate_mean": None if self.forget_gate_mean is None
            else floats(self.forget_gate_mean),
        }

    def to_json(self) -> str:
        """Exactly what ``rnnviz analyze --json -`` prints (without the final newline)."""
        return json.dumps(self.to_dict())

    def _step(self, t: int) -> dict[str, Any]:
        probs = self.probs[t]
        k = min(self.top_k, probs.shape[0])
        top = np.argsort(-probs, kind="stable")[:k]
        is_pred = bool(self.target_is_prediction[t])
        target = int(self.targets[t])
        vocab = self.model.vocab.tokens
        return {
            "hidden": floats(self.hidden[:, t]),
            "cell": None if self.cell is None else floats(self.cell[:, t]),
            "top_k": [{"token": vocab[i], "id": int(i), "prob": float(probs[i])} for i in top],
            "next_token_prob": None if is_pred else float(probs[target]),
            "target_id": target,
            "target_is_prediction": is_pred,
            "target_is_choice": self.trace.is_choice(t) if self.trace is not None else False,
            "loss": float(self.losses[t]),
        }


def floats(a: np.ndarray) -> list[Any]:
    """Array -> nested lists of Python floats, NaN -> None (JSON null)."""
    if a.ndim == 1:
        return [None if math.isnan(x) else x for x in a.tolist()]
    return [floats(row) for row in a]


def analyze(model: LoadedModel, tokens: list[Token], top_k: int = 10, truncate: int | None = None,
            prime: list[Token] | None = None, target: int | None = None,
            trace_fn: TraceFn | None = None) -> Analysis:
    """Run ``tokens`` (after ``prime``, if any) and compute the full gradient-norm matrices.

    target: the token id the last position's loss traces (default: the top-1 prediction);
    trace_fn: how the tokens are run (default :func:`run_trace`; what-if passes its own)."""
    engine = build_engine(model.params)
    state: State | None = engine.run([t.id for t in prime])[-1].state if prime else None
    if trace_fn is not None:
        trace = trace_fn(rnn_only(engine, "interventions and edits"), tokens, state)
    else:
        trace = run_trace(engine, tokens, state)
    if target is not None:
        trace = with_target(trace, trace.length - 1, target)
    grads = engine_gradient_rows(engine, trace.records, trace.targets, 0, trace.length, truncate)
    cell = trace.states("c") if model.params.cell == "lstm" else None
    return Analysis(
        model=model, tokens=[t.text for t in tokens],
        token_ids=np.array([t.id for t in tokens], np.int64),
        oov=np.array([t.oov for t in tokens], bool),
        hidden=trace.states("h"), cell=cell,
        probs=np.stack([r.probs for r in trace.records]).astype(np.float32, copy=False),
        grad_norms=grads.h, cell_grad_norms=grads.c, input_grad_norms=grads.inputs,
        targets=trace.targets, target_is_prediction=trace.target_is_prediction,
        losses=trace.losses,
        jacobian_norms=jacobian_norms(engine, trace.records) if isinstance(engine, RNNLM) else
        np.full((engine.num_layers, trace.length), np.nan),
        forget_gate_mean=forget_gate_mean(trace.records) if isinstance(engine, RNNLM) else None,
        truncate=truncate, top_k=top_k,
        trace=trace, engine=engine, initial_state=state)
