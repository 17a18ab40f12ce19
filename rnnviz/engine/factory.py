"""One entry for any model: build its engine, and its gradient rows, from its parameters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Union

import numpy as np
from numpy.typing import NDArray

from rnnviz.engine.bidir import BiRNNLM
from rnnviz.engine.bidir_bptt import bidir_gradient_rows
from rnnviz.engine.bidir_params import BiParams, bidir_named_arrays
from rnnviz.engine.bptt import GradientRows, Progress, default_targets, gradient_rows
from rnnviz.engine.cbow import CbowLM, cbow_gradient_rows
from rnnviz.engine.cbow_params import CbowParams
from rnnviz.engine.classifier import ClassifierEngine, classifier_gradient_rows
from rnnviz.engine.classifier_params import ClassifierParams
from rnnviz.engine.memory import MemoryCurves, check_stream, memory_curves, quantiles
from rnnviz.engine.network import RNNLM, StepRecord
from rnnviz.engine.params import ModelParams, named_arrays
from rnnviz.engine.rwkv import RwkvLM
from rnnviz.engine.rwkv_bptt import rwkv_gradient_rows
from rnnviz.engine.rwkv_params import RwkvParams

Engine = Union[RNNLM, RwkvLM, BiRNNLM, ClassifierEngine, CbowLM]  # noqa: UP007  (a runtime alias)
AnyParams = Union[ModelParams, RwkvParams, BiParams, ClassifierParams, CbowParams]  # noqa: UP007


def build_engine(params: AnyParams) -> Engine:
    """The stacked RNN for RNN/LSTM/GRU parameters, the RWKV model for RWKV-4/7 parameters."""
    if isinstance(params, BiParams):
        return BiRNNLM(params)  # bidirectional LMs and classifiers: engine/bidir.py, classifier.py
    if isinstance(params, ClassifierParams):
        return ClassifierEngine(params)
    if isinstance(params, RwkvParams):
        return RwkvLM(params)
    if isinstance(params, CbowParams):  # CBOW: the order-blind window mean
        return CbowLM(params)
    if not isinstance(params, ModelParams):
        raise NotForThisModel(f"no engine for {type(params).__name__} yet")
    return RNNLM(params)


def has_state_grad(engine: Engine) -> bool:
    """True when gradient rows carry ``c``: the LSTM cell state, or RWKV's WKV state."""
    return isinstance(engine, RwkvLM) or engine.is_lstm


def layer_labels(engine: Engine) -> tuple[str, ...]:
    """A name per displayed layer: 'layer 1', ... ('layer 1 →', 'layer 1 ←', ... when
    bidirectional)."""
    if isinstance(engine, BiRNNLM | ClassifierEngine | CbowLM):
        return engine.layer_labels()
    return tuple(f"layer {k + 1}" for k in range(engine.num_layers))


def sees_future(engine: Engine) -> bool:
    """True when a step's record depends on later tokens (a bidirectional net): a run can
    then never reuse the records of a previous text's common prefix."""
    return isinstance(engine, BiRNNLM | ClassifierEngine) and engine.sees_future


def engine_task(engine: Engine) -> str:
    """'lm' (next-word distributions) or 'classify' (class distributions per prefix)."""
    return engine.task if isinstance(engine, BiRNNLM | ClassifierEngine) else "lm"


def engine_targets(engine: Engine, records: Sequence[StepRecord]
                   ) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """(targets (T,), is_prediction (T,)): a language model's next tokens and, at the last
    step, its top-1 guess (:func:`bptt.default_targets`); a classifier's top class after each
    prefix, every one a prediction."""
    if engine_task(engine) == "classify":
        targets = np.array([int(np.argmax(r.probs)) for r in records], np.int64)
        return targets, np.ones(len(records), bool)
    return default_targets(records)


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
    if isinstance(engine, ClassifierEngine):
        return classifier_gradient_rows(engine, records, targets, t0, t1, truncate, progress)
    if isinstance(engine, BiRNNLM):
        return bidir_gradient_rows(engine, records, targets, t0, t1, truncate, progress)
    if isinstance(engine, CbowLM):  # CBOW: no recurrence, the window's N steps
        return cbow_gradient_rows(engine, records, targets, t0, t1, truncate, progress)
    return gradient_rows(engine, records, targets, t0, t1, truncate, progress)


class NotForThisModel(ValueError):
    """A feature that works on RNN, LSTM and GRU models only (one line for the user)."""


def model_kind(engine: Engine) -> str:
    """What the engine is, for messages: 'an RWKV model', 'a bidirectional model', ..."""
    if isinstance(engine, RwkvLM):
        return "an RWKV model"
    if isinstance(engine, BiRNNLM):
        return "a bidirectional model"
    if isinstance(engine, ClassifierEngine):
        return "a classifier"
    if isinstance(engine, CbowLM):
        return "a CBOW model (no recurrence)"
    return "an RNN language model"


def rnn_only(engine: Engine, what: str) -> RNNLM:
    """The engine as an RNNLM, or NotForThisModel naming ``what`` (e.g. 'interventions')."""
    if isinstance(engine, RwkvLM):
        raise NotForThisModel(f"{what} work on RNN, LSTM and GRU models; this is an RWKV model")
    if not isinstance(engine, RNNLM):
        raise NotForThisModel(f"{what} work on RNN, LSTM and GRU language models; "
                              f"this is {model_kind(engine)}")
    return engine


def any_memory_curves(engine: Engine, ids: Sequence[int] | NDArray[np.integer],
                      max_distance: int, progress: Progress | None = None) -> MemoryCurves:
    """:func:`memory.memory_curves` for any engine. RNNs take the band sweep; RWKV takes whole
    gradient rows of targets D..N-2 (its own backward), cut to the band t - d, d = 0..D."""
    if isinstance(engine, RNNLM):
        return memory_curves(engine, ids, max_distance, progress)
    if not isinstance(engine, RwkvLM):
        raise NotForThisModel("memory curves work on RNN, LSTM, GRU and RWKV language models; "
                              f"this is {model_kind(engine)}")
    stream = np.asarray(ids, np.int64)
    check_stream(len(stream), max_distance)
    records = engine.run([int(i) for i in stream])
    targets = default_targets(records)[0]
    d = max_distance
    rows = engine_gradient_rows(engine, records, targets, d, len(stream) - 1, None, progress)
    n = rows.inputs.shape[0]
    cols = (np.arange(d, d + n)[:, None] - np.arange(d + 1)[None, :])  # (n, D+1): s = t - d
    pick = np.arange(n)[:, None]
    band_h = rows.h[:, pick, cols]
    band_c = None if rows.c is None else rows.c[:, pick, cols]
    return MemoryCurves(quantiles(band_h), None if band_c is None else quantiles(band_c),
                        quantiles(rows.inputs[pick, cols]), len(stream))


def named_params(params: AnyParams) -> list[NDArray[np.float32]]:
    """Every parameter array in a fixed order (for hashing a model without a file)."""
    if isinstance(params, RwkvParams):
        return [params.arrays[k] for k in sorted(params.arrays)]
    if isinstance(params, ClassifierParams):
        return named_params(params.net)
    if isinstance(params, BiParams):
        return list(bidir_named_arrays(params).values())
    if isinstance(params, CbowParams):
        return [params.embedding, params.decoder_w, params.decoder_b]
    return list(named_arrays(params).values())


def parameter_count(params: AnyParams) -> int:
    """Number of parameters, a tied embedding/decoder matrix counted once."""
    arrays = named_params(params)
    total = sum(int(a.size) for a in arrays)
    if isinstance(params, RwkvParams):
        total -= int(params.arrays["head.weight"].size) if params.tied else 0
    elif isinstance(params, ModelParams | CbowParams) and params.tied:
        total -= int(params.embedding.size)
    return total
