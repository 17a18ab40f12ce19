"""Many-to-one classifiers (the tutorials' SampleRNN): a class distribution after every prefix.

Step t's logits and probs (C,) are what the classifier says if the text ended at step t:
fc(pool(run of tokens 0..t)). pool 'last-output' is SampleRNN's fc(out[:, -1, :]) (for a
bidirectional net [forward_t; reverse_t] of the top layer, the reverse state having read only
token t); 'final-states' is fc([h_n forward; h_n reverse]) = [forward_t; reverse_0].

Unidirectional nets: the prefix run is the text's run, so this is exactly :class:`RNNLM` with fc
as its decoder, decoding every step; gradient rows are :mod:`bptt`'s (s > t NaN).
Bidirectional nets: the reverse direction of a prefix differs from the whole text's, so each
prefix is rerun: O(T^2) cell steps, fine for texts up to a few hundred tokens (a 300-token text
is 45,000 steps per direction and layer). The prefixes run as one batch (row b is the prefix
0..b; step s runs only the rows b >= s), in chunks of about CHUNK_BYTES. The displayed states
h, c and gates are the whole text's run (as :class:`BiRNNLM` shows them); gradient row t is
taken over the prefix-t computation:
norms of d l_t / d h_s, c_s, e_s, l_t = -log p(target_t | tokens 0..t), s <= t; s > t is NaN
(those tokens are not in the prefix). Truncation K cuts the prefix computation's recurrent links
at block edges in both directions, as in :mod:`bidir_bptt` (with 'final-states' the gradient
then reaches t's block and the first block, where the reverse h_n was written).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from rnnviz.engine.bidir import Active, BiRNNLM, Encoded, final_state
from rnnviz.engine.bidir_bptt import sweep_rows
from rnnviz.engine.bidir_params import BiParams
from rnnviz.engine.bptt import Cancelled, GradientRows, Progress, gradient_rows
from rnnviz.engine.cells import F32
from rnnviz.engine.classifier_params import ClassifierParams
from rnnviz.engine.network import RNNLM, State, StepRecord, softmax

CHUNK_BYTES = 96 << 20  # memory for one batch of prefixes (states, or backward caches)


class PrefixStart(NamedTuple):
    """The state a bidirectional classifier's run started from (kept as the last entry of each
    record's caches, so that gradient rows can rerun any prefix exactly)."""

    state: State | None


class ClassifierEngine:
    """A classifier stepped token by token; all arrays float32."""

    task = "classify"

    def __init__(self, params: ClassifierParams) -> None:
        self.params = params
        net = params.net
        self.inner: RNNLM | BiRNNLM = BiRNNLM(net) if isinstance(net, BiParams) else RNNLM(net)
        self.bidirectional = isinstance(self.inner, BiRNNLM)
        self.sees_future = self.bidirectional
        self.is_lstm = self.inner.is_lstm
        self.gate_names = self.inner.gate_names
        self.classes = params.classes

    @property
    def num_layers(self) -> int:
        """Displayed layers: L, or 2L when bidirectional."""
        return self.inner.num_layers

    @property
    def hidden_size(self) -> int:
        return self.inner.hidden_size

    def layer_labels(self) -> tuple[str, ...]:
        if isinstance(self.inner, BiRNNLM):
            return self.inner.layer_labels()
        return tuple(f"layer {k + 1}" for k in range(self.num_layers))

    def zero_state(self, batch: int = 1) -> State:
        return self.inner.zero_state(batch)

    def pooled(self, enc: Encoded, b0: int) -> F32:
        """fc's input (n, 2H) from a batch of prefixes b0..b0+n-1 (see :func:`prefix_batch`)."""
        h = enc.h  # (2L, T, n, H)
        n = h.shape[2]
        last, rows = np.arange(b0, b0 + n), np.arange(n)
        rev = h[-1, 0] if self.params.pool == "final-states" else h[-1, last, rows]
        return np.concatenate((h[-2, last, rows], rev), axis=-1)

    def final_logits(self, ids: NDArray[np.integer], state: State | None = None) -> F32:
        """Class logits after the whole of each text of ids (B, T), (B, C): the decision
        fc(out[:, -1]) makes, without the other prefixes (one run, even when bidirectional)."""
        if isinstance(self.inner, RNNLM):
            return self.inner.forward(ids, state)[0][:, -1]
        h = self.inner.encode(ids, state, False).h  # (2L, T, B, H)
        rev = h[-1, 0] if self.params.pool == "final-states" else h[-1, -1]
        return self.inner.decode(np.concatenate((h[-2, -1], rev), axis=-1))

    def prefix_logits(self, ids: NDArray[np.integer], state: State | None = None) -> F32:
        """Class logits after every prefix of ids (B, T), (B, T, C). A bidirectional net runs
        the prefixes as a batch (row b = tokens 0..b; step s runs the rows b >= s)."""
        if isinstance(self.inner, RNNLM):
            return self.inner.forward(ids, state)[0]
        b, t_len = ids.shape
        out = np.empty((b, t_len, len(self.classes)), np.float32)
        per_row = t_len * self.num_layers * 3 * self.hidden_size * 4  # hs, inputs: bytes
        for i in range(b):
            st = None if state is None else _batch_row(state, i)
            for b0, b1 in _chunks(t_len, per_row):
                enc = self.inner.encode(prefix_batch(ids[i], b0, b1), st, False,
                                        prefix_rows(b0, b1))
                out[i, b0:b1] = self.inner.decode(self.pooled(enc, b0))
        return out

    def step(self, token_id: int, state: State | None = None) -> StepRecord:
        return self.run([token_id], state)[0]

    def run(self, ids: Sequence[int], state: State | None = None) -> list[StepRecord]:
        """One record per token: the text's states (the whole text's run) and the class
        logits/probs (C,) of the prefix ending there."""
        if isinstance(self.inner, RNNLM):
            return self.inner.run(ids, state)
        if not len(ids):
            return []
        arr = np.asarray(ids, np.int64)[None, :]
        enc = self.inner.encode(arr, state)
        logits = self.prefix_logits(arr, state)[0]  # (T, C)
        probs = softmax(logits)
        start = PrefixStart(state)
        out = []
        for t, tok in enumerate(ids):
            rec = self.inner.record(enc, t, int(tok), logits[t], probs[t])
            out.append(replace(rec, caches=(*rec.caches, start)))
        return out

    def forward(self, ids: NDArray[np.integer], state: State | None = None
                ) -> tuple[F32, State]:
        """ids (B, T) -> class logits after every prefix (B, T, C) and the text's final state."""
        if isinstance(self.inner, RNNLM):
            return self.inner.forward(ids, state)
        return self.prefix_logits(ids, state), final_state(self.inner.encode(ids, state, False))


def _batch_row(state: State, i: int) -> State:
    """Row i of a batched state, (2L, 1, H)."""
    return State(state.h[:, i:i + 1], None if state.c is None else state.c[:, i:i + 1])


def _chunks(t_len: int, row_bytes: int) -> list[tuple[int, int]]:
    """Prefix rows [b0, b1) in batches of about CHUNK_BYTES."""
    size = max(1, CHUNK_BYTES // max(row_bytes, 1))
    return [(b0, min(b0 + size, t_len)) for b0 in range(0, t_len, size)]


def prefix_batch(ids: NDArray[np.integer], b0: int, b1: int) -> NDArray[np.integer]:
    """Prefixes b0..b1-1 of ids (T,) as a batch (b1 - b0, b1): row r holds tokens 0..b1-1 of
    which only 0..b0+r belong to its prefix (:func:`prefix_rows` keeps the rest out)."""
    return np.broadcast_to(np.asarray(ids[:b1], np.int64), (b1 - b0, b1))


def prefix_rows(b0: int, b1: int) -> Active:
    """Step s -> the rows of :func:`prefix_batch` whose prefix reaches s (b >= s)."""
    n = b1 - b0
    return lambda s: slice(min(max(s - b0, 0), n), n)


def _bidir_rows(model: ClassifierEngine, inner: BiRNNLM, records: Sequence[StepRecord],
                targets: NDArray[np.int64], rows: tuple[int, int], truncate: int | None
                ) -> tuple[F32, F32 | None, F32]:
    """Rows b0..b1-1, each over its own prefix, in one batched backward sweep:
    h (2L, n, b1), c or None, inputs (n, b1); entries s > t are 0 (the caller writes NaN)."""
    b0, b1 = rows
    start = records[0].caches[-1]
    assert isinstance(start, PrefixStart)
    ids = np.array([r.token_id for r in records[:b1]], np.int64)
    active = prefix_rows(b0, b1)
    enc = inner.encode(prefix_batch(ids, b0, b1), start.state, True, active)
    caches = [tuple(per[s] for per in enc.caches) for s in range(b1)]
    dlogits = softmax(inner.decode(model.pooled(enc, b0)))  # (n, C)
    n, hid = b1 - b0, inner.hidden_size
    dlogits[np.arange(n), targets[b0:b1]] -= 1.0
    g = dlogits @ inner.params.decoder_w  # (n, 2H)
    d_top = np.zeros((n, b1, 2 * hid), np.float32)
    last = np.arange(b0, b1)
    d_top[np.arange(n), last, :hid] = g[:, :hid]
    d_top[np.arange(n), 0 if model.params.pool == "final-states" else last, hid:] += g[:, hid:]
    return sweep_rows(inner, caches, d_top, truncate, None, lambda j, s: active(s))


def classifier_gradient_rows(
    model: ClassifierEngine,
    records: Sequence[StepRecord],
    targets: NDArray[np.int64],
    t0: int,
    t1: int,
    truncate: int | None = None,
    progress: Progress | None = None,
) -> GradientRows:
    """Norms of l_t = -log p(target_t | tokens 0..t) for t in [t0, t1) w.r.t. the prefix-t
    computation's h_s, c_s and inputs e_s, s <= t; s > t NaN. GradientRows shapes as bptt's."""
    inner = model.inner
    if isinstance(inner, RNNLM):
        return gradient_rows(inner, records, targets, t0, t1, truncate, progress)
    if truncate is not None and truncate < 1:
        raise ValueError("truncation K must be >= 1")
    n_steps, n = len(records), t1 - t0
    future = np.arange(n_steps)[None, :] > np.arange(t0, t1)[:, None]  # (n, T)
    out_in = np.zeros((n, n_steps), np.float32)
    out_h = np.zeros((model.num_layers, n, n_steps), np.float32)
    out_c = np.zeros_like(out_h) if model.is_lstm else None
    # each row's caches: T steps x 2L directions x about 12 H floats
    row_bytes = n_steps * model.num_layers * 12 * model.hidden_size * 4
    for b0, b1 in _chunks(n, row_bytes):
        a, b = t0 + b0, t0 + b1
        h, c, e = _bidir_rows(model, inner, records, targets, (a, b), truncate)
        out_h[:, b0:b1, :b], out_in[b0:b1, :b] = h, e
        if out_c is not None and c is not None:
            out_c[:, b0:b1, :b] = c
        if progress is not None and not progress(b1 / n):
            raise Cancelled
    out_in[future] = np.nan
    out_h[:, future] = np.nan
    if out_c is not None:
        out_c[:, future] = np.nan
    return GradientRows(t0, out_h, out_c, out_in)
