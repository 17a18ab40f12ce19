"""One text through one model: states, predictions and exact (or truncated) BPTT gradient
norms as numpy arrays, and the ``analyze`` JSON document built from them. Used by
``rnnviz analyze`` and by the Python API (``rnnviz.load(...).analyze(...)``)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.vocab import Token
from rnnviz.engine.bptt import gradient_norms
from rnnviz.engine.network import RNNLM, State
from rnnviz.engine.params import F32
from rnnviz.session.trace import Trace, run_trace


@dataclass(frozen=True)
class Analysis:
    """A text's analysis; T steps, L layers, H units, V vocabulary.

    hidden: (L, T, H), so ``hidden[layer]`` is (T, H); cell: (L, T, H) for an LSTM, else None;
    probs: (T, V) next-token softmax; grad_norms: (L, T, T), row t = target t, column s =
    ||d l_t / d h_s|| (NaN where s > t); cell_grad_norms likewise or None; input_grad_norms:
    (T, T) against the input embeddings; targets (T,), target_is_prediction (T,), losses (T,).
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
    truncate: int | None
    top_k: int = 10

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
            "loss": float(self.losses[t]),
        }


def floats(a: np.ndarray) -> list[Any]:
    """Array -> nested lists of Python floats, NaN -> None (JSON null)."""
    if a.ndim == 1:
        return [None if math.isnan(x) else x for x in a.tolist()]
    return [floats(row) for row in a]


def _trace(model: LoadedModel, tokens: list[Token], prime: list[Token] | None) -> tuple[RNNLM,
                                                                                         Trace]:
    engine = RNNLM(model.params)
    state: State | None = engine.run([t.id for t in prime])[-1].state if prime else None
    return engine, run_trace(engine, tokens, state)


def analyze(model: LoadedModel, tokens: list[Token], top_k: int = 10, truncate: int | None = None,
            prime: list[Token] | None = None) -> Analysis:
    """Run ``tokens`` (after ``prime``, if any) and compute the full gradient-norm matrices."""
    engine, trace = _trace(model, tokens, prime)
    grads = gradient_norms(engine, trace.records, trace.targets, truncate)
    cell = trace.states("c") if model.params.cell == "lstm" else None
    return Analysis(
        model=model, tokens=[t.text for t in tokens],
        token_ids=np.array([t.id for t in tokens], np.int64),
        oov=np.array([t.oov for t in tokens], bool),
        hidden=trace.states("h"), cell=cell,
        probs=np.stack([r.probs for r in trace.records]).astype(np.float32, copy=False),
        grad_norms=grads.h, cell_grad_norms=grads.c, input_grad_norms=grads.inputs,
        targets=trace.targets, target_is_prediction=trace.target_is_prediction,
        losses=trace.losses, truncate=truncate, top_k=top_k)
