"""The stacked recurrent language model: embedding -> L cells -> linear decoder -> softmax."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rnnviz.engine.cells import F32, Cell, make_cell
from rnnviz.engine.intervention import Intervention, StepEdit
from rnnviz.engine.params import GATE_NAMES, ModelParams


@dataclass(frozen=True)
class State:
    """Recurrent state after a step. h: (L, B, H); c: (L, B, H) for LSTM, else None."""

    h: F32
    c: F32 | None


@dataclass(frozen=True)
class StepRecord:
    """Everything one step produced (batch 1).

    token_id: the input token; state: the state after the step; h, c: (L, H);
    gates: name -> (L, H) activations (LSTM i,f,g,o; GRU r,z,n); logits, probs: (V,);
    caches: per-layer backward caches (engine-internal); edit: the intervention applied at
    this step (per layer), or None; state then holds the edited values.
    """

    token_id: int
    state: State
    logits: F32
    probs: F32
    gates: dict[str, F32]
    caches: tuple[tuple, ...]
    edit: StepEdit | None = None

    @property
    def h(self) -> F32:
        return self.state.h[:, 0, :]

    @property
    def c(self) -> F32 | None:
        return None if self.state.c is None else self.state.c[:, 0, :]


def softmax(logits: F32) -> F32:
    """Softmax over the last axis, float32, max-subtracted."""
    z = logits - logits.max(axis=-1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=-1, keepdims=True)
    return z


def log_softmax(logits: F32) -> F32:
    """log softmax over the last axis (stable)."""
    z = logits - logits.max(axis=-1, keepdims=True)
    out: F32 = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    return out


class RNNLM:
    """Forward computation of a loaded model; all arrays float32."""

    def __init__(self, params: ModelParams) -> None:
        self.params = params
        self.cells: list[Cell] = [make_cell(params.cell, p) for p in params.layers]
        self.is_lstm = params.cell == "lstm"
        self.gate_names = GATE_NAMES[params.cell]
        self.decoder_w_t = np.ascontiguousarray(params.decoder_w.T)  # (H, V)

    @property
    def num_layers(self) -> int:
        return len(self.cells)

    @property
    def hidden_size(self) -> int:
        return self.params.hidden_size

    def zero_state(self, batch: int = 1) -> State:
        """All-zero state, (L, batch, H)."""
        shape = (self.num_layers, batch, self.hidden_size)
        z = np.zeros(shape, np.float32)
        return State(z, z.copy() if self.is_lstm else None)

    def decode(self, h_top: F32) -> F32:
        """Top-layer hidden (..., H) -> logits (..., V)."""
        if h_top.ndim == 2 and h_top.shape[0] == 1:  # one row: a matrix-vector product is faster
            out: F32 = (h_top[0] @ self.decoder_w_t)[None]
        else:
            out = h_top @ self.decoder_w_t
        out += self.params.decoder_b
        return out

    def _layers(self, x: F32, state: State,
                edit: StepEdit | None = None) -> tuple[State, list[tuple]]:
        """Run one time step through every layer. x: (B, D). edit: per-layer edits applied
        after each cell update (see rnnviz.engine.intervention)."""
        hs, cs, caches = [], [], []
        for k, cell in enumerate(self.cells):
            c_prev = state.c[k] if state.c is not None else None
            x, c, cache = cell.forward(x, state.h[k], c_prev)
            layer_edit = edit[k] if edit is not None else None
            if layer_edit is not None:
                x, c = layer_edit.apply(x, c)
            hs.append(x)
            cs.append(c)
            caches.append(cache)
        c_all = np.stack(cs) if self.is_lstm else None  # type: ignore[arg-type]
        return State(np.stack(hs), c_all), caches

    def step(self, token_id: int, state: State | None = None) -> StepRecord:
        """Feed one token (batch 1) and record states, gates, logits and probabilities."""
        return self.run([token_id], state)[0]

    def run(self, ids: Sequence[int], state: State | None = None,
            intervention: Intervention | None = None, start: int = 0) -> list[StepRecord]:
        """Step through a sequence of token ids; one record per token. The recurrence runs step
        by step; the decoder and softmax run once over all steps (one matmul, not T).
        intervention: edits by step index, ids[0] being step ``start`` of the text."""
        state = state if state is not None else self.zero_state()
        self._check(intervention)
        emb = self.params.embedding
        steps: list[tuple[State, list[tuple], StepEdit | None]] = []
        for i, t in enumerate(ids):
            edit = self._edit(intervention, start + i)
            state, caches = self._layers(emb[int(t)][None, :], state, edit)
            steps.append((state, caches, edit))
        if not steps:
            return []
        logits = self.decode(np.concatenate([st.h[-1] for st, _, _ in steps]))  # (T, V)
        probs = softmax(logits)
        return [StepRecord(int(t), st, logits[i], probs[i], self._gates(caches), tuple(caches),
                           edit)
                for i, (t, (st, caches, edit)) in enumerate(zip(ids, steps, strict=True))]

    def _check(self, intervention: Intervention | None) -> None:
        if intervention:
            intervention.check(self.num_layers, self.hidden_size, self.is_lstm)

    def _edit(self, intervention: Intervention | None, s: int) -> StepEdit | None:
        if not intervention:
            return None
        return intervention.at(s, self.num_layers, self.hidden_size)

    def _gates(self, caches: list[tuple]) -> dict[str, F32]:
        """Gate activations of one step, name -> (L, H)."""
        per_layer = [cell.gate_values(c) for cell, c in zip(self.cells, caches, strict=True)]
        return {g: np.concatenate([v[g] for v in per_layer]) for g in self.gate_names}

    def forward(self, ids: NDArray[np.integer], state: State | None = None,
                intervention: Intervention | None = None,
                start: int = 0) -> tuple[F32, State]:
        """Batched forward for evaluation. ids: (B, T) -> logits (B, T, V), final state.
        intervention: as in :meth:`run`, the same for every row."""
        b, t_len = ids.shape
        state = state if state is not None else self.zero_state(b)
        self._check(intervention)
        tops = np.empty((b, t_len, self.hidden_size), np.float32)
        emb = self.params.embedding
        for t in range(t_len):
            state, _ = self._layers(emb[ids[:, t]], state, self._edit(intervention, start + t))
            tops[:, t] = state.h[-1]
        return self.decode(tops), state
