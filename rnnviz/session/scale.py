"""One fixed log scale for every model's gradients (Workspace.shared_scale): the range of every
computed norm (rows with ``store.ready``; entries s > t are 0 and skipped) of every model's top
layer h, cell state c and inputs, so that stepping never rescales and models compare on one axis.
Qt-free; the gradient views, the comparison overlay and the token strip's saliency use it."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from rnnviz.session.model_session import ModelSession
    from rnnviz.session.workspace import Workspace

MAX_DECADES = 16.0


def log_range(arrays: list[np.ndarray]) -> tuple[float, float] | None:
    """(lo, hi) in log10 of the positive finite values, at most MAX_DECADES apart; None if none."""
    vals = [a[np.isfinite(a) & (a > 0)] for a in arrays]
    vals = [v for v in vals if v.size]
    if not vals:
        return None
    hi = math.log10(max(float(v.max()) for v in vals))
    lo = math.log10(min(float(v.min()) for v in vals))
    lo = max(lo, hi - MAX_DECADES)
    if hi - lo < 1.0:  # under a decade: pad so the ticks stay readable
        mid = (hi + lo) / 2
        lo, hi = mid - 0.5, mid + 0.5
    return lo, hi


def store_arrays(session: ModelSession) -> list[np.ndarray]:
    """Every computed norm of the model's top layer h, c and inputs (for a fixed range)."""
    if session.trace is None or session.engine is None:
        return []
    store = session.store(session.truncate)
    if not store.dense:  # a long text keeps only the rows visited
        rows = store.kept_rows()
        return [r.h[-1] for r in rows] + [r.inputs for r in rows] + \
            [r.c[-1] for r in rows if r.c is not None]
    ready = store.ready
    out = [store.h[-1][ready], store.inputs[ready]]
    if store.c is not None:
        out.append(store.c[-1][ready])
    return out


def shared_range(workspace: Workspace) -> tuple[float, float] | None:
    """The fixed log10 (lo, hi) over every model's computed rows when ``shared_scale`` is on
    (None when it is off or nothing is computed yet)."""
    if not workspace.shared_scale:
        return None
    return log_range([a for s in workspace.models for a in store_arrays(s)])
