"""rnnviz runs single-threaded BLAS whether numpy was imported before it or after."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PROBE = """
import json, sys
if sys.argv[1] == "numpy-first":
    import numpy
import rnnviz, threadpoolctl
import numpy  # rnnviz-first: numpy (and its BLAS) loads after rnnviz
print(json.dumps([i["num_threads"] for i in threadpoolctl.threadpool_info()
                  if i["user_api"] == "blas"]))
"""


def blas_threads(order: str, **env: str) -> list[int]:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    clean["PYTHONPATH"] = str(REPO)
    out = subprocess.run([sys.executable, "-c", PROBE, order], env={**clean, **env},
                         capture_output=True, text=True, check=True, timeout=60)
    return list(json.loads(out.stdout))


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: BLAS is single-threaded anyway")
@pytest.mark.parametrize("order", ["numpy-first", "rnnviz-first"])
def test_single_thread_blas_in_any_import_order(order: str) -> None:
    threads = blas_threads(order)
    assert threads and all(n == 1 for n in threads)


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two cores to tell")
def test_an_explicit_user_setting_wins() -> None:
    assert blas_threads("numpy-first", OPENBLAS_NUM_THREADS="2") == [2]
