"""Long texts in the real main window, offscreen: how long the GUI thread is blocked, and what
a step costs, at T = 2,000 and 10,000 tokens. Prints JSON.

For each T: ``open`` runs a T-token text through the sentence box (Enter); ``step`` presses Right
100 times from the middle of the text (each press until every view has repainted: p50/p95/max);
``background`` lets the gradient jobs run for a few seconds; ``max_gap_ms`` is the longest gap
between two ticks of a 10 ms QTimer during each phase (a blocked GUI thread shows as a long gap).
``rss_mb`` is the process's resident memory after the phase.

Targets (issue 12, item 14): step p50 <= 16 ms and no gap over 100 ms.

Usage: python benchmarks/bench_longtext.py [--lengths 2000 10000] [--steps 100] [--background 5]
       [--no-panels]   (without the extra analysis tabs, which follow every step too)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
from PySide6.QtCore import QElapsedTimer, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from timing import rss_mb

from rnnviz.checkpoints.loader import load_model
from rnnviz.session import ModelSession, Workspace
from rnnviz.ui.main_window import MainWindow

REPO = Path(__file__).resolve().parents[1]
PTB = REPO / "resources" / "models" / "ptb-lstm.safetensors"


class GapTimer:
    """A 10 ms timer that records the longest interval between its ticks."""

    def __init__(self) -> None:
        self.clock = QElapsedTimer()
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.last = 0
        self.max_gap = 0

    def start(self) -> None:
        self.clock.start()
        self.last, self.max_gap = 0, 0
        self.timer.start()

    def _tick(self) -> None:
        now = self.clock.elapsed()
        self.max_gap = max(self.max_gap, now - self.last)
        self.last = now

    def stop(self) -> int:
        self._tick()
        self.timer.stop()
        return int(self.max_gap)




def text_of(model: Any, n: int) -> str:
    rng = np.random.default_rng(1)
    vocab = [w for w in model.vocab.tokens if w.isalpha()]
    return " ".join(rng.choice(vocab, size=n))


def wait(app: QApplication, seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.002)


def one_length(app: QApplication, win: MainWindow, model: Any, n: int, steps: int,
               background: float) -> dict[str, Any]:
    gaps = GapTimer()
    out: dict[str, Any] = {"T": n}
    win.sentence.edit.setText(text_of(model, n))
    gaps.start()
    t0 = time.perf_counter()
    QTest.keyClick(win.sentence.edit, Qt.Key.Key_Return)
    while win.session.length != n and time.perf_counter() - t0 < 600:
        app.processEvents()  # the text may run in the background
    out["open"] = {"s": round(time.perf_counter() - t0, 3), "max_gap_ms": gaps.stop(),
                   "rss_mb": round(rss_mb()), "loaded": win.session.length == n}
    win.session.set_cursor(n // 2)
    app.processEvents()
    win.focus_steps()
    times = []
    gaps.start()
    for _ in range(steps):
        t0 = time.perf_counter()
        QTest.keyClick(win.strip.chips, Qt.Key.Key_Right)
        app.processEvents()
        times.append((time.perf_counter() - t0) * 1e3)
    out["step"] = {"p50_ms": round(float(np.median(times)), 2),
                   "p95_ms": round(float(np.percentile(times, 95)), 2),
                   "max_ms": round(float(np.max(times)), 2), "max_gap_ms": gaps.stop(),
                   "rss_mb": round(rss_mb())}
    gaps.start()
    win.runners.schedule()
    wait(app, background)
    out["background"] = {"s": background, "max_gap_ms": gaps.stop(), "rss_mb": round(rss_mb())}
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lengths", type=int, nargs="+", default=[2000, 10000])
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--background", type=float, default=5.0)
    ap.add_argument("--size", default="1600x1000")
    ap.add_argument("--no-panels", action="store_true",
                    help="without the extra tabs of rnnviz.ui.panels (the core views only)")
    args = ap.parse_args()
    if args.no_panels:
        import rnnviz.ui.main_window as mw

        mw.PANELS = ()  # type: ignore[assignment]
    app = QApplication.instance() or QApplication(sys.argv[:1])
    model = load_model(PTB)
    ws = Workspace()
    session = ModelSession(ws)
    ws.attach(session)
    ws.text = "the cat sat on the mat"
    session.set_model(model)
    win = MainWindow(ws)
    win.resize(*(int(x) for x in args.size.split("x")))
    win.show()
    app.processEvents()
    results = [one_length(app, win, model, n, args.steps, args.background)
               for n in args.lengths]
    win.shutdown()
    print(json.dumps({"model": PTB.name, "window": args.size, "cpus": os.cpu_count(),
                      "panels": not args.no_panels,
                      "load_avg_1m": round(os.getloadavg()[0], 2),
                      "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                                           / 1024),
                      "results": results,
                      "targets": {"step_p50_ms": 16, "max_gap_ms": 100}}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
