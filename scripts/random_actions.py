"""Drive the real main window with seeded random actions and fail on any exception, Qt warning,
hang over 5 s or hostile-file side effect.

    python scripts/random_actions.py --seeds 0 1 2 --actions 1000   # JSON; exit 1 on failure

Actions: typing any text (empty, unicode, Japanese, emoji, control characters, long), every
stepping key, every control of every view (top-k, K, kind, curve switches, matrix, saliency,
follow/reset, playback and speed, examples, tabs), opening good and bad files (noise, empty,
a hostile pickle, a folder, a FIFO, a missing path), resizing, and the docks.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from PySide6.QtCore import QSettings, Qt, QtMsgType, qInstallMessageHandler  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

DEMO = REPO / "resources" / "models" / "demo-lstm.safetensors"
HANG_S = 5.0
IGNORED_QT = ("propagateSizeHints",)  # the offscreen platform has no window manager
WORDS = "the cat sat on a mat and dog ran into room with big red hat".split()
KEYS = (Qt.Key.Key_Right, Qt.Key.Key_Left, Qt.Key.Key_Home, Qt.Key.Key_End, Qt.Key.Key_Space,
        Qt.Key.Key_Escape, Qt.Key.Key_Return, Qt.Key.Key_Tab, Qt.Key.Key_PageDown)


class Hostile:
    """Unpickling this would create the marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def texts(rng: random.Random, long_tokens: int) -> str:
    """A text to type: empty, unicode, Japanese, emoji, control characters, long, normal."""
    pool = ["", " ", "\t\n", "ñandú café", "日本語のテキストです。", "🙂🚀 emoji 👍🏽",
            "\x00\x01\x1b[31mred\x7f", "a" * 300, "\\n\\t\\\\", "<unk> <eos> N",
            " ".join(rng.choice(WORDS) for _ in range(long_tokens))]
    if rng.random() < 0.5:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 25)))
    return rng.choice(pool)


def bad_files(folder: Path, marker: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    noise = folder / "noise.pt"
    noise.write_bytes(random.Random(0).randbytes(4096))
    empty = folder / "empty.safetensors"
    empty.write_bytes(b"")
    hostile = folder / "hostile.pkl"
    hostile.write_bytes(pickle.dumps(Hostile(marker)))
    sub = folder / "a_folder.pt"
    sub.mkdir(exist_ok=True)
    files = [noise, empty, hostile, sub, folder / "missing.pt"]
    if hasattr(os, "mkfifo"):
        fifo = folder / "pipe.pt"
        if not fifo.exists():
            os.mkfifo(fifo)
        files.append(fifo)
    return files


class Run:
    """One seeded run against a fresh window."""

    def __init__(self, seed: int, actions: int, folder: Path, long_tokens: int) -> None:
        from rnnviz.checkpoints.loader import load_model
        from rnnviz.session import ModelSession, Workspace
        from rnnviz.ui import open_dialog
        from rnnviz.ui.main_window import MainWindow

        self.rng = random.Random(seed)
        self.seed, self.n_actions, self.long_tokens = seed, actions, long_tokens
        self.failures: list[str] = []
        self.marker = folder / "pwned"
        good = folder / "good.safetensors"
        shutil.copy(DEMO, good)
        self.files = [good, *bad_files(folder / "bad", self.marker)]
        self.slowest = 0.0
        open_dialog.ask_vocabulary = lambda *a, **k: None  # type: ignore[assignment]
        for kind in ("warning", "critical", "information", "question"):
            setattr(QMessageBox, kind, staticmethod(lambda *a, **k: 0))
        ws = Workspace()
        session = ModelSession(ws)
        ws.attach(session)
        ws.text = "the cat sat on the mat ."
        session.set_model(load_model(DEMO))
        settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
        self.win = MainWindow(ws, settings=settings)
        self.win.resize(1200, 800)
        self.win.show()

    # ---- actions ----------------------------------------------------------------------------
    def actions(self) -> list[tuple[str, Callable[[], None]]]:
        w = self.win
        return [
            ("type", self.type_text), ("key", self.press_key), ("key", self.press_key),
            ("click token", self.click_token), ("top-k", self.top_k), ("K", self.truncate),
            ("kind", self.kind), ("curve switches", self.curve_switch),
            ("matrix", self.matrix), ("saliency", lambda: w.strip.saliency.toggle()),
            ("follow", lambda: w.heatmap.follow.toggle()),  # type: ignore[attr-defined]
            ("reset view", lambda: w.heatmap.reset_view()),  # type: ignore[attr-defined]
            ("play", lambda: w.transport.toggle()), ("speed", self.speed),
            ("example", self.example), ("tab", self.tab), ("resize", self.resize),
            ("dock", lambda: w.dock.setVisible(not w.dock.isVisible())),
            ("open", self.open_file), ("wait", lambda: QTest.qWait(self.rng.randint(0, 60))),
        ]

    def type_text(self) -> None:
        edit = self.win.sentence.edit
        edit.setFocus()
        edit.setText(texts(self.rng, self.long_tokens))
        if self.rng.random() < 0.8:
            QTest.keyClick(edit, Qt.Key.Key_Return)

    def press_key(self) -> None:
        target = self.win.focusWidget() or self.win
        QTest.keyClick(target, self.rng.choice(KEYS))

    def click_token(self) -> None:
        s = self.win.session
        if s.length:
            self.win.strip.chips.clicked.emit(self.rng.randrange(s.length))

    def top_k(self) -> None:
        spin = self.win.softmax.k_spin  # type: ignore[attr-defined]
        spin.setValue(self.rng.randint(spin.minimum(), spin.maximum()))

    def truncate(self) -> None:
        spin = self.win.gradient.k_spin  # type: ignore[attr-defined]
        spin.setValue(self.rng.choice([0, 0, 1, 2, 5, 35, self.rng.randint(0, spin.maximum())]))

    def kind(self) -> None:
        box = self.win.heatmap.kind_box  # type: ignore[attr-defined]
        if box.count():
            i = self.rng.randrange(box.count())
            box.setCurrentIndex(i)
            box.activated.emit(i)

    def curve_switch(self) -> None:
        g = self.win.gradient
        self.rng.choice([g.c_check, g.input_check]).toggle()  # type: ignore[attr-defined]

    def matrix(self) -> None:
        box = self.win.gradient.matrix_box  # type: ignore[attr-defined]
        if box.count():
            i = self.rng.randrange(box.count())
            box.setCurrentIndex(i)
            box.activated.emit(i)

    def speed(self) -> None:
        self.win.transport.rate.setValue(self.rng.randint(1, 60))

    def example(self) -> None:
        picker = self.win.sentence.picker
        if picker.count() > 1:
            i = self.rng.randrange(1, picker.count())
            picker.setCurrentIndex(i)
            picker.activated.emit(i)

    def tab(self) -> None:
        tabs = self.win.tabs
        tabs.setCurrentIndex(self.rng.randrange(tabs.count()))

    def resize(self) -> None:
        self.win.resize(self.rng.randint(640, 2560), self.rng.randint(420, 1440))

    def open_file(self) -> None:
        path = self.rng.choice(self.files)
        done: list[bool] = []
        self.win.open_finished.connect(done.append)
        self.win.open_file(str(path))
        deadline = time.perf_counter() + HANG_S
        while not done and time.perf_counter() < deadline:
            QTest.qWait(5)
        self.win.open_finished.disconnect(done.append)
        if not done:
            self.failures.append(f"opening {path.name} did not finish in {HANG_S} s")

    # ---- run --------------------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        table = self.actions()
        counts: dict[str, int] = {}
        for i in range(self.n_actions):
            name, act = self.rng.choice(table)
            counts[name] = counts.get(name, 0) + 1
            t0 = time.perf_counter()
            try:
                act()
                QApplication.processEvents()
            except Exception:
                self.failures.append(f"action {i} ({name}): {traceback.format_exc(limit=4)}")
            took = time.perf_counter() - t0
            self.slowest = max(self.slowest, took)
            if took > HANG_S:
                self.failures.append(f"action {i} ({name}) took {took:.1f} s")
            if len(self.failures) > 20:
                break
        if self.marker.exists():
            self.failures.append("a hostile file ran code (marker file created)")
        self.win.shutdown()
        self.win.close()
        return {"seed": self.seed, "actions": self.n_actions, "failures": self.failures,
                "slowest_action_s": round(self.slowest, 3), "counts": counts}


def watch(failures: list[str]) -> None:
    """Record Qt warnings and exceptions raised in slots as failures."""
    def on_message(kind: QtMsgType, _ctx: Any, text: str) -> None:
        if kind != QtMsgType.QtDebugMsg and kind != QtMsgType.QtInfoMsg and \
                not any(s in text for s in IGNORED_QT):
            failures.append(f"Qt {kind.name}: {text}")

    def on_exception(kind: type, value: BaseException, tb: Any) -> None:
        failures.append("".join(traceback.format_exception(kind, value, tb, limit=6)))

    qInstallMessageHandler(on_message)
    sys.excepthook = on_exception


def run_seeds(seeds: list[int], actions: int, long_tokens: int = 3000) -> list[dict[str, Any]]:
    app = QApplication.instance() or QApplication([])
    del app
    results = []
    for seed in seeds:
        with tempfile.TemporaryDirectory() as tmp:
            hooked: list[str] = []
            watch(hooked)
            run = Run(seed, actions, Path(tmp), long_tokens)
            out = run.run()
            out["failures"] += hooked
            results.append(out)
    return results


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--actions", type=int, default=1000)
    p.add_argument("--long-tokens", type=int, default=3000)
    args = p.parse_args(argv)
    results = run_seeds(args.seeds, args.actions, args.long_tokens)
    print(json.dumps({"runs": results,
                      "failures": sum(len(r["failures"]) for r in results)}, indent=1))
    return 1 if any(r["failures"] for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
