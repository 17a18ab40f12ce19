"""Where the bundled resources are: the source tree's ``resources/`` (a checkout, editable
install) or the installed companion package ``rnnviz_resources`` (a wheel: pyproject.toml maps
``resources/`` to it). Every path to a bundled file goes through :func:`resource_path`."""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

#: Bundled models, tried in this order when no model is named.
DEFAULT_MODELS = ("ptb-lstm", "demo-lstm")


@cache
def resource_root() -> Path:
    """The folder holding ptb_vocab.txt, examples.txt and models/."""
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").is_file() and (checkout / "resources").is_dir():
        return checkout / "resources"
    spec = importlib.util.find_spec("rnnviz_resources")
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return checkout / "resources"  # absent: callers report the missing file by its path


def resource_path(*parts: str) -> Path:
    """A bundled file, e.g. ``resource_path("models", "ptb-lstm.safetensors")``."""
    return resource_root().joinpath(*parts)


def bundled_models() -> dict[str, Path]:
    """Bundled model name (file stem) -> path."""
    folder = resource_path("models")
    if not folder.is_dir():
        return {}
    return {p.name.removesuffix(".safetensors"): p
            for p in sorted(folder.glob("*.safetensors"))}


def default_model_path() -> Path | None:
    """ptb-lstm when it has been trained and bundled, else the demo model."""
    models = bundled_models()
    return next((models[n] for n in DEFAULT_MODELS if n in models), None)


def find_model(name_or_path: str | Path) -> Path:
    """A path as given when it exists, else the bundled model of that name (``ptb-lstm`` or
    ``ptb-lstm.safetensors``), else the path as given (the loader reports it missing)."""
    path = Path(name_or_path)
    if path.exists():
        return path
    models = bundled_models()
    return models.get(str(name_or_path).removesuffix(".safetensors"), path)
