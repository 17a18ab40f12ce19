"""Seconds to add models to a shown window: ptb-gru and ptb-lstm beside ptb-rnn, one after the
other, as an example with three models opens them (every pane builds its columns). Prints JSON:
the median and each run.

Usage: python benchmarks/bench_add_models.py [--runs 3] [--size 1366x768]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QEvent, QSettings
from PySide6.QtWidgets import QApplication

from rnnviz.checkpoints.loader import load_model
from rnnviz.session import Workspace
from rnnviz.ui.main_window import MainWindow

MODELS = Path(__file__).resolve().parents[1] / "resources" / "models"
TEXT = "Tom was watching TV in his home. Mary came into the room. Mary said hi to"


def one_run(app: QApplication, models: list, size: tuple[int, int], settings: QSettings
            ) -> float:
    ws = Workspace()
    ws.text = TEXT
    ws.add_model(models[0])
    win = MainWindow(ws, settings=settings)
    win.resize(*size)
    win.show()
    for _ in range(5):
        app.processEvents()
    t0 = time.perf_counter()
    for m in models[1:]:
        win.add_model(m)
        app.processEvents()
    seconds = time.perf_counter() - t0
    win.shutdown()
    win.deleteLater()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return seconds


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--size", default="1366x768")
    args = ap.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    app = QApplication.instance() or QApplication(sys.argv[:1])
    models = [load_model(MODELS / f"ptb-{n}.safetensors") for n in ("rnn", "gru", "lstm")]
    settings = QSettings(str(Path(os.environ.get("TMPDIR", "/tmp")) / "rnnviz-bench-add.ini"),
                         QSettings.Format.IniFormat)
    runs = [one_run(app, models, size, settings) for _ in range(args.runs)]  # type: ignore[arg-type]
    print(json.dumps({"add_two_models_s": round(statistics.median(runs), 3),
                      "runs_s": [round(r, 3) for r in runs], "size": args.size}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
