"""rnnviz: step through recurrent language models and look inside."""

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


import numpy  # noqa: E402,F401  (loads OpenBLAS, so the limit below reaches it)

limit_blas_threads()

__version__ = "0.1.0"
