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
from rnnviz.engine.factory import (
    Engine,
    build_engine,
    engine_gradient_rows,
    layer_labels,
    rnn_only,
)
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

    tokens, token_ids and oov are in text order; every per-step array (hidden ... losses,
    the rows and columns of the gradient matrices) is in the model's reading order:
    step i read ``tokens[reading_order[i]]``. A forward model reads 0..T-1; a backward one
    (direction 'backward') reads T-1..0, so its step i predicts the word before
    ``tokens[reading_order[i]]``. A classifier's probs are (T, C): the class probabilities
    after each prefix, as if the text ended there; ``classes`` names the C columns.
    layer_labels: one name per displayed layer ('layer 1 →', 'layer 1 ←'... bidirectional).
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
    direction: str = "forward"
    reading_order: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    layer_labels: tuple[str, ...] = ()
    trace: Trace | None = field(default=None, repr=False, compare=False)
    engine: Engine | None = field(default=None, repr=False, compare=False)
    initial_state: State | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The ``analyze --json`` document (README documents the schema)."""
        return {
            "model": self.model.summary(),
            "direction": self.direction,
            "reading_order": [int(i) for i in self.reading_order],
            "classes": list(self.model.classes) or None,
            "layer_labels": list(self.layer_labels),
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
        classes = self.model.classes
        names, key = (classes, "class") if classes else (self.model.vocab.tokens, "token")
        extra = {"class_probs": floats(probs)} if classes else {}
        return {
            "position": int(self.reading_order[t]) if len(self.reading_order) else t,
            "hidden": floats(self.hidden[:, t]),
            "cell": None if self.cell is None else floats(self.cell[:, t]),
            "top_k": [{key: names[i], "id": int(i), "prob": float(probs[i])} for i in top],
            **extra,
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

    A backward model reads the tokens from the last to the first, after ``prime`` read the
    same way (so prime is the text that follows). target: the token id the last position's
    loss traces (default: the top-1 prediction); trace_fn: how the tokens are run (default
    :func:`run_trace`; what-if passes its own)."""
    engine = build_engine(model.params)
    backward = model.direction == "backward"
    order = np.arange(len(tokens))[::-1] if backward else np.arange(len(tokens))
    read = [tokens[i] for i in order]
    prime_read = (prime[::-1] if backward else prime) if prime else None
    state: State | None = (engine.run([t.id for t in prime_read])[-1].state if prime_read
                           else None)
    if trace_fn is not None:
        trace = trace_fn(rnn_only(engine, "interventions and edits"), read, state)
    else:
        trace = run_trace(engine, read, state)
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
        truncate=truncate, top_k=top_k, direction=model.direction,
        reading_order=order.astype(np.int64), layer_labels=layer_labels(engine),
        trace=trace, engine=engine, initial_state=state)

