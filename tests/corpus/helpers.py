"""Small models and corpora for the corpus tests."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np

from rnnviz.checkpoints import native
from rnnviz.checkpoints.loader import VocabOptions, load_model
from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.vocab import Vocab

REPO = Path(__file__).resolve().parents[2]
WORDS = ("<eos>", "<unk>", "the", "cat", "sat", "on", "a", "mat", "dog", "ran", "N", "(", ")")


def word_model(tmp: Path, cell: str = "lstm", layers: int = 2, hidden: int = 8,
               seed: int = 3) -> LoadedModel:
    """A random native word model saved under tmp and loaded back."""
    from rnnviz.engine.params import random_params

    path = tmp / f"{cell}-{seed}.safetensors"
    native.save(path, random_params(cell, len(WORDS), hidden, layers, seed=seed, scale=0.9),
                Vocab(WORDS), "word")
    return load_model(str(path), VocabOptions())


def word_corpus(tmp: Path, lines: int = 60, seed: int = 0) -> Path:
    """A corpus file of random lines over WORDS (plus one unknown word)."""
    rng = np.random.default_rng(seed)
    text = "".join(" ".join(rng.choice(WORDS[2:], size=int(rng.integers(2, 12)))) + "\n"
                   for _ in range(lines))
    path = tmp / f"corpus-{seed}.txt"
    path.write_text(text + "zebra the cat\n", encoding="utf-8")
    return path


def make_parens() -> ModuleType:
    """scripts/make_parens.py as a module."""
    script = REPO / "scripts" / "make_parens.py"
    spec = importlib.util.spec_from_file_location("make_parens", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def parens_model() -> LoadedModel:
    path = REPO / "resources" / "models" / "parens-lstm.safetensors"
    return load_model(str(path), VocabOptions())
