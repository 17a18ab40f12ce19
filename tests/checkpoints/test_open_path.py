"""What the loader says about paths that are not model files (one line each, never a hang)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rnnviz.checkpoints.errors import CheckpointError
from rnnviz.checkpoints.loader import load_model


def message(path: Path) -> str:
    with pytest.raises(CheckpointError) as info:
        load_model(path)
    text = str(info.value)
    assert "\n" not in text
    return text


def test_missing_file(tmp_path: Path) -> None:
    assert "no such file" in message(tmp_path / "nope.safetensors")


def test_directory(tmp_path: Path) -> None:
    assert "is a folder" in message(tmp_path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.pt"
    os.mkfifo(fifo)
    assert "named pipe" in message(fifo)  # opening it for reading would block forever


def test_symlink_loop(tmp_path: Path) -> None:
    a, b = tmp_path / "a.pt", tmp_path / "b.pt"
    a.symlink_to(b)
    b.symlink_to(a)
    assert "link loop" in message(a)


def test_dangling_symlink_is_missing(tmp_path: Path) -> None:
    link = tmp_path / "dangling.pt"
    link.symlink_to(tmp_path / "gone.pt")
    assert "no such file" in message(link)
