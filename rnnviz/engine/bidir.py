"""The bidirectional stacked RNN (nn.RNN/LSTM/GRU with bidirectional=True) as a language model.

Layer k runs a forward cell over steps 0..T-1 and a reverse cell over T-1..0, both reading the
layer below's output at the same step: the embedding for k = 0, [forward; reverse] (2H) above.
The decoder reads the top layer's [forward_t; reverse_t]. Layers AS DISPLAYED are the 2L
directions in the order [layer 1 forward, layer 1 reverse, layer 2 forward, ...]: a step
record's h, c and gates are (2L, H) and its caches hold one entry per displayed layer.

Because the reverse direction reads later tokens, step t's record depends on the whole text
(``sees_future``): a longer text changes every step's reverse states, so no record can be
reused for a common prefix. Priming: a state passed to :meth:`BiRNNLM.run` sets the forward
direction's start (its forward rows, 0, 2, 4, ...); the reverse direction always starts from
zeros after the last token, as torch does with no h_0 (its rows of the given state are ignored).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from rnnviz.engine.bidir_params import BiParams
from rnnviz.engine.cells import F32, Cell, make_cell
from rnnviz.engine.network import State, StepRecord, softmax
from rnnviz.engine.params import GATE_NAMES

Active = Callable[[int], slice]  # step -> the batch rows that take part in it


class Encoded(NamedTuple):
    """Every layer's states over a text. h, c: (2L, T, B, H) (c None unless LSTM), displayed
    order; caches[j][t]: displayed layer j's backward cache at step t (empty if not kept)."""

    h: F32
    c: F32 | None
    caches: list[list[tuple]]


class BiRNNLM:
    """Forward computation of a bidirectional model; all arrays float32."""

    sees_future = True
    task = "lm"

    def __init__(self, params: BiParams) -> None:
        self.params = params
        self.fwd_cells: list[Cell] = [make_cell(params.cell, p) for p in params.forward]
        self.rev_cells: list[Cell] = [make_cell(params.cell, p) for p in params.reverse]
        # displayed order: [layer 1 forward, layer 1 reverse, layer 2 forward, ...]
        self.cells = [c for pair in zip(self.fwd_cells, self.rev_cells, strict=True) for c in pair]
        self.is_lstm = params.cell == "lstm"
        self.gate_names = GATE_NAMES[params.cell]
        self.decoder_w_t = np.ascontiguousarray(params.decoder_w.T)  # (2H, O)

    @property
    def num_layers(self) -> int:
        """Displayed layers: 2L (each direction of each layer)."""
        return len(self.cells)

    @property
    def hidden_size(self) -> int:
        """H of one direction."""
        return self.params.hidden_size

    def layer_labels(self) -> tuple[str, ...]:
        """('layer 1 →', 'layer 1 ←', 'layer 2 →', ...)."""
        return tuple(f"layer {k + 1} {arrow}" for k in range(len(self.fwd_cells))
                     for arrow in ("→", "←"))

    def zero_state(self, batch: int = 1) -> State:
        """All-zero state, (2L, batch, H)."""
        z = np.zeros((self.num_layers, batch, self.hidden_size), np.float32)
        return State(z, z.copy() if self.is_lstm else None)

    def decode(self, top: F32) -> F32:
        """Top layer's [forward; reverse] (..., 2H) -> logits (..., O)."""
        out: F32 = top @ self.decoder_w_t
        out += self.params.decoder_b
        return out

    def _direction(self, cell: Cell, xs: F32, h0: F32, c0: F32 | None, reverse: bool,
                   keep: bool, active: Active | None) -> tuple[F32, F32 | None, list[tuple]]:
        """One direction of one layer over xs (T, B, In) from (h0, c0) (B, H) -> hs (T, B, H),
        cs (T, B, H) or None, caches by step (index t, whatever the direction). active(t): the
        rows that step t runs (the others keep their state, and 0 in hs, cs); caches[t] then
        has that many rows."""
        t_len, b = xs.shape[:2]
        hs = np.zeros((t_len, b, h0.shape[-1]), np.float32)
        cs = np.zeros_like(hs) if c0 is not None else None
        caches: list[tuple] = [()] * t_len if keep else []
        h = np.broadcast_to(h0, hs.shape[1:]).copy()
        c = None if c0 is None else np.broadcast_to(c0, hs.shape[1:]).copy()
        for t in (range(t_len - 1, -1, -1) if reverse else range(t_len)):
            a = active(t) if active is not None else slice(None)
            h_a, c_a, cache = cell.forward(xs[t, a], h[a], None if c is None else c[a])
            h[a] = hs[t, a] = h_a
            if c is not None and cs is not None and c_a is not None:
                c[a] = cs[t, a] = c_a
            if keep:
                caches[t] = cache
        return hs, cs, caches

    def encode(self, ids: NDArray[np.integer], state: State | None = None,
               keep: bool = True, active: Active | None = None) -> Encoded:
        """Run every layer over ids (B, T): the forward direction from ``state``'s forward rows
        (zeros if None), the reverse direction from zeros. keep: keep the backward caches.
        active(t): the batch rows step t runs, the same in every layer and direction (a
        classifier's prefixes: row b is a text that ends at step b, all rows the same tokens
        and start state; the first layer's forward direction then runs once, on batch 1, and
        its caches have one row)."""
        b = ids.shape[0]
        st = state if state is not None else self.zero_state(b)
        x = self.params.embedding[ids.T]  # (T, B, D)
        zero = np.zeros((b, self.hidden_size), np.float32)
        hs, cs, caches = [], [], []
        for k, (fc, rc) in enumerate(zip(self.fwd_cells, self.rev_cells, strict=True)):
            c0 = st.c[2 * k] if st.c is not None else None
            if k == 0 and active is not None:  # every row reads the same past: run it once
                hf, cf, kf = self._direction(fc, x[:, :1], st.h[0, :1], None if c0 is None
                                             else c0[:1], False, keep, None)
                hf = np.broadcast_to(hf, x.shape[:2] + hf.shape[2:])
                cf = None if cf is None else np.broadcast_to(cf, hf.shape)
            else:
                hf, cf, kf = self._direction(fc, x, st.h[2 * k], c0, False, keep, active)
            hr, cr, kr = self._direction(rc, x, zero, zero if self.is_lstm else None, True,
                                         keep, active)
            hs += [hf, hr]
            cs += [cf, cr]
            caches += [kf, kr]
            x = np.concatenate((hf, hr), axis=-1)
        c_all = np.stack(cs) if self.is_lstm else None  # type: ignore[arg-type]
        return Encoded(np.stack(hs), c_all, caches)

    def top(self, enc: Encoded) -> F32:
        """The decoder's input [forward; reverse] of the top layer, (T, B, 2H)."""
        return np.concatenate((enc.h[-2], enc.h[-1]), axis=-1)

    def step(self, token_id: int, state: State | None = None) -> StepRecord:
        """A one-token text (the reverse direction sees only that token)."""
        return self.run([token_id], state)[0]

    def run(self, ids: Sequence[int], state: State | None = None) -> list[StepRecord]:
        """Run a whole text (batch 1); one record per token, each holding the forward states
        after reading up to it and the reverse states after reading back to it."""
        if not len(ids):
            return []
        enc = self.encode(np.asarray(ids, np.int64)[None, :], state)
        logits = self.decode(self.top(enc)[:, 0])  # (T, O)
        probs = softmax(logits)
        return [self.record(enc, t, int(tok), logits[t], probs[t]) for t, tok in enumerate(ids)]

    def record(self, enc: Encoded, t: int, token: int, logits: F32, probs: F32) -> StepRecord:
        """Step t's record (states (2L, 1, H), caches and gates of every displayed layer)."""
        caches = tuple(per_layer[t] for per_layer in enc.caches)
        state = State(enc.h[:, t], None if enc.c is None else enc.c[:, t])
        per = [cell.gate_values(c) for cell, c in zip(self.cells, caches, strict=True)]
        gates = {g: np.concatenate([v[g] for v in per]) for g in self.gate_names}
        return StepRecord(token, state, logits, probs, gates, caches)

    def forward(self, ids: NDArray[np.integer], state: State | None = None
                ) -> tuple[F32, State]:
        """Batched forward for evaluation. ids (B, T) -> logits (B, T, O) and the final state
        as torch's h_n: forward rows after step T-1, reverse rows after step 0."""
        if ids.shape[1] == 0:
            out_size = self.params.decoder_b.shape[0]
            return (np.zeros((ids.shape[0], 0, out_size), np.float32),
                    state if state is not None else self.zero_state(ids.shape[0]))
        enc = self.encode(ids, state, keep=False)
        logits = self.decode(self.top(enc)).transpose(1, 0, 2)
        return np.ascontiguousarray(logits), final_state(enc)


def final_state(enc: Encoded) -> State:
    """h_n (and c_n) (2L, B, H): forward directions at the last step, reverse at the first."""
    def pick(a: F32) -> F32:
        out = a[:, -1].copy()
        out[1::2] = a[1::2, 0]
        return out
    return State(pick(enc.h), None if enc.c is None else pick(enc.c))
