"""Why gradients vanish, for one model's run of the text (no Qt): step-Jacobian norms, forget
gates, and the bound they put on the gradient at the cursor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rnnviz.engine.bptt import Cancelled
from rnnviz.engine.cells import F32
from rnnviz.engine.jacobian import forget_gate_mean, forget_product, spectral_norm, step_jacobian
from rnnviz.engine.network import RNNLM
from rnnviz.session.gradients import Row
from rnnviz.session.trace import Trace

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class StepFactors:
    """norms: (L, T) ||d s_t / d s_{t-1}||_2, NaN at t = 0; forget_mean: (L, T) or None (no
    forget gate); forget: the forget gates (L, T, H) or None."""

    norms: F64
    forget_mean: F64 | None
    forget: F32 | None

    def forget_product_mean(self, since: int) -> F64 | None:
        """Mean over units of prod_{u=since+1..t} f_u, (L, T); NaN before ``since``."""
        if self.forget is None:
            return None
        out: F64 = forget_product(self.forget, since).mean(axis=2)
        return out


def step_factors(engine: RNNLM, trace: Trace,
                 progress: Callable[[float], bool] | None = None) -> StepFactors:
    """The factors of one trace; progress(fraction) -> False raises Cancelled."""
    n_layers, n_steps = engine.num_layers, trace.length
    norms = np.full((n_layers, n_steps), np.nan)
    for t in range(1, n_steps):
        for k, cell in enumerate(engine.cells):
            norms[k, t] = spectral_norm(step_jacobian(cell, trace.records[t].caches[k]))
        if progress is not None and not progress(t / max(n_steps - 1, 1)):
            raise Cancelled
    has_f = "f" in engine.gate_names
    return StepFactors(norms, forget_gate_mean(trace.records),
                       trace.states("f") if has_f else None)


def top_state_gradient(row: Row) -> F64:
    """||d l_t / d s_s|| of the top layer's whole state (h, and c for the LSTM), (t+1,)."""
    g = row.h[-1].astype(np.float64) ** 2
    if row.c is not None:
        g += row.c[-1].astype(np.float64) ** 2
    out: F64 = np.sqrt(g)
    return out


def gradient_bound(top_norms: F64, g_t: float, t: int) -> F64:
    """B[s] = ||d l_t / d s_t|| * prod_{u=s+1..t} ||J_u|| for s = 0..t (top layer), (t+1,):
    the chain rule's bound on the gradient at distance t - s."""
    factors = np.concatenate([top_norms[1 : t + 1], [1.0]])  # ||J_1|| .. ||J_t||, then 1
    out: F64 = g_t * np.cumprod(factors[::-1])[::-1]
    return out
