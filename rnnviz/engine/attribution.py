"""Per-unit logit attribution and the batched ablation effect of every unit of a layer.

Attribution (top layer, exact): the logit of word y at step t is a sum over the top layer's
units, z_y = sum_j W_dec[y, j] * h_t[j] + b_y; contrastively, z_A - z_B = sum_j (W_dec[A, j] -
W_dec[B, j]) * h_t[j] + (b_A - b_B).

Ablation effect (any layer, nonlinear): the change in log p(y) at step t when unit j of layer l
is set to zero at step t alone (after the cell update), for every j at once: the H ablated
copies of the step run as one batch through the layers above and the decoder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rnnviz.engine.cells import F32
from rnnviz.engine.network import RNNLM, State, StepRecord, log_softmax

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class Attribution:
    """contributions (H,): unit j's share W[y, j] * h[j] (or the contrastive difference);
    bias: b_y (or b_A - b_B); total: the logit z_y (or z_A - z_B) = contributions.sum() + bias."""

    word: int
    contrast: int | None
    contributions: F64
    bias: float

    @property
    def total(self) -> float:
        return float(self.contributions.sum() + self.bias)

    def top(self, n: int) -> tuple[list[int], list[int]]:
        """The n most positive and the n most negative units (strongest first)."""
        order = np.argsort(-self.contributions, kind="stable")
        pos = [int(j) for j in order[:n] if self.contributions[j] > 0]
        neg = [int(j) for j in order[::-1][:n] if self.contributions[j] < 0]
        return pos, neg


def logit_attribution(model: RNNLM, h_top: F32, word: int,
                      contrast: int | None = None) -> Attribution:
    """Split the logit of ``word`` (minus that of ``contrast``) over the top layer's units.
    h_top: (H,) the top layer's hidden state at the step (as the decoder reads it)."""
    w, b = model.params.decoder_w, model.params.decoder_b
    row = w[word].astype(np.float64)
    bias = float(b[word])
    if contrast is not None:
        row = row - w[contrast]
        bias -= float(b[contrast])
    return Attribution(word, contrast, row * h_top.astype(np.float64), bias)


def ablation_effect(model: RNNLM, records: Sequence[StepRecord], t: int, layer: int,
                    word: int, contrast: int | None = None,
                    initial: State | None = None) -> F64:
    """(H,) change in log p(word) at step t (or in log p(word) - log p(contrast)) when unit j of
    ``layer`` (0-based) has h set to 0 at step t alone. One batched pass of H + 1 rows (the
    last unablated) through layer ``layer`` and those above. ``initial``: the state before
    step 0 (zeros by default); edits the records carry are applied as in the run."""
    logp = log_softmax(_ablated_logits(model, records, t, layer, initial)).astype(np.float64)
    score = logp[:, word] if contrast is None else logp[:, word] - logp[:, contrast]
    out: F64 = score[:-1] - score[-1]
    return out


def _ablated_logits(model: RNNLM, records: Sequence[StepRecord], t: int, layer: int,
                    initial: State | None) -> F32:
    """Logits (H + 1, V) at step t: row j with unit j of ``layer`` zeroed, the last row clean."""
    prev = records[t - 1].state if t > 0 else (initial or model.zero_state())
    rec, hid = records[t], model.hidden_size
    x: F32 = (model.params.embedding[rec.token_id][None] if layer == 0
              else rec.state.h[layer - 1])  # (1, In): the input as the run fed it
    for k in range(layer, model.num_layers):
        c_prev = prev.c[k] if prev.c is not None else None
        x, c, _ = model.cells[k].forward(x, prev.h[k], c_prev)
        edit = rec.edit[k] if rec.edit is not None else None
        if edit is not None:
            x, c = edit.apply(x, c)
        if k == layer:
            x = np.repeat(x, hid + 1, axis=0)
            x[np.arange(hid), np.arange(hid)] = 0.0
    return model.decode(x)
