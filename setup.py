"""Packages beside pyproject.toml: rnnviz, and resources/ installed as ``rnnviz_resources`` (the
bundled models, examples, PTB vocabulary, translations) without moving the folder. The rest of
the configuration is in pyproject.toml."""

from pathlib import Path

from setuptools import find_packages, setup

RESOURCES = Path(__file__).parent / "resources"
SUBDIRS = sorted(d.name for d in RESOURCES.iterdir()
                 if d.is_dir() and not d.name.startswith(("_", ".")))

setup(
    packages=[*find_packages(include=["rnnviz", "rnnviz.*"]), "rnnviz_resources",
              *(f"rnnviz_resources.{d}" for d in SUBDIRS)],
    package_dir={"rnnviz_resources": "resources"},
    package_data={"rnnviz": ["py.typed"], "rnnviz_resources": ["*.txt"],
                  **{f"rnnviz_resources.{d}": ["*"] for d in SUBDIRS}},
)
