"""Rewrite native model files in the current layout (e.g. a tied decoder stored once), keeping
their tensors and metadata exactly: python scripts/resave_models.py FILE..."""

from __future__ import annotations

import sys

import numpy as np

from rnnviz.checkpoints import native
from rnnviz.engine.params import named_arrays


def resave(path: str) -> None:
    old = native.load(path)
    native.save(path, old.params, old.vocab, old.tokenizer, old.meta)
    new = native.load(path)
    for name, arr in named_arrays(old.params).items():
        assert np.array_equal(named_arrays(new.params)[name], arr), name
    assert new.meta == old.meta and new.vocab == old.vocab
    print(path)


if __name__ == "__main__":
    for p in sys.argv[1:]:
        resave(p)
