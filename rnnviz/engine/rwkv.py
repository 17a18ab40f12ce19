"""RWKV-4 and RWKV-7 language models stepped in their recurrent form, with the RNNLM interface.

Per block: x += att(LN1(x)); x += ffn(LN2(x)); LN0 after the embedding, LN_out before the head.
A step record's ``h`` is the block outputs (L, C); its state is an :class:`RwkvState`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from rnnviz.engine import rwkv4, rwkv7
from rnnviz.engine.network import State, StepRecord, softmax
from rnnviz.engine.rwkv_ops import (
    FfnCache,
    NormCache,
    ffn_backward,
    ffn_forward,
    layer_norm,
    layer_norm_backward,
)
from rnnviz.engine.rwkv_params import F32, RwkvParams

GATES: dict[str, tuple[str, ...]] = {"rwkv4": ("r", "wkv"), "rwkv7": ("w", "a")}


@dataclass(frozen=True)
class RwkvState(State):
    """State after a step. h: (L, B, C) block outputs; c: None; shift: (L, B, 2, C) the
    normalised inputs of time and channel mixing; wkv: (L, B, 3, C) = a, b, p (RWKV-4) or
    (L, B, H, N, N) the per-head matrices S (RWKV-7)."""

    shift: F32
    wkv: F32


class BlockCache(NamedTuple):
    """One block's step: both layer norms, time mixing and channel mixing caches."""

    ln1: NormCache
    att: rwkv4.AttCache | rwkv7.AttCache
    ln2: NormCache
    ffn: FfnCache


class BlockGrads(NamedTuple):
    """Gradients out of one block step (N rows): input, previous shift and WKV state, v_first,
    and the total gradient w.r.t. the WKV state this step wrote."""

    dx: F32
    dshift: F32
    dwkv: F32
    dv_first: F32 | None
    dstate: F32


def _stack(items: list[Any]) -> Any:
    """Caches of batch 1 stacked along the batch axis: arrays concatenated, NamedTuples field by
    field, a layer norm's scale (not batched) kept, None kept."""
    first = items[0]
    if first is None:
        return None
    if isinstance(first, NormCache):
        return NormCache(np.concatenate([n.xhat for n in items]),
                         np.concatenate([n.rstd for n in items]), first.w)
    if isinstance(first, tuple):
        return type(first)(*(_stack([it[k] for it in items]) for k in range(len(first))))
    return np.concatenate(items)


def stack_caches(caches: list[BlockCache]) -> BlockCache:
    """S steps' caches of one block as one cache of batch S."""
    out: BlockCache = _stack(caches)
    return out


def _layer_weights(p: RwkvParams, i: int, part: str) -> dict[str, F32]:
    pre = f"blocks.{i}.{part}."
    w = {k[len(pre):]: v for k, v in p.arrays.items() if k.startswith(pre)}
    if part == "att" and p.cell == "rwkv4":
        w["decay"] = -np.exp(w["time_decay"]).astype(np.float32)
    return w


class RwkvLM:
    """Forward and per-step backward of an RWKV model; float32 throughout."""

    is_lstm = False
    has_state_grad = True

    def __init__(self, params: RwkvParams) -> None:
        self.params = params
        self.v7 = params.cell == "rwkv7"
        self.gate_names = GATES[params.cell]
        n = params.num_layers
        self.att = [_layer_weights(params, i, "att") for i in range(n)]
        self.ffn = [_layer_weights(params, i, "ffn") for i in range(n)]
        self.ln = [(params[f"blocks.{i}.ln1.weight"], params[f"blocks.{i}.ln1.bias"],
                    params[f"blocks.{i}.ln2.weight"], params[f"blocks.{i}.ln2.bias"])
                   for i in range(n)]
        self.head = params["head.weight"]  # (V, C)

    @property
    def num_layers(self) -> int:
        return len(self.att)

    @property
    def hidden_size(self) -> int:
        return self.params.hidden_size

    def zero_state(self, batch: int = 1) -> RwkvState:
        """The empty state of every layer."""
        n, c = self.num_layers, self.hidden_size
        if self.v7:
            hs = self.params.head_size
            wkv = np.zeros((n, batch, c // hs, hs, hs), np.float32)
        else:
            wkv = np.stack([rwkv4.empty_state(batch, c)] * n)
        z = np.zeros((n, batch, c), np.float32)
        return RwkvState(z, None, np.zeros((n, batch, 2, c), np.float32), wkv)

    def block_forward(self, i: int, x: F32, shift: F32, wkv: F32, v_first: F32 | None
                      ) -> tuple[F32, F32, F32, F32 | None, BlockCache]:
        """Block i on x (B, C) with its state -> (x_out, shift', wkv', v_first, cache)."""
        w1, b1, w2, b2 = self.ln[i]
        xa, ln1 = layer_norm(x, w1, b1)
        att: rwkv4.AttCache | rwkv7.AttCache
        if self.v7:
            out, wkv_new, v_first, att = rwkv7.att_forward(xa, shift[:, 0], wkv, v_first,
                                                           self.att[i])
        else:
            out, wkv_new, att = rwkv4.att_forward(xa, shift[:, 0], wkv, self.att[i])
        xm = x + out
        xf, ln2 = layer_norm(xm, w2, b2)
        ffo, ffn = ffn_forward(xf, shift[:, 1], self.ffn[i], self.v7)
        return xm + ffo, np.stack([xa, xf], axis=1), wkv_new, v_first, BlockCache(ln1, att,
                                                                                   ln2, ffn)

    def block_backward(self, i: int, dout: F32, dshift: F32, dwkv: F32, dv_first: F32 | None,
                       c: BlockCache) -> BlockGrads:
        """Backward through block i of one step for N gradient rows against a batch-1 cache.
        dout (N, C); dshift (N, 2, C), dwkv: w.r.t. the state this step wrote; dv_first (N, C)
        from the blocks above (RWKV-7) or None."""
        dxf, dlast_f = ffn_backward(dout, c.ffn, self.ffn[i], self.v7)
        dxm = dout + layer_norm_backward(dxf + dshift[:, 1], c.ln2)
        dvf: F32 | None = None
        if self.v7:
            assert isinstance(c.att, rwkv7.AttCache)
            dxa, dlast_a, dwkv_prev, dvf_own, dstate = rwkv7.att_backward(
                dxm, dwkv, dv_first if i == 0 else None, c.att, self.att[i])
            dvf = dvf_own if dv_first is None else dv_first + dvf_own
        else:
            assert isinstance(c.att, rwkv4.AttCache)
            dxa, dlast_a, dwkv_prev = rwkv4.att_backward(dxm, dwkv, c.att, self.att[i])
            dstate = dwkv
        dx = dxm + layer_norm_backward(dxa + dshift[:, 0], c.ln1)
        return BlockGrads(dx, np.stack([dlast_a, dlast_f], axis=1), dwkv_prev, dvf, dstate)

    def block_chain(self, i: int, dout: F32, dv_first: F32 | None, caches: list[BlockCache]
                    ) -> tuple[F32, F32, F32 | None]:
        """One target's gradient through block i over S consecutive steps at once (the weights
        are read once, not once per step). dout (S, C) w.r.t. the block outputs; dv_first
        (S, C) from the blocks above (RWKV-7). Shift and WKV gradients start at zero after the
        last step and are dropped before the first (the target's step and truncation edge).
        Returns (dx (S, C), ||d l / d WKV state_s|| (S,), dv_first)."""
        c = stack_caches(caches)
        dxf, dlast_f = ffn_backward(dout, c.ffn, self.ffn[i], self.v7)
        dxf[:-1] += dlast_f[1:]
        dxm = dout + layer_norm_backward(dxf, c.ln2)
        if self.v7:
            assert isinstance(c.att, rwkv7.AttCache)
            dxa, dlast_a, norms, dvf_own = rwkv7.att_chain(
                dxm, dv_first if i == 0 else None, c.att, self.att[i])
            dv_first = dvf_own if dv_first is None else dv_first + dvf_own
        else:
            assert isinstance(c.att, rwkv4.AttCache)
            dxa, dlast_a, norms = rwkv4.att_chain(dxm, c.att, self.att[i])
        dxa[:-1] += dlast_a[1:]
        return dxm + layer_norm_backward(dxa, c.ln1), norms, dv_first

    def _layers(self, x: F32, state: RwkvState) -> tuple[RwkvState, list[BlockCache]]:
        """One step through every block. x (B, C) after LN0."""
        hs, shifts, wkvs, caches = [], [], [], []
        v_first: F32 | None = None
        for i in range(self.num_layers):
            x, sh, wk, v_first, cache = self.block_forward(i, x, state.shift[i], state.wkv[i],
                                                           v_first)
            hs.append(x)
            shifts.append(sh)
            wkvs.append(wk)
            caches.append(cache)
        return RwkvState(np.stack(hs), None, np.stack(shifts), np.stack(wkvs)), caches

    def embed(self, ids: NDArray[np.integer]) -> tuple[F32, NormCache]:
        """Embedding rows (B, C) through LN0."""
        e = self.params["emb.weight"][ids]
        return layer_norm(e, self.params["blocks.0.ln0.weight"], self.params["blocks.0.ln0.bias"])

    def decode(self, x_top: F32) -> tuple[F32, NormCache]:
        """Top block output (T, C) -> logits (T, V) and the LN_out cache."""
        xn, cache = layer_norm(x_top, self.params["ln_out.weight"], self.params["ln_out.bias"])
        if xn.shape[0] == 1:
            return (xn[0] @ self.head.T)[None], cache
        out: F32 = xn @ self.head.T
        return out, cache

    def step(self, token_id: int, state: RwkvState | None = None) -> StepRecord:
        return self.run([token_id], state)[0]

    def run(self, ids: Sequence[int], state: State | None = None) -> list[StepRecord]:
        """Step through token ids (batch 1); one record per token. caches[k] is block k's cache,
        caches[-1] = (LN0 cache, LN_out cache)."""
        st = state if isinstance(state, RwkvState) else self.zero_state()
        steps: list[tuple[RwkvState, list[BlockCache], NormCache]] = []
        for t in ids:
            x, ln0 = self.embed(np.array([int(t)]))
            st, caches = self._layers(x, st)
            steps.append((st, caches, ln0))
        if not steps:
            return []
        logits, lno = self.decode(np.concatenate([s.h[-1] for s, _, _ in steps]))
        probs = softmax(logits)
        out = []
        for i, (t, (s, caches, ln0)) in enumerate(zip(ids, steps, strict=True)):
            ln_out = NormCache(lno.xhat[i:i + 1], lno.rstd[i:i + 1], lno.w)
            out.append(StepRecord(int(t), s, logits[i], probs[i], self._gates(caches),
                                  (*caches, (ln0, ln_out))))
        return out

    def _gates(self, caches: list[BlockCache]) -> dict[str, F32]:
        """Per-step views, name -> (L, C): RWKV-4 r (receptance) and wkv; RWKV-7 w and a."""
        return {g: np.stack([getattr(c.att, g)[0] for c in caches]) for g in self.gate_names}

    def forward(self, ids: NDArray[np.integer], state: State | None = None
                ) -> tuple[F32, RwkvState]:
        """Batched forward for evaluation. ids (B, T) -> logits (B, T, V), final state."""
        b, t_len = ids.shape
        st = state if isinstance(state, RwkvState) else self.zero_state(b)
        tops = np.empty((b, t_len, self.hidden_size), np.float32)
        for t in range(t_len):
            x, _ = self.embed(ids[:, t])
            st, _ = self._layers(x, st)
            tops[:, t] = st.h[-1]
        xn, _ = layer_norm(tops, self.params["ln_out.weight"], self.params["ln_out.bias"])
        logits: F32 = xn @ self.head.T
        return logits, st
