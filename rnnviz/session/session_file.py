"""Session files (``.rnnviz.json``): the models (paths and vocabulary options), the text, the
prime, the cursor, the traced word, the shared view options, the unit selection, and a free
``views`` block for options the UI keeps per view. Versioned JSON; Qt-free.

A bad file raises :class:`SessionFileError` whose message is one line. Paths are stored as given;
a relative path (or an absolute one that no longer exists) is looked for beside the session file,
and a bundled model is stored by its name, so a session moves with its files.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rnnviz.checkpoints.bundled import bundled_models
from rnnviz.checkpoints.errors import CheckpointError
from rnnviz.checkpoints.loader import load_model
from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.options import VocabOptions
from rnnviz.session.workspace import MAX_MODELS, TracedWord, UnitRef, Workspace

FORMAT = "rnnviz-session"
VERSION = 1
SUFFIX = ".rnnviz.json"
_STATE_KINDS = ("h", "c", "i", "f", "g", "o", "r", "z", "n")
_MAX_BYTES = 64 * 1024 * 1024


class SessionFileError(ValueError):
    """A session file that cannot be read or restored; ``str(err)`` is one line."""


@dataclass(frozen=True)
class ModelEntry:
    """One model: a path (or a bundled model's name) and the options it was opened with."""

    path: str
    options: VocabOptions = field(default_factory=VocabOptions)


@dataclass(frozen=True)
class SessionFile:
    """Everything a session file holds (see the module docstring)."""

    models: tuple[ModelEntry, ...]
    text: str = ""
    prime: str = ""
    cursor: int = 0
    traced: TracedWord | None = None
    truncate: int | None = None
    top_k: int = 10
    state_kind: str = "h"
    saliency: bool = False
    shared_scale: bool = True
    selected_unit: UnitRef | None = None
    pinned_units: tuple[UnitRef, ...] = ()
    views: dict[str, Any] = field(default_factory=dict)


# ---- workspace <-> SessionFile ------------------------------------------------------------------

def _entry(model: LoadedModel) -> ModelEntry:
    bundled = {p.resolve(): name for name, p in bundled_models().items()}
    path = bundled.get(Path(model.path).resolve(), model.path)
    return ModelEntry(path, model.options)


def capture(ws: Workspace, views: dict[str, Any] | None = None) -> SessionFile:
    """The workspace as a session file (models without a loaded model are left out)."""
    models = tuple(_entry(s.model) for s in ws.models if s.model is not None)
    return SessionFile(models, ws.text, ws.prime, ws.cursor, ws.traced, ws.truncate, ws.top_k,
                       ws.state_kind, ws.saliency, ws.shared_scale, ws.selected_unit,
                       tuple(ws.pinned_units), dict(views or {}))


def load_models(sf: SessionFile, base: Path | None = None,
                load: Callable[[str, VocabOptions], LoadedModel] = load_model
                ) -> list[LoadedModel]:
    """Open every model of the session; the first failure raises SessionFileError."""
    out = []
    for k, entry in enumerate(sf.models):
        path = _locate(entry.path, base)
        try:
            out.append(load(path, entry.options))
        except (CheckpointError, OSError, ValueError) as e:
            raise SessionFileError(f"model {k + 1} ({entry.path}): {_one_line(e)}") from None
    return out


def restore(sf: SessionFile, ws: Workspace, models: list[LoadedModel]) -> None:
    """Put the session into ``ws`` (whose lead session exists): models, text, options, cursor,
    traced word, selection. ``models`` come from :func:`load_models`."""
    if not models or ws.lead is None:
        raise SessionFileError("the session has no model to open")
    while len(ws.models) > 1:
        ws.remove_model(len(ws.models) - 1)
    ws.set_prime(sf.prime)
    ws.lead.set_model(models[0])
    for model in models[1:]:
        ws.add_model(model)
    ws.set_text(sf.text)
    ws.set_truncate(sf.truncate)
    ws.set_top_k(sf.top_k)
    ws.set_saliency(sf.saliency)
    ws.set_shared_scale(sf.shared_scale)
    if any(sf.state_kind in s.state_kinds() for s in ws.models):
        ws.set_state_kind(sf.state_kind)
    ws.set_cursor(min(max(sf.cursor, 0), max(ws.length - 1, 0)))
    if sf.traced is not None:
        ws.set_traced_word(sf.traced.word, sf.traced.step)
    for unit in list(ws.pinned_units):
        ws.unpin_unit(unit)
    ws.set_selected_unit(None)
    for unit in sf.pinned_units:
        if unit.model < len(ws.models):
            ws.pin_unit(unit)
    if sf.selected_unit is not None and sf.selected_unit.model < len(ws.models):
        ws.set_selected_unit(sf.selected_unit)


def _locate(path: str, base: Path | None) -> str:
    """The path as stored, else beside the session file (relative paths, moved folders)."""
    p = Path(path)
    if p.exists() or base is None or path in bundled_models():
        return path
    for cand in (base / p, base / p.name):
        if cand.exists():
            return str(cand)
    return path


# ---- JSON ---------------------------------------------------------------------------------------

def _options_json(o: VocabOptions) -> dict[str, Any]:
    return {"vocab_file": o.vocab_file, "vocab_corpus": list(o.vocab_corpus), "cell": o.cell,
            "tokenizer": o.tokenizer}


def _unit_json(u: UnitRef) -> dict[str, Any]:
    return {"model": u.model, "kind": u.kind, "layer": u.layer, "unit": u.unit}


def to_json(sf: SessionFile) -> dict[str, Any]:
    """The file's JSON document."""
    return {
        "format": FORMAT, "version": VERSION,
        "models": [{"path": m.path, **_options_json(m.options)} for m in sf.models],
        "text": sf.text, "prime": sf.prime, "cursor": sf.cursor,
        "traced": None if sf.traced is None else {"step": sf.traced.step, "word": sf.traced.word},
        "options": {"truncate": sf.truncate, "top_k": sf.top_k, "state_kind": sf.state_kind,
                    "saliency": sf.saliency, "shared_scale": sf.shared_scale},
        "selected_unit": None if sf.selected_unit is None else _unit_json(sf.selected_unit),
        "pinned_units": [_unit_json(u) for u in sf.pinned_units],
        "views": sf.views,
    }


def write(path: str | Path, sf: SessionFile) -> None:
    """Write atomically (a temporary file, then rename); an unwritable path raises
    SessionFileError."""
    text = json.dumps(to_json(sf), indent=2, ensure_ascii=False) + "\n"
    tmp = f"{path}.tmp{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise SessionFileError(f"cannot write {path}: {e.strerror or e}") from None


def read(path: str | Path) -> SessionFile:
    """Read and check a session file; any problem raises SessionFileError (one line)."""
    try:
        if os.path.getsize(path) > _MAX_BYTES:
            raise SessionFileError(f"{path}: too large to be a session file")
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except OSError as e:
        raise SessionFileError(f"cannot read {path}: {e.strerror or e}") from None
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise SessionFileError(f"{path}: not a session file (not JSON: {_one_line(e)})"
                               ) from None
    try:
        return from_json(doc)
    except SessionFileError as e:
        raise SessionFileError(f"{path}: {e}") from None


def from_json(doc: object) -> SessionFile:
    """Check a parsed document and build the SessionFile."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise SessionFileError(f"not a session file (no \"format\": \"{FORMAT}\")")
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise SessionFileError("the session file has no valid version")
    if version > VERSION:
        raise SessionFileError(f"written by a newer rnnviz (session version {version}; this one "
                               f"reads up to {VERSION})")
    models = _list(doc.get("models"), "models")
    if not 1 <= len(models) <= MAX_MODELS:
        raise SessionFileError(f"a session holds 1 to {MAX_MODELS} models, not {len(models)}")
    opts = _dict(doc.get("options", {}), "options")
    traced = doc.get("traced")
    return SessionFile(
        models=tuple(_model(m, k) for k, m in enumerate(models)),
        text=_typed(doc.get("text", ""), str, "text"),
        prime=_typed(doc.get("prime", ""), str, "prime"),
        cursor=_int(doc.get("cursor", 0), "cursor"),
        traced=None if traced is None else _traced(traced),
        truncate=_opt_int(opts.get("truncate"), "options.truncate"),
        top_k=_int(opts.get("top_k", 10), "options.top_k", low=1),
        state_kind=_choice(opts.get("state_kind", "h"), _STATE_KINDS, "options.state_kind"),
        saliency=_typed(opts.get("saliency", False), bool, "options.saliency"),
        shared_scale=_typed(opts.get("shared_scale", True), bool, "options.shared_scale"),
        selected_unit=None if doc.get("selected_unit") is None
        else _unit(doc["selected_unit"], "selected_unit"),
        pinned_units=tuple(_unit(u, "pinned_units") for u in _list(doc.get("pinned_units", []),
                                                                   "pinned_units")),
        views=_dict(doc.get("views", {}), "views"),
    )


def _model(m: object, k: int) -> ModelEntry:
    d = _dict(m, f"models[{k}]")
    corpus = _list(d.get("vocab_corpus", []), f"models[{k}].vocab_corpus")
    return ModelEntry(
        _typed(d.get("path"), str, f"models[{k}].path"),
        VocabOptions(vocab_file=_opt_str(d.get("vocab_file"), f"models[{k}].vocab_file"),
                     vocab_corpus=tuple(_typed(c, str, f"models[{k}].vocab_corpus")
                                        for c in corpus),
                     cell=_opt_choice(d.get("cell"), ("rnn_tanh", "rnn_relu"),
                                      f"models[{k}].cell"),
                     tokenizer=_opt_choice(d.get("tokenizer"), ("ptb", "words", "char", "word"),
                                           f"models[{k}].tokenizer")))


def _traced(t: object) -> TracedWord:
    d = _dict(t, "traced")
    return TracedWord(_int(d.get("step"), "traced.step"), _typed(d.get("word"), str,
                                                                 "traced.word"))


def _unit(u: object, what: str) -> UnitRef:
    d = _dict(u, what)
    return UnitRef(_int(d.get("model"), f"{what}.model"),
                   _choice(d.get("kind"), _STATE_KINDS, f"{what}.kind"),
                   _int(d.get("layer"), f"{what}.layer"), _int(d.get("unit"), f"{what}.unit"))


def _typed(v: Any, t: type, what: str) -> Any:
    if not isinstance(v, t) or (t is int and isinstance(v, bool)):
        raise SessionFileError(f"{what} must be a {t.__name__}")
    return v


def _int(v: Any, what: str, low: int = 0) -> int:
    n = int(_typed(v, int, what))
    if n < low:
        raise SessionFileError(f"{what} must be at least {low}")
    return n


def _opt_int(v: Any, what: str) -> int | None:
    return None if v is None else _int(v, what, low=1)


def _opt_str(v: Any, what: str) -> str | None:
    return None if v is None else str(_typed(v, str, what))


def _choice(v: Any, allowed: tuple[str, ...], what: str) -> str:
    if v not in allowed:
        raise SessionFileError(f"{what} must be one of {', '.join(allowed)}")
    return str(v)


def _opt_choice(v: Any, allowed: tuple[str, ...], what: str) -> str | None:
    return None if v is None else _choice(v, allowed, what)


def _list(v: Any, what: str) -> list[Any]:
    return list(_typed(v, list, what))


def _dict(v: Any, what: str) -> dict[str, Any]:
    return dict(_typed(v, dict, what))


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split())[:300] or type(e).__name__


def open_session(path: str | Path, ws: Workspace) -> SessionFile:
    """Read ``path``, open its models (beside the file if moved) and restore it into ``ws``.
    Nothing in ``ws`` changes when the file or one of its models is bad."""
    sf = read(path)
    models = load_models(sf, Path(path).resolve().parent)
    restore(sf, ws, models)
    return sf


def save_session(path: str | Path, ws: Workspace, views: dict[str, Any] | None = None) -> None:
    """Capture ``ws`` (plus the UI's per-view options) and write it to ``path``."""
    write(path, capture(ws, views))
