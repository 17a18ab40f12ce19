"""Session files (``*.rnnviz.json``): the models (paths and load options), the text, the cursor,
the traced word, the unit selection and every view option, so that
``python main.py lesson.rnnviz.json`` puts a class back where the teacher left it.

Versioned JSON; a bad file raises :class:`SessionFileError` with one line. Model paths are
stored as given and relative to the session file; on reading, the relative one wins when it
exists (a folder of session + models can be moved)."""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rnnviz.checkpoints.model import LoadedModel
from rnnviz.session.workspace import UnitRef, Workspace

FORMAT = "rnnviz-session"
VERSION = 1
SUFFIX = ".rnnviz.json"
OPTION_TYPES: dict[str, tuple[type, ...]] = {
    "truncate": (int, type(None)), "top_k": (int,), "state_kind": (str,), "saliency": (bool,),
    "shared_scale": (bool,), "unit_sort": (str,)}


class SessionFileError(ValueError):
    """A session file that cannot be read (one line)."""


@dataclass
class ModelEntry:
    """One model: its file and the options it was opened with (VocabOptions' fields)."""

    path: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class SessionSpec:
    """Everything a session file holds. ``views``: view-local settings (free-form)."""

    models: list[ModelEntry]
    text: str = ""
    prime: str = ""
    cursor: int = 0
    traced: tuple[int, str] | None = None
    options: dict[str, Any] = field(default_factory=dict)
    selected_unit: UnitRef | None = None
    pinned_units: list[UnitRef] = field(default_factory=list)
    views: dict[str, Any] = field(default_factory=dict)


def capture(workspace: Workspace, entries: list[ModelEntry],
            views: dict[str, Any] | None = None) -> SessionSpec:
    """The workspace as a spec; ``entries`` name each model's file and options, in order."""
    ws = workspace
    return SessionSpec(
        models=entries, text=ws.text, prime=ws.prime, cursor=ws.cursor,
        traced=None if ws.traced is None else (ws.traced.step, ws.traced.word),
        options={k: getattr(ws, k) for k in OPTION_TYPES},
        selected_unit=ws.selected_unit, pinned_units=list(ws.pinned_units), views=views or {})


def _unit_dict(u: UnitRef) -> dict[str, Any]:
    return {"model": u.model, "kind": u.kind, "layer": u.layer, "unit": u.unit}


def write(spec: SessionSpec, path: str | Path) -> None:
    """Write the spec as JSON; model paths also relative to the file's folder."""
    path = Path(path)
    folder = path.resolve().parent
    models = []
    for m in spec.models:
        entry: dict[str, Any] = {"path": str(Path(m.path).resolve()), "options": m.options}
        with contextlib.suppress(ValueError):  # on another drive: no relative path
            entry["relative"] = os.path.relpath(Path(m.path).resolve(), folder)
        models.append(entry)
    doc = {
        "format": FORMAT, "version": VERSION, "models": models, "text": spec.text,
        "prime": spec.prime, "cursor": spec.cursor,
        "traced": None if spec.traced is None else {"step": spec.traced[0],
                                                    "word": spec.traced[1]},
        "options": spec.options,
        "selected_unit": None if spec.selected_unit is None else _unit_dict(spec.selected_unit),
        "pinned_units": [_unit_dict(u) for u in spec.pinned_units], "views": spec.views,
    }
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def read(path: str | Path) -> SessionSpec:
    """Parse and check a session file; any problem is one SessionFileError line."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise SessionFileError(f"cannot read {path.name}: {e.__class__.__name__}") from e
    except json.JSONDecodeError as e:
        raise SessionFileError(f"{path.name} is not JSON (line {e.lineno}: {e.msg})") from e
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise SessionFileError(f"{path.name} is not an rnnviz session file")
    if doc.get("version") != VERSION:
        raise SessionFileError(f"{path.name} is session format version {doc.get('version')!r}; "
                               f"this rnnviz reads version {VERSION}")
    try:
        return _spec(doc, path.resolve().parent)
    except (KeyError, TypeError, ValueError) as e:
        raise SessionFileError(f"{path.name}: malformed session ({e})") from e


def _need(value: Any, types: tuple[type, ...], what: str) -> Any:
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
        raise ValueError(f"{what} has the wrong type")
    return value


def _unit(d: Any) -> UnitRef:
    _need(d, (dict,), "a unit")
    return UnitRef(_need(d["model"], (int,), "unit.model"), _need(d["kind"], (str,), "unit.kind"),
                   _need(d["layer"], (int,), "unit.layer"), _need(d["unit"], (int,), "unit.unit"))


def _spec(doc: dict[str, Any], folder: Path) -> SessionSpec:
    models = []
    for m in _need(doc["models"], (list,), "models"):
        path = _need(m["path"], (str,), "a model path")
        rel = m.get("relative")
        if isinstance(rel, str) and (folder / rel).exists():
            path = str((folder / rel).resolve())
        models.append(ModelEntry(path, dict(_need(m.get("options", {}), (dict,), "options"))))
    if not 1 <= len(models) <= 4:
        raise ValueError("a session holds 1 to 4 models")
    options = _need(doc.get("options", {}), (dict,), "options")
    for k, v in options.items():
        if k not in OPTION_TYPES:
            raise ValueError(f"unknown option {k!r}")
        _need(v, OPTION_TYPES[k], k)
    traced = doc.get("traced")
    sel = doc.get("selected_unit")
    return SessionSpec(
        models=models, text=_need(doc.get("text", ""), (str,), "text"),
        prime=_need(doc.get("prime", ""), (str,), "prime"),
        cursor=_need(doc.get("cursor", 0), (int,), "cursor"),
        traced=None if traced is None else (_need(traced["step"], (int,), "traced.step"),
                                            _need(traced["word"], (str,), "traced.word")),
        options=dict(options), selected_unit=None if sel is None else _unit(sel),
        pinned_units=[_unit(u) for u in _need(doc.get("pinned_units", []), (list,), "pins")],
        views=dict(_need(doc.get("views", {}), (dict,), "views")))


def install(spec: SessionSpec, workspace: Workspace, models: list[LoadedModel]) -> None:
    """Replace the workspace's models by ``models`` (loaded from the spec's entries, in order)
    and apply the rest of the spec. Checks first that every model can run the text, so a
    failure (SessionError, VocabError) leaves the workspace as it was."""
    for m in models:
        if spec.text and not m.tokenize(spec.text):
            raise SessionFileError(f"{m.name} reads no token in the session's text")
    ws = workspace
    while len(ws.models) > 1:
        ws.remove_model(len(ws.models) - 1)
    ws.text = spec.text
    ws.models[0].set_model(models[0])
    ws.models[0].load_options = dict(spec.models[0].options)
    for entry, m in zip(spec.models[1:], models[1:], strict=True):
        ws.add_model(m).load_options = dict(entry.options)
    apply(spec, ws)


def entries(workspace: Workspace) -> list[ModelEntry]:
    """Each open model's file and load options."""
    return [ModelEntry(s.model.path, dict(s.load_options)) for s in workspace.models
            if s.model is not None]


def apply(spec: SessionSpec, workspace: Workspace) -> None:
    """Text, options, cursor, traced word and selection onto a workspace whose models are
    already open (in the spec's order)."""
    ws = workspace
    ws.prime = spec.prime
    for s in ws.models:
        s.rerun_prime()
    if spec.text:
        ws.set_text(spec.text)
    opts = spec.options
    if "state_kind" in opts and any(opts["state_kind"] in s.state_kinds() for s in ws.models):
        ws.set_state_kind(opts["state_kind"])
    if "top_k" in opts:
        ws.set_top_k(opts["top_k"])
    if "truncate" in opts:
        ws.set_truncate(opts["truncate"])
    if "saliency" in opts:
        ws.set_saliency(opts["saliency"])
    if "shared_scale" in opts:
        ws.set_shared_scale(opts["shared_scale"])
    if "unit_sort" in opts:
        ws.set_unit_sort(opts["unit_sort"])
    ws.set_cursor(spec.cursor)
    if spec.traced is not None:
        ws.set_traced_word(spec.traced[1], spec.traced[0])
    ws.set_selected_unit(spec.selected_unit)
    for u in spec.pinned_units:
        ws.pin_unit(u)
