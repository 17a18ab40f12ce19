"""Render the main window with the unit inspector offscreen and save PNGs (window and panel).

Usage: QT_QPA_PLATFORM=offscreen python scripts/shot_inspector.py OUT_DIR [--model FILE]
       [--text "..."] [--unit KIND:LAYER:UNIT] [--size 1366x768] [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from rnnviz.checkpoints.loader import load_model
from rnnviz.session import Workspace
from rnnviz.session.workspace import UnitRef
from rnnviz.ui.inspector import UnitInspector
from rnnviz.ui.main_window import MainWindow

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--model", default=str(REPO / "resources/models/parens-lstm.safetensors"))
    ap.add_argument("--text", default="ab(c(d(e)f)g)h(a(b)c)((d(e(f)g))h)a\n(b((c)d(e(f(g)))))")
    ap.add_argument("--unit", default="c:0:7")
    ap.add_argument("--size", default="1366x768")
    ap.add_argument("--cache-dir")
    ap.add_argument("--corpus")
    ap.add_argument("--match", metavar="LO:HI", help="also select steps LO..HI (1-based) and "
                    "save the match list as match.png")
    ap.add_argument("--find", metavar="LABEL", help="run the unit finder with LABEL first")
    ap.add_argument("--no-below", action="store_true", help="match: drop 'below just before'")
    args = ap.parse_args()
    if args.cache_dir:  # also for the bundled excerpt's build, which starts with the window
        os.environ["XDG_CACHE_HOME"] = str(Path(args.cache_dir).resolve() / "xdg")
    app = QApplication.instance() or QApplication(sys.argv)
    ws = Workspace()
    ws.add_model(load_model(args.model))
    window = MainWindow(ws)
    w, h = (int(x) for x in args.size.split("x"))
    window.resize(w, h)
    window.show()
    inspector = next(v for v in window.extra_views if isinstance(v, UnitInspector))
    inspector.cache_dir = args.cache_dir
    ws.set_text(args.text)
    ws.end()
    kind, layer, unit = args.unit.split(":")
    ws.set_selected_unit(UnitRef(0, kind, int(layer), int(unit)))
    window.show_panel("Unit inspector")
    if args.corpus:
        inspector.set_corpus(args.corpus)
    loop = QEventLoop()
    inspector.index_ready.connect(loop.quit)
    QTimer.singleShot(120_000, loop.quit)
    if inspector.index is None:
        loop.exec()
    if args.find:
        inspector.side.setCurrentIndex(1)
        inspector.label_box.setCurrentText(args.find)
        inspector.find_units()
        waiting = QEventLoop()
        while not inspector.found:
            QTimer.singleShot(100, waiting.quit)
            waiting.exec()
    window.runners.run_blocking()
    for _ in range(5):
        app.processEvents()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(out / "window.png"), "PNG")
    inspector.grab().save(str(out / "inspector.png"), "PNG")
    if args.match:
        from rnnviz.ui.match_panel import MatchPanel

        panel = next(v for v in window.extra_views if isinstance(v, MatchPanel))
        window.show_panel("Select and match")
        lo, hi = (int(x) for x in args.match.split(":"))
        panel.below.setChecked(not args.no_below)
        panel.set_span(lo - 1, hi)
        panel.run_match()
        for _ in range(5):
            app.processEvents()
        window.grab().save(str(out / "match.png"), "PNG")
    print(f"wrote {out}/window.png and inspector.png")
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
