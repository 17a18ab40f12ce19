"""analyze's "what if" flags: --compare-text, interventions (--ablate, --clamp, --scale,
--reset), and --attribute; each adds a block to the analyze document.

Numbering as the UI shows it: LAYER from 1 (the layer nearest the input), UNIT from 0, steps S
from 0 (token positions, as in the JSON).
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.vocab import Token
from rnnviz.cli.common import UsageError
from rnnviz.engine.attribution import ablation_effect, logit_attribution
from rnnviz.engine.bptt import default_targets, losses
from rnnviz.engine.compare import Difference, difference
from rnnviz.engine.intervention import Intervention, LayerReset, Op, UnitEdit
from rnnviz.engine.network import RNNLM, State
from rnnviz.session.trace import Trace


def add_whatif_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("what if (LAYER from 1, UNIT from 0, S from 0)")
    g.add_argument("--compare-text", metavar="TEXT",
                   help="also run this edited text; adds compare: both runs' differences")
    g.add_argument("--ablate", action="append", default=[], metavar="LAYER:UNIT[,...]",
                   help="set these units to 0 (after the cell update)")
    g.add_argument("--clamp", action="append", default=[], metavar="LAYER:UNIT=VALUE",
                   help="hold a unit at VALUE")
    g.add_argument("--scale", action="append", default=[], metavar="LAYER:UNIT=FACTOR",
                   help="multiply a unit by FACTOR")
    when = g.add_mutually_exclusive_group()
    when.add_argument("--ablate-from", type=int, default=None, metavar="S",
                      help="unit edits apply from step S on (default: every step)")
    when.add_argument("--ablate-at", type=int, default=None, metavar="S",
                      help="unit edits apply at step S only")
    g.add_argument("--state", choices=("h", "c", "both"), default="h",
                   help="which state the unit edits change (c, both: LSTM)")
    g.add_argument("--reset", action="append", default=[], metavar="LAYER@S",
                   help="set a layer's whole state to zero at step S")
    g.add_argument("--attribute", metavar="WORD",
                   help="split the last step's logit of WORD over the top layer's units")
    g.add_argument("--contrast", metavar="WORD", help="with --attribute: WORD's logit minus this")
    g.add_argument("--attribute-layer", type=int, default=None, metavar="LAYER",
                   help="layer of the ablation effect (default: the top layer)")


@dataclass(frozen=True)
class WhatIf:
    """What the flags ask for: an intervention, an edited text, an attributed word pair."""

    intervention: Intervention
    compare: list[Token] | None = None
    attribute: int | None = None
    contrast: int | None = None
    attribute_layer: int | None = None  # 0-based

    def trace(self, engine: RNNLM, tokens: list[Token], state: State | None) -> Trace:
        """The run the document describes: the text under the intervention."""
        return _trace(engine, tokens, state, self.intervention)

    def blocks(self, model: LoadedModel, engine: RNNLM, tokens: list[Token],
               state: State | None, trace: Trace, top_k: int) -> dict[str, Any]:
        """The document's what-if blocks (intervention, intervention_effect, compare,
        attribution)."""
        out: dict[str, Any] = {}
        if self.intervention:
            clean = _trace(engine, tokens, state, None)
            out["intervention"] = self.intervention.to_json()
            out["intervention_effect"] = _compare_json(clean, trace, model, top_k)
        if self.compare is not None:
            edited = _trace(engine, self.compare, state, self.intervention)
            out["compare"] = _compare_json(trace, edited, model, top_k)
        if self.attribute is not None:
            out["attribution"] = self._attribution(engine, trace, state, model)
        return out

    def _attribution(self, engine: RNNLM, trace: Trace, state: State | None,
                     model: LoadedModel) -> dict[str, Any]:
        assert self.attribute is not None
        t = trace.length - 1
        a = logit_attribution(engine, trace.records[t].h[-1], self.attribute, self.contrast)
        order = np.argsort(-np.abs(a.contributions), kind="stable")
        layer = engine.num_layers - 1 if self.attribute_layer is None else self.attribute_layer
        eff = ablation_effect(engine, trace.records, t, layer, self.attribute, self.contrast,
                              state)
        words = model.vocab.tokens
        return {
            "layer": engine.num_layers, "position": t, "word": words[self.attribute],
            "contrast": None if self.contrast is None else words[self.contrast],
            "logit": a.total, "bias": a.bias,
            "units": [{"unit": int(j), "contribution": float(a.contributions[j])}
                      for j in order],
            "ablation_layer": layer + 1,
            "ablation_effect": [float(x) for x in eff],
        }


def _trace(engine: RNNLM, tokens: list[Token], state: State | None,
           iv: Intervention | None) -> Trace:
    records = engine.run([t.id for t in tokens], state, iv or None)
    targets, is_pred = default_targets(records)
    return Trace(list(tokens), records, targets, is_pred, losses(records, targets))


def _num(x: float) -> float | None:
    return None if math.isnan(x) else float(x)


def _compare_json(base: Trace, other: Trace, model: LoadedModel, top_k: int) -> dict[str, Any]:
    """other minus base, per step of ``other`` (the engine's alignment by position)."""
    d: Difference = difference(base.records, other.records)
    words = model.vocab.tokens
    steps = []
    for t, to in enumerate(d.mapping):
        probs = other.records[t].probs
        top = np.argsort(-probs, kind="stable")[: min(top_k, len(words))]
        steps.append({
            "token": other.tokens[t].text, "original_step": to,
            "next_word": None if t + 1 >= other.length else other.tokens[t + 1].text,
            "delta_logp": _num(d.delta_logp[t]), "delta_loss": _num(d.delta_loss[t]),
            "loss": float(other.losses[t]),
            "top_k": [{"token": words[i], "id": int(i), "prob": float(probs[i])} for i in top],
        })
    return {
        "tokens": [tok.text for tok in other.tokens],
        "token_ids": [tok.id for tok in other.tokens],
        "steps": steps,
        "delta_hidden": [None if to is None else [d.delta_hidden[k, t].tolist()
                                                  for k in range(d.delta_hidden.shape[0])]
                         for t, to in enumerate(d.mapping)],
    }


def _unit(spec: str, n_layers: int) -> tuple[int, int]:
    """'LAYER:UNIT' (layer from 1) -> (layer from 0, unit)."""
    try:
        layer_s, unit_s = spec.split(":")
        layer, unit = int(layer_s), int(unit_s)
    except ValueError:
        raise UsageError(f"bad unit {spec!r}: expected LAYER:UNIT, e.g. 1:17") from None
    if not 1 <= layer <= n_layers:
        raise UsageError(f"bad unit {spec!r}: layers are numbered 1..{n_layers}")
    return layer - 1, unit


def _valued(spec: str, n_layers: int) -> tuple[int, int, float]:
    """'LAYER:UNIT=VALUE' -> (layer from 0, unit, value)."""
    head, sep, val = spec.partition("=")
    try:
        value = float(val)
    except ValueError:
        value = math.nan
    if not sep or not math.isfinite(value):
        raise UsageError(f"bad edit {spec!r}: expected LAYER:UNIT=VALUE, e.g. 1:17=0.5")
    return (*_unit(head, n_layers), value)


def _items(values: list[str]) -> list[str]:
    return [x for v in values for x in v.replace(" ", "").split(",") if x]


def intervention_from_args(args: argparse.Namespace, engine: RNNLM) -> Intervention:
    """The flags' intervention, checked against the model (UsageError on a bad one)."""
    n = engine.num_layers
    step = args.ablate_at if args.ablate_at is not None else (args.ablate_from or 0)
    if step < 0:
        raise UsageError("the step S must be >= 0")
    when = {"state": args.state, "step": step, "only": args.ablate_at is not None}
    edits = [UnitEdit(*_unit(s, n), "ablate", **when) for s in _items(args.ablate)]
    ops: tuple[tuple[Op, list[str]], ...] = (("clamp", args.clamp), ("scale", args.scale))
    for op, specs in ops:
        for spec in _items(specs):
            layer, unit, value = _valued(spec, n)
            edits.append(UnitEdit(layer, unit, op, value, **when))
    iv = Intervention(tuple(edits), tuple(_reset(s, n) for s in _items(args.reset)))
    try:
        iv.check(n, engine.hidden_size, engine.is_lstm)
    except ValueError as e:
        raise UsageError(str(e)) from None
    return iv


def _reset(spec: str, n_layers: int) -> LayerReset:
    layer_s, sep, step_s = spec.partition("@")
    try:
        layer, step = int(layer_s), int(step_s)
    except ValueError:
        layer, step = 0, -1
    if not sep or not 1 <= layer <= n_layers or step < 0:
        raise UsageError(f"bad reset {spec!r}: expected LAYER@S with LAYER in 1..{n_layers}")
    return LayerReset(layer - 1, step)


def _word(model: LoadedModel, word: str, flag: str) -> int:
    i = model.vocab.get(word)
    if i is None:
        toks = model.tokenize(word)
        if len(toks) != 1 or toks[0].oov:
            raise UsageError(f"{flag} {word!r} is not one token of the vocabulary")
        i = toks[0].id
    return i


def whatif_from_args(args: argparse.Namespace, model: LoadedModel,
                     engine: RNNLM) -> WhatIf | None:
    """None when no what-if flag is given (the plain analyze document)."""
    iv = intervention_from_args(args, engine)
    if args.contrast is not None and args.attribute is None:
        raise UsageError("--contrast needs --attribute")
    if args.attribute_layer is not None and not 1 <= args.attribute_layer <= engine.num_layers:
        raise UsageError(f"--attribute-layer must be in 1..{engine.num_layers}")
    compare = None
    if args.compare_text is not None:
        compare = model.tokenize(args.compare_text)
        if not compare:
            raise UsageError("--compare-text has no tokens")
    if not iv and compare is None and args.attribute is None:
        return None
    return WhatIf(
        iv, compare,
        None if args.attribute is None else _word(model, args.attribute, "--attribute"),
        None if args.contrast is None else _word(model, args.contrast, "--contrast"),
        None if args.attribute_layer is None else args.attribute_layer - 1,
    )
