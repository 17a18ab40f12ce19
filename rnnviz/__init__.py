"""rnnviz: step through recurrent language models and look inside."""

import os

# The engine's matrices are small (a few hundred units): OpenBLAS's thread pool costs more than
# it gains there, and collapses when another process holds the cores (measured: the full T=100
# gradient matrix took 533 ms with the default pool vs 142 ms single-threaded on a busy 2-core
# machine). Set before numpy is first imported; an explicit user setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
