"""Gradient-norm matrices of one trace for one truncation setting, filled row by row."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rnnviz.engine.bptt import GradientRows, Progress
from rnnviz.engine.cells import F32
from rnnviz.engine.factory import Engine, engine_gradient_rows, has_state_grad, sees_future
from rnnviz.session.trace import Trace


@dataclass(frozen=True)
class Row:
    """Norms for one target t against s = 0..t (s = 0..T-1 for a model that sees the future,
    i.e. a bidirectional net, whose loss at t depends on later steps too). h: (L, n); c: (L, n)
    or None; inputs: (n,)."""

    t: int
    h: F32
    c: F32 | None
    inputs: F32


DENSE_BUDGET = 256 * 2**20  # bytes: a store whose T x T matrices need more keeps rows only
ROWS_BUDGET = 128 * 2**20  # bytes of rows a row-only store keeps (least recently used go)


def dense_bytes(n_layers: int, lstm: bool, t_len: int) -> int:
    """Bytes of a store's full matrices: (2L+1) (LSTM) or (L+1) float32 T x T matrices."""
    return (n_layers * (2 if lstm else 1) + 1) * t_len * t_len * 4


class GradientStore:
    """G (L, T, T), C (L, T, T) or None, E (T, T) for a trace and truncation K; ``ready[t]`` marks
    computed rows (others hold zeros, which no view shows: a norm is drawn only where > 0).

    A text whose matrices would exceed DENSE_BUDGET gets a row-only store (``dense`` False):
    ``h``, ``c`` and ``inputs`` are empty, :meth:`row` serves the rows computed so far (up to
    ROWS_BUDGET bytes, least recently used dropped), and nothing fills it front to back."""

    def __init__(self, model: Engine, trace: Trace, truncate: int | None,
                 budget: int = DENSE_BUDGET) -> None:
        t_len, n_layers = trace.length, model.num_layers
        self.model, self.trace, self.truncate = model, trace, truncate
        state = has_state_grad(model)
        self.bytes_needed = dense_bytes(n_layers, state, t_len)
        self.dense = self.bytes_needed <= budget
        side = t_len if self.dense else 0
        # zeros, not NaN: calloc'd pages cost nothing until a row is written (a NaN fill of
        # 170 MB took ~1 s on the GUI thread); rows not ready are told by ``ready``
        self.h = np.zeros((n_layers, side, side), np.float32)
        self.c = np.zeros((n_layers, side, side), np.float32) if state else None
        self.inputs = np.zeros((side, side), np.float32)
        self.ready: NDArray[np.bool_] = np.zeros(t_len, bool)
        self._rows: OrderedDict[int, Row] = OrderedDict()  # row-only stores
        self._row_bytes = 0
        self.sees_future = sees_future(model)

    def span(self, t: int) -> int:
        """How many steps s row t covers: 0..t, or the whole text for a bidirectional net."""
        return self.trace.length if self.sees_future else t + 1

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
        if not (self.dense and old.dense):
            for t in rows[rows < self.trace.length]:
                r = old.row(int(t))  # copied: a dense store's rows are views of its matrices
                self._keep(Row(r.t, r.h.copy(), None if r.c is None else r.c.copy(),
                               r.inputs.copy()))
            return
        self.h[:, rows, :n] = old.h[:, rows, :n]
        if self.c is not None and old.c is not None:
            self.c[:, rows, :n] = old.c[:, rows, :n]
        self.inputs[rows, :n] = old.inputs[rows, :n]
        self.h[:, rows, n:] = np.nan  # s > t: undefined, as a computed row has it
        if self.c is not None:
            self.c[:, rows, n:] = np.nan
        self.inputs[rows, n:] = np.nan
        self.ready[rows] = True

    def put(self, rows: GradientRows) -> None:
        """Write computed rows t0..t0+n-1."""
        a, b = rows.t0, rows.t0 + rows.inputs.shape[0]
        if not self.dense:
            for i, t in enumerate(range(a, b)):
                n = self.span(t)
                self._keep(Row(t, rows.h[:, i, :n].copy(),
                               None if rows.c is None else rows.c[:, i, :n].copy(),
                               rows.inputs[i, :n].copy()))
            return
        self.h[:, a:b] = rows.h
        if self.c is not None and rows.c is not None:
            self.c[:, a:b] = rows.c
        self.inputs[a:b] = rows.inputs
        self.ready[a:b] = True

    def row(self, t: int) -> Row:
        """Row t, computed now (one backward chain) if not yet there."""
        if not self.ready[t]:
            self.put(self.compute(t, t + 1))
        if not self.dense:
            self._rows.move_to_end(t)
            return self._rows[t]
        n = self.span(t)
        return Row(t, self.h[:, t, :n], None if self.c is None else self.c[:, t, :n],
                   self.inputs[t, :n])

    def compute(self, t0: int, t1: int, progress: Progress | None = None) -> GradientRows:
        """Rows [t0, t1) from the engine (pure: does not write into the store)."""
        return engine_gradient_rows(self.model, self.trace.records, self.trace.targets, t0, t1,
                             self.truncate, progress)

    def missing_job(self) -> Callable[[Progress | None], GradientRows] | None:
        """A callable computing every row from the first missing one to T-1, or None if complete.
        Safe to run in another thread: it reads only the immutable trace."""
        missing = np.flatnonzero(~self.ready)
        if missing.size == 0 or not self.dense:
            return None
        t0, t1 = int(missing[0]), self.trace.length

        def job(progress: Progress | None = None) -> GradientRows:
            return self.compute(t0, t1, progress)

        return job

    def kept_rows(self) -> list[Row]:
        """The rows a row-only store holds (empty for a dense store: read its matrices)."""
        return list(self._rows.values())

    def _keep(self, row: Row) -> None:
        """A row of a row-only store; the least recently used go beyond ROWS_BUDGET."""
        size = row.h.nbytes + row.inputs.nbytes + (0 if row.c is None else row.c.nbytes)
        old = self._rows.pop(row.t, None)
        if old is not None:
            self._row_bytes -= old.h.nbytes + old.inputs.nbytes + \
                (0 if old.c is None else old.c.nbytes)
        self._rows[row.t] = row
        self._row_bytes += size
        self.ready[row.t] = True
        while self._row_bytes > ROWS_BUDGET and len(self._rows) > 1:
            t, gone = self._rows.popitem(last=False)
            self._row_bytes -= gone.h.nbytes + gone.inputs.nbytes + \
                (0 if gone.c is None else gone.c.nbytes)
            self.ready[t] = False
