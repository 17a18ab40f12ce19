"""The app as a process: startup without torch, the headless screenshot, argument errors,
and the exception hook."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from rnnviz import app
from tests.ui.conftest import DEMO, REPO


def run_main(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, str(REPO / "main.py"), *args], capture_output=True,
                          text=True, timeout=timeout, env=env, cwd=REPO)


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    w, h = struct.unpack(">II", head[16:24])
    return int(w), int(h)


def test_startup_paints_the_window_without_importing_torch() -> None:
    proc = run_main("--checkpoint", str(DEMO), "--startup-probe")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["torch_imported"] is False
    assert "demo LSTM" in report["title"]


def test_screenshot_writes_a_png_of_the_size_asked(tmp_path: Path) -> None:
    out = tmp_path / "shot.png"
    proc = run_main("--screenshot", str(out), "--checkpoint", str(DEMO), "--text",
                    "the company said its profit rose", "--step", "3", "--size", "800x600")
    assert proc.returncode == 0, proc.stderr
    assert png_size(out) == (800, 600)
    assert "Traceback" not in proc.stderr


def test_bad_checkpoint_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"garbage")
    proc = run_main("--screenshot", str(tmp_path / "x.png"), str(bad))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("rnnviz: error: ")


def test_arguments() -> None:
    args = app.parse_args(["m.safetensors", "--size", "1600x1000", "--step", "4"])
    assert args.file == "m.safetensors" and args.size == (1600, 1000) and args.step == 4
    with pytest.raises(SystemExit):
        app.parse_args(["--size", "big"])
    with pytest.raises(SystemExit):
        app.parse_args(["a.pt", "--checkpoint", "b.pt"])


def test_default_model_prefers_ptb_lstm() -> None:
    from rnnviz.checkpoints.bundled import DEFAULT_MODELS, resource_path

    found = app.default_model_path()
    assert found is not None and found.stem in DEFAULT_MODELS
    if resource_path("models", "ptb-lstm.safetensors").is_file():
        assert found.name == "ptb-lstm.safetensors"


def test_excepthook_shows_a_box_instead_of_crashing(qapp: Any, boxes: Any,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    app.install_excepthook()
    logged: list[str] = []
    monkeypatch.setattr(app.log, "error", lambda msg, *a: logged.append(msg % a))
    try:
        raise ValueError("boom\nsecond line")
    except ValueError as e:
        sys.excepthook(ValueError, e, e.__traceback__)
    assert boxes.calls and boxes.calls[0][0] == "critical"
    assert "ValueError: boom second line" in boxes.calls[0][2]
    assert "Traceback" in logged[0]


def test_build_window_falls_back_when_the_file_is_bad(qapp: Any, tmp_path: Path) -> None:
    bad = tmp_path / "bad.pkl"
    bad.write_bytes(b"\x80\x04garbage")
    window, error = app.build_window(app.parse_args([str(bad), "--text", "the dog"]))
    try:
        assert error is not None and error.startswith(str(bad))
        assert window.session.model is not None and window.session.trace is not None
    finally:
        window.shutdown()
        window.deleteLater()


def test_subcommands_go_to_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    code = app.main(["inspect", str(DEMO)])
    assert code == 0
    assert "lstm" in capsys.readouterr().out.lower()
