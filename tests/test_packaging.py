"""The built wheel carries the bundled models, examples and PTB vocabulary: installed into a
fresh venv, ``rnnviz`` opens the default model from another working directory."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import REPO

SOURCES = ("rnnviz", "resources", "setup.py", "pyproject.toml", "README.md")


def _run(cmd: list[str], cwd: Path, timeout: int = 120) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PIP_NO_INDEX"] = "1"
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{cmd}: {done.stderr[-2000:]}"
    return done.stdout


def _copy_sources(dest: Path) -> Path:
    """The tracked sources in a clean folder, so the build leaves nothing in the checkout."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in SOURCES:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=ignore)
        else:
            shutil.copy2(src, dest / name)
    return dest


@pytest.mark.slow
def test_wheel_installs_and_runs_from_anywhere(tmp_path: Path) -> None:
    src = _copy_sources(tmp_path / "src")
    wheels = tmp_path / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
          "-w", str(wheels), str(src)], cwd=tmp_path, timeout=300)
    (wheel,) = wheels.glob("rnnviz-*.whl")
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp_path)
    py = venv / "bin" / "python"
    site = Path(_run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     cwd=tmp_path).strip())
    # the dependencies (numpy, safetensors, torch...) come from this interpreter's site-packages;
    # a plain path line adds no .pth of its own, so no editable rnnviz comes with them
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run([str(py), "-m", "pip", "install", "--no-deps", "-q", str(wheel)], cwd=tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = _run([str(py), "-c", "import rnnviz, rnnviz.checkpoints.bundled as b; "
                  "print(rnnviz.__file__); print(b.default_model_path())"], cwd=elsewhere)
    pkg, default = where.split()
    assert pkg.startswith(str(site)) and default.startswith(str(site / "rnnviz_resources"))
    rnnviz = str(venv / "bin" / "rnnviz")
    info = _run([rnnviz, "inspect", default], cwd=elsewhere)
    assert "format:      rnnviz" in info and "10000 tokens" in info
    doc = json.loads(_run([rnnviz, "analyze", "ptb-lstm", "--text", "the market fell sharply .",
                           "--top-k", "3"], cwd=elsewhere))
    assert doc["tokens"] == ["the", "market", "fell", "sharply", "<eos>"]
    assert len(doc["steps"]) == 5 and not any(doc["oov"])
