"""One entry for any model: build its engine, and its gradient rows, from its parameters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Union

import numpy as np
from numpy.typing import NDArray

from rnnviz.engine.bptt import GradientRows, Progress, gradient_rows
from rnnviz.engine.network import RNNLM, StepRecord
from rnnviz.engine.params import ModelParams
from rnnviz.engine.rwkv import RwkvLM
from rnnviz.engine.rwkv_bptt import rwkv_gradient_rows
from rnnviz.engine.rwkv_params import RwkvParams

Engine = Union[RNNLM, RwkvLM]  # noqa: UP007  (a runtime alias)
AnyParams = Union[ModelParams, RwkvParams]  # noqa: UP007


def build_engine(params: AnyParams) -> Engine:
    """The stacked RNN for RNN/LSTM/GRU parameters, the RWKV model for RWKV-4/7 parameters."""
    if isinstance(params, RwkvParams):
        return RwkvLM(params)
    return RNNLM(params)


def has_state_grad(engine: Engine) -> bool:
    """True when gradient rows carry ``c``: the LSTM cell state, or RWKV's WKV state."""
    return isinstance(engine, RwkvLM) or engine.is_lstm


def engine_gradient_rows(
    engine: Engine,
    records: Sequence[StepRecord],
    targets: NDArray[np.int64],
    t0: int,
    t1: int,
    truncate: int | None = None,
    progress: Progress | None = None,
) -> GradientRows:
    """:func:`bptt.gradient_rows` for any engine (same definitions, shapes and cancellation)."""
    if isinstance(engine, RwkvLM):
        return rwkv_gradient_rows(engine, records, targets, t0, t1, truncate, progress)
    return gradient_rows(engine, records, targets, t0, t1, truncate, progress)
