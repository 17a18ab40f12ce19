"""Step latency of the real main window, offscreen: a Right key press until every view has
repainted. Prints JSON.

Model: resources/models/ptb-lstm.safetensors when present, else a random 2x200 LSTM with a
10,000-word vocabulary (the same sizes as the engine benchmark). Sentence: T=100 tokens.
Each step: QTest key press (through the window's application shortcut) -> the session moves ->
the views update -> ``processEvents`` until the paint events are done. Two runs:

- ``warm``: the gradient matrix has been filled by the background job first (the usual case);
- ``cold``: nothing precomputed, each step computes its gradient row on demand (worst case).

``engine`` times the engine's part of a step alone: the gradient row (on an empty store) and the
next-word prediction (top-k over the vocabulary). Targets (issue 4): median <= 16 ms, p99 <= 33 ms.

Usage: QT_QPA_PLATFORM=offscreen python benchmarks/bench_ui.py [--steps 200] [--size 1600x1000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as rnnviz/__init__ sets it for the app

import numpy as np
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from rnnviz.checkpoints.loader import load_model
from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.vocab import Vocab
from rnnviz.engine.params import random_params
from rnnviz.session import Session
from rnnviz.ui.main_window import MainWindow

REPO = Path(__file__).resolve().parents[1]
PTB = REPO / "resources" / "models" / "ptb-lstm.safetensors"
T = 100


class PaintCounter(QObject):
    """Counts paint events anywhere in the application."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def bench_model() -> tuple[LoadedModel, str]:
    if PTB.is_file():
        return load_model(PTB), "ptb-lstm.safetensors"
    words = (*(f"w{i}" for i in range(9998)), "<unk>", "<eos>")
    params = random_params("lstm", len(words), 200, layers=2, seed=0)
    return (LoadedModel(params, Vocab(words), "word", "rnnviz", "random-2x200.safetensors",
                        {"name": "random 2x200 LSTM, V=10000"}), "random 2x200 LSTM V=10000")


def sentence(model: LoadedModel, n: int = T) -> str:
    """n tokens of in-vocabulary words (no sentence ends, so exactly n tokens)."""
    rng = np.random.default_rng(1)
    vocab = [w for w in model.vocab.tokens if w.isalnum() and not w.isdigit()]
    return " ".join(rng.choice(vocab, size=n))


def summary(ms: list[float]) -> dict[str, float]:
    return {"median_ms": round(float(np.median(ms)), 2),
            "p99_ms": round(float(np.percentile(ms, 99)), 2),
            "max_ms": round(float(np.max(ms)), 2)}


def drive(app: QApplication, win: MainWindow, steps: int, paints: PaintCounter
          ) -> tuple[list[float], float]:
    """Key presses ping-ponging over the sentence; ms per step and paint events per step."""
    s = win.session
    target = win.strip.chips
    times: list[float] = []
    paints.count = 0
    direction = Qt.Key.Key_Right
    for _ in range(steps):
        if s.cursor == s.length - 1:
            direction = Qt.Key.Key_Left
        elif s.cursor == 0:
            direction = Qt.Key.Key_Right
        t0 = time.perf_counter()
        QTest.keyClick(target, direction)
        app.processEvents()
        times.append((time.perf_counter() - t0) * 1e3)
    return times, paints.count / steps


def engine_part(session: Session, steps: int) -> dict[str, Any]:
    """Gradient row (fresh store each time) and prediction at the same steps as the drive."""
    assert session.trace is not None
    rows, preds = [], []
    positions = [t % session.length for t in range(steps)]
    for t in positions:
        session._stores.clear()  # an empty store: the row is computed now
        t0 = time.perf_counter()
        session.gradient_row(t)
        t1 = time.perf_counter()
        session.prediction(t)
        t2 = time.perf_counter()
        rows.append((t1 - t0) * 1e3)
        preds.append((t2 - t1) * 1e3)
    return {"gradient_row": summary(rows), "prediction": summary(preds),
            "both": summary([a + b for a, b in zip(rows, preds, strict=True)])}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--size", default="1600x1000")
    args = ap.parse_args()
    w, h = (int(x) for x in args.size.split("x"))
    app = QApplication.instance() or QApplication(sys.argv[:1])
    paints = PaintCounter()
    app.installEventFilter(paints)
    model, label = bench_model()
    session = Session()
    session.text = sentence(model)
    session.set_model(model)
    assert session.length == T, session.length
    win = MainWindow(session)
    win.resize(w, h)
    win.show()
    win.activateWindow()
    win.focus_steps()
    app.processEvents()

    win.runner.run_blocking()  # warm: the background job's result is in
    app.processEvents()
    drive(app, win, 20, paints)  # warm-up
    warm, warm_paints = drive(app, win, args.steps, paints)

    win.runner.schedule = lambda: None  # type: ignore[method-assign]  # cold: no background job
    session._stores.clear()
    session.home()
    app.processEvents()
    cold, cold_paints = drive(app, win, args.steps, paints)

    engine = engine_part(session, args.steps)
    win.shutdown()
    print(json.dumps({
        "model": label, "T": T, "steps": args.steps, "window": f"{w}x{h}",
        "platform": os.environ.get("QT_QPA_PLATFORM"), "cpus": os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 2), "python": platform.python_version(),
        "step_warm": {**summary(warm), "paint_events_per_step": round(warm_paints, 1)},
        "step_cold": {**summary(cold), "paint_events_per_step": round(cold_paints, 1)},
        "engine": engine,
        "targets": {"median_ms": 16, "p99_ms": 33},
    }, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
