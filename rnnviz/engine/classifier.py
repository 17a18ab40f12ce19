"""Many-to-one classifiers (the tutorials' SampleRNN): a class distribution after every prefix.

Step t's logits and probs (C,) are what the classifier says if the text ended at step t:
fc(pool(run of tokens 0..t)). pool 'last-output' is SampleRNN's fc(out[:, -1, :]) (for a
bidirectional net [forward_t; reverse_t] of the top layer, the reverse state having read only
token t); 'final-states' is fc([h_n forward; h_n reverse]) = [forward_t; reverse_0].

Unidirectional nets: the prefix run is the text's run, so this is exactly :class:`RNNLM` with fc
as its decoder, decoding every step; gradient rows are :mod:`bptt`'s (s > t NaN).
Bidirectional nets: the reverse direction of a prefix differs from the whole text's, so each
prefix is rerun: O(T^2) steps, fine for texts up to a few hundred tokens (a 300-token text is
45,000 steps per direction and layer). The displayed states h, c and gates are the whole text's
run (as :class:`BiRNNLM` shows them); gradient row t is taken over the prefix-t computation:
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

from rnnviz.engine.bidir import BiRNNLM, Encoded, final_state
from rnnviz.engine.bidir_bptt import row_backward
from rnnviz.engine.bidir_params import BiParams
from rnnviz.engine.bptt import Cancelled, GradientRows, Progress, gradient_rows
from rnnviz.engine.cells import F32
from rnnviz.engine.classifier_params import ClassifierParams
from rnnviz.engine.network import RNNLM, State, StepRecord, softmax


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

    def pooled(self, enc: Encoded) -> F32:
        """fc's input (B, 2H) from a bidirectional run of a whole prefix."""
        h = enc.h  # (2L, T, B, H)
        rev = h[-1, 0] if self.params.pool == "final-states" else h[-1, -1]
        return np.concatenate((h[-2, -1], rev), axis=-1)

    def prefix_logits(self, ids: NDArray[np.integer], state: State | None = None) -> F32:
        """Class logits after every prefix of ids (B, T), (B, T, C); bidirectional nets rerun
        each prefix (O(T^2) steps)."""
        if isinstance(self.inner, RNNLM):
            return self.inner.forward(ids, state)[0]
        b, t_len = ids.shape
        out = np.empty((b, t_len, len(self.classes)), np.float32)
        for t in range(t_len):
            enc = self.inner.encode(ids[:, : t + 1], state, keep=False)
            out[:, t] = self.inner.decode(self.pooled(enc))
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


def _bidir_row(model: ClassifierEngine, inner: BiRNNLM, records: Sequence[StepRecord], t: int,
               target: int, truncate: int | None) -> tuple[F32, F32 | None, F32]:
    """Row t over the prefix 0..t: h (2L, t+1), c or None, inputs (t+1,)."""
    start = records[0].caches[-1]
    assert isinstance(start, PrefixStart)
    ids = np.array([[r.token_id for r in records[: t + 1]]], np.int64)
    enc = inner.encode(ids, start.state)
    caches = [tuple(per[s] for per in enc.caches) for s in range(t + 1)]
    dlogits = softmax(inner.decode(model.pooled(enc)))[0].astype(np.float32)
    dlogits[target] -= 1.0
    g = dlogits @ inner.params.decoder_w  # (2H,)
    hid = inner.hidden_size
    d_top = np.zeros((t + 1, 2 * hid), np.float32)
    d_top[t, :hid] = g[:hid]
    d_top[0 if model.params.pool == "final-states" else t, hid:] += g[hid:]
    row = row_backward(inner, caches, d_top, truncate)
    return row.h, row.c, row.inputs


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
    out_in = np.where(future, np.float32(np.nan), np.float32(0.0))
    out_h = np.repeat(out_in[None], model.num_layers, axis=0)
    out_c = out_h.copy() if model.is_lstm else None
    for i, t in enumerate(range(t0, t1)):
        h, c, e = _bidir_row(model, inner, records, t, int(targets[t]), truncate)
        out_h[:, i, : t + 1], out_in[i, : t + 1] = h, e
        if out_c is not None and c is not None:
            out_c[:, i, : t + 1] = c
        if progress is not None and not progress((i + 1) / n):
            raise Cancelled
    return GradientRows(t0, out_h, out_c, out_in)
