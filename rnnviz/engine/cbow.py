"""The CBOW language model, stepped like an RNN: h_t = mean of the last N embeddings.

There is no recurrence: the state carried from step to step is only the window's previous ids.
A step record's ``h`` (1, D) is the averaged window, the model's "hidden state".

Gradients (same definitions and shapes as :mod:`bptt`): l_t = -log p(target_t | window_t),
g_t = d l_t / d h_t = W_dec^T (p_t - onehot(target_t)). G[0, t, s] = ||g_t|| at s = t and 0 for
s < t (h_t reads no earlier h); E[t, s] = ||d l_t / d e_s|| = ||g_t|| / n_t for the n_t <= N
steps s = t-n_t+1..t in the window, 0 before it; NaN for s > t. Truncated with K: blocks of K
steps as in bptt; a window step outside t's block gets 0 (the forward window still crosses).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rnnviz.engine.bptt import Cancelled, GradientRows, Progress
from rnnviz.engine.cbow_params import CbowParams
from rnnviz.engine.network import State, StepRecord, softmax
from rnnviz.engine.params import F32

Ids = NDArray[np.int64]


@dataclass(frozen=True)
class CbowState(State):
    """State after a step. h: (1, B, D) the averaged window; c: None; prev: (B, m) the last
    m <= N-1 ids read (the next step's window is prev plus its own token)."""

    prev: Ids


class CbowLM:
    """Forward computation of a CBOW model with the engine interface; float32."""

    is_lstm = False
    gate_names: tuple[str, ...] = ()
    sees_future = False
    task = "lm"

    def __init__(self, params: CbowParams) -> None:
        self.params = params
        self.window = params.window
        self.decoder_w_t = np.ascontiguousarray(params.decoder_w.T)  # (D, V)

    @property
    def num_layers(self) -> int:
        return 1

    @property
    def hidden_size(self) -> int:
        return self.params.hidden_size

    def layer_labels(self) -> tuple[str, ...]:
        return ("window mean",)

    def zero_state(self, batch: int = 1) -> CbowState:
        """No words read yet: h zeros (1, batch, D), an empty window."""
        z = np.zeros((1, batch, self.hidden_size), np.float32)
        return CbowState(z, None, np.zeros((batch, 0), np.int64))

    def _means(self, ids: Ids, prev: Ids) -> tuple[F32, Ids]:
        """Window means for ids (B, T) after prev (B, m) -> (h (B, T, D), counts (T,))."""
        stream = np.concatenate([prev, ids], axis=1)  # (B, m+T)
        m, t_len = prev.shape[1], ids.shape[1]
        emb = self.params.embedding
        total = np.zeros((ids.shape[0], t_len, self.hidden_size), np.float64)
        for j in range(self.window):  # offset j: the token j steps back, where it exists
            lo = max(0, j - m)
            if lo < t_len:
                total[:, lo:] += emb[stream[:, m + lo - j:m + t_len - j]]
        counts = np.minimum(np.arange(t_len) + m + 1, self.window).astype(np.int64)
        return (total / counts[None, :, None]).astype(np.float32), counts

    def _next_prev(self, ids: Ids, prev: Ids) -> Ids:
        """The last N-1 ids of prev + ids, (B, <= N-1)."""
        stream = np.concatenate([prev, ids], axis=1)
        return stream[:, max(0, stream.shape[1] - (self.window - 1)):].copy()

    def decode(self, h: F32) -> F32:
        """Window means (..., D) -> logits (..., V)."""
        out: F32 = h @ self.decoder_w_t
        out += self.params.decoder_b
        return out

    def step(self, token_id: int, state: State | None = None) -> StepRecord:
        """Feed one token (batch 1)."""
        return self.run([token_id], state)[0]

    def run(self, ids: Sequence[int], state: State | None = None) -> list[StepRecord]:
        """One record per token; record t's state carries the window after token t.
        caches: ((window ids (n_t,),),) the ids averaged at that step."""
        st = self._state(state)
        if not len(ids):
            return []
        arr = np.asarray([int(i) for i in ids], np.int64)[None]
        h, counts = self._means(arr, st.prev)
        logits = self.decode(h[0])
        probs = softmax(logits.copy())
        stream = np.concatenate([st.prev[0], arr[0]])
        m, out = st.prev.shape[1], []
        for t in range(arr.shape[1]):
            win = stream[m + t + 1 - counts[t]:m + t + 1]
            prev = stream[max(0, m + t + 2 - self.window):m + t + 1][None]
            out.append(StepRecord(int(arr[0, t]), CbowState(h[:, t][None], None, prev),
                                  logits[t], probs[t], {}, ((win,),)))
        return out

    def forward(self, ids: NDArray[np.integer], state: State | None = None) -> tuple[F32, State]:
        """Batched forward for evaluation. ids: (B, T) -> logits (B, T, V), final state."""
        st = self._state(state, ids.shape[0])
        arr = np.asarray(ids, np.int64)
        if arr.shape[1] == 0:
            return np.zeros((*arr.shape, self.params.vocab_size), np.float32), st
        h, _ = self._means(arr, st.prev)
        return self.decode(h), CbowState(h[:, -1][None], None, self._next_prev(arr, st.prev))

    def _state(self, state: State | None, batch: int = 1) -> CbowState:
        if state is None:
            return self.zero_state(batch)
        if not isinstance(state, CbowState):
            raise TypeError("a CBOW model continues only from a CBOW state")
        return state


def cbow_gradient_rows(
    engine: CbowLM,
    records: Sequence[StepRecord],
    targets: NDArray[np.int64],
    t0: int,
    t1: int,
    truncate: int | None = None,
    progress: Progress | None = None,
) -> GradientRows:
    """Gradient norms of l_t for t in [t0, t1): h (1, n, T), c None, inputs (n, T)."""
    if truncate is not None and truncate < 1:
        raise ValueError("truncation K must be >= 1")
    n_steps, n = len(records), t1 - t0
    rows = np.arange(t0, t1)
    future = np.arange(n_steps)[None, :] > rows[:, None]  # (n, T)
    out_in = np.where(future, np.float32(np.nan), np.float32(0.0))
    out_h = out_in[None].copy()
    if n <= 0:
        return GradientRows(t0, out_h, None, out_in)
    dlogits = np.stack([records[t].probs for t in range(t0, t1)]).astype(np.float32)  # (n, V)
    dlogits[np.arange(n), targets[t0:t1]] -= 1.0
    g = np.linalg.norm(dlogits @ engine.params.decoder_w, axis=1)  # (n,)
    out_h[0, np.arange(n), rows] = g
    for i, t in enumerate(range(t0, t1)):
        n_t = len(records[t].caches[0][0])
        lo = max(0, t - n_t + 1, (t // truncate) * truncate if truncate else 0)
        out_in[i, lo:t + 1] = g[i] / n_t
        if progress is not None and not progress((i + 1) / n):
            raise Cancelled
    return GradientRows(t0, out_h, None, out_in)
