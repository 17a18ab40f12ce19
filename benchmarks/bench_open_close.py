"""Open and close the main window repeatedly (ptb-lstm, a 300-token text, full gradients each
time) and print the resident memory after each cycle as JSON: a leak shows as growth.

Usage: python benchmarks/bench_open_close.py [--cycles 30] [--tokens 300]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QEvent, QSettings
from PySide6.QtWidgets import QApplication
from timing import rss_mb

from rnnviz.checkpoints.loader import load_model
from rnnviz.session import ModelSession, Workspace
from rnnviz.ui.main_window import MainWindow

PTB = Path(__file__).resolve().parents[1] / "resources" / "models" / "ptb-lstm.safetensors"




def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cycles", type=int, default=30)
    ap.add_argument("--tokens", type=int, default=300)
    args = ap.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    model = load_model(PTB)
    rng = random.Random(0)
    words = [w for w in model.vocab.tokens if w.isalpha()][:500]
    text = " ".join(rng.choice(words) for _ in range(args.tokens))
    settings = QSettings(str(Path(os.environ.get("TMPDIR", "/tmp")) / "rnnviz-bench.ini"),
                        QSettings.Format.IniFormat)
    sizes = []
    for _ in range(args.cycles):
        ws = Workspace()
        session = ModelSession(ws)
        ws.attach(session)
        ws.text = text
        session.set_model(model)
        win = MainWindow(ws, settings=settings)
        win.show()
        app.processEvents()
        win.runners.run_blocking()
        app.processEvents()
        win.close()
        win.deleteLater()
        del win, ws, session
        app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        app.processEvents()
        gc.collect()
        sizes.append(round(rss_mb(), 1))
    half = len(sizes) // 3
    growth = (sizes[-1] - sizes[half]) / max(1, len(sizes) - 1 - half)
    print(json.dumps({"model": PTB.name, "tokens": args.tokens, "cycles": args.cycles,
                      "rss_mb": sizes, "mb_per_cycle_after_warmup": round(growth, 2)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
