"""rnnviz: step through recurrent language models and look inside.

``rnnviz.load(name_or_path)`` opens a model for notebooks (see :mod:`rnnviz.api`); the API
module is imported on first use so that ``import rnnviz`` (and the app's start) stays light.
"""

from __future__ import annotations

import os

# The engine's matrices are small (a few hundred units): OpenBLAS's thread pool costs more than
# it gains there, and collapses when another process holds the cores (measured: the full T=100
# gradient matrix took 533 ms with the default pool vs 142 ms single-threaded on a busy 2-core
# machine; a model switch 10.4-12.8 s with 2 threads vs 2.5 s). The variable covers a numpy
# loaded after this line; threadpoolctl covers one loaded before (import order must not
# matter). An explicit user setting of either variable wins.
_USER_SET = any(v in os.environ for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                          "MKL_NUM_THREADS"))
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def limit_blas_threads(threads: int = 1) -> None:
    """Limit every BLAS library already loaded in this process (numpy's OpenBLAS) to
    ``threads``, unless the user set a thread count in the environment."""
    if _USER_SET:
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - a declared dependency
        return
    threadpool_limits(limits=threads, user_api="blas")


if "numpy" in __import__("sys").modules:  # loaded before rnnviz: its pool is already running
    limit_blas_threads()

__version__ = "0.1.0"

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing would cost ~3 ms here
if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from rnnviz.api import Model


def load(name_or_path: str | Path, *, vocab: str | None = None,
         vocab_corpus: Sequence[str] = (), cell: str | None = None,
         tokenizer: str | None = None, classes: Sequence[str] = (), labels: str | None = None,
         pool: str | None = None) -> Model:
    """A bundled model by name (``"ptb-lstm"``) or a model file, with the command line's
    vocabulary options (and a PyTorch classifier's class names and pooling); see
    :func:`rnnviz.api.load`."""
    from rnnviz.api import load as _load

    return _load(name_or_path, vocab=vocab, vocab_corpus=vocab_corpus, cell=cell,
                 tokenizer=tokenizer, classes=classes, labels=labels, pool=pool)
