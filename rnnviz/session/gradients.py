"""Gradient-norm matrices of one trace for one truncation setting, filled row by row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rnnviz.engine.bptt import GradientRows, Progress
from rnnviz.engine.cells import F32
from rnnviz.engine.factory import Engine, engine_gradient_rows, has_state_grad
from rnnviz.session.trace import Trace


@dataclass(frozen=True)
class Row:
    """Norms for one target t against s = 0..t. h: (L, t+1); c: (L, t+1) or None; inputs: (t+1,)."""

    t: int
    h: F32
    c: F32 | None
    inputs: F32


class GradientStore:
    """G (L, T, T), C (L, T, T) or None, E (T, T) for a trace and truncation K; ``ready[t]`` marks
    computed rows (others hold NaN)."""

    def __init__(self, model: Engine, trace: Trace, truncate: int | None) -> None:
        t_len, n_layers = trace.length, model.num_layers
        self.model, self.trace, self.truncate = model, trace, truncate
        self.h = np.full((n_layers, t_len, t_len), np.nan, np.float32)
        self.c = self.h.copy() if has_state_grad(model) else None
        self.inputs = np.full((t_len, t_len), np.nan, np.float32)
        self.ready: NDArray[np.bool_] = np.zeros(t_len, bool)

    @property
    def complete(self) -> bool:
        return bool(self.ready.all())

    def adopt_rows(self, old: GradientStore, valid: NDArray[np.bool_]) -> None:
        """Copy the computed rows t with ``valid[t]`` (t, s < len(valid)) from a store of the
        same truncation whose trace shares those records and targets."""
        if old.truncate != self.truncate:
            return
        n = min(len(valid), len(old.ready))
        rows = np.flatnonzero(valid[:n] & old.ready[:n])
        if rows.size == 0:
            return
        self.h[:, rows, :n] = old.h[:, rows, :n]
        if self.c is not None and old.c is not None:
            self.c[:, rows, :n] = old.c[:, rows, :n]
        self.inputs[rows, :n] = old.inputs[rows, :n]
        self.ready[rows] = True

    def put(self, rows: GradientRows) -> None:
        """Write computed rows t0..t0+n-1."""
        a, b = rows.t0, rows.t0 + rows.inputs.shape[0]
        self.h[:, a:b] = rows.h
        if self.c is not None and rows.c is not None:
            self.c[:, a:b] = rows.c
        self.inputs[a:b] = rows.inputs
        self.ready[a:b] = True

    def row(self, t: int) -> Row:
        """Row t, computed now (one backward chain) if not yet there."""
        if not self.ready[t]:
            self.put(self.compute(t, t + 1))
        return Row(t, self.h[:, t, : t + 1], None if self.c is None else self.c[:, t, : t + 1],
                   self.inputs[t, : t + 1])

    def compute(self, t0: int, t1: int, progress: Progress | None = None) -> GradientRows:
        """Rows [t0, t1) from the engine (pure: does not write into the store)."""
        return engine_gradient_rows(self.model, self.trace.records, self.trace.targets, t0, t1,
                             self.truncate, progress)

    def missing_job(self) -> Callable[[Progress | None], GradientRows] | None:
        """A callable computing every row from the first missing one to T-1, or None if complete.
        Safe to run in another thread: it reads only the immutable trace."""
        missing = np.flatnonzero(~self.ready)
        if missing.size == 0:
            return None
        t0, t1 = int(missing[0]), self.trace.length

        def job(progress: Progress | None = None) -> GradientRows:
            return self.compute(t0, t1, progress)

        return job
