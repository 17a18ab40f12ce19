"""Tiny corpora and configurations shared by the trainer tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rnnviz.train.trainer import TrainConfig

WORDS = ("the", "cat", "sat", "on", "a", "mat", "dog", "ran", "far", "away", "big", "red")


def cyclic_lines(n_lines: int, period: int = 7, width: int = 5) -> list[str]:
    """Lines in the PTB layout whose words run through a fixed cycle (next word determined)."""
    cycle = [WORDS[(5 * i) % len(WORDS)] for i in range(period)]
    out = []
    for k in range(n_lines):
        words = [cycle[(k * width + j) % period] for j in range(width)]
        out.append(" " + " ".join(words) + " \n")
    return out


def write_word_corpus(root: Path, n_train: int = 240, n_eval: int = 70) -> Path:
    """A directory with ptb.{train,valid,test}.txt of cyclic lines."""
    root.mkdir(parents=True, exist_ok=True)
    for split, n in (("train", n_train), ("valid", n_eval), ("test", n_eval)):
        (root / f"ptb.{split}.txt").write_text("".join(cyclic_lines(n)), encoding="utf-8")
    return root


def write_char_corpus(path: Path, n_chars: int = 3000, seed: int = 0) -> Path:
    """Random letters from a small alphabet (a file, read as characters)."""
    rng = np.random.default_rng(seed)
    path.write_text("".join(rng.choice(list("abcde \n"), size=n_chars)), encoding="utf-8")
    return path


def tiny_config(data: Path, tmp: Path, **kw: object) -> TrainConfig:
    """A 1-layer, 16-unit model trained for two short epochs."""
    base: dict[str, object] = dict(
        data=str(data), out=str(tmp / "model.safetensors"), cell="lstm", layers=1, hidden=16,
        dropout=0.1, bptt=8, batch=4, epochs=2, lr=5.0, clip=1.0, seed=3,
        run_dir=str(tmp / "run"), progress=False)
    base.update(kw)
    return TrainConfig(**base)  # type: ignore[arg-type]
