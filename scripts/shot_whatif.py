"""Render README's What-if figures offscreen: docs/whatif.png ('the boy' edited to 'the boys' on
ptb-lstm, cursor on 'cars'), docs/beam_tree.png (a width-3 beam of 5 tokens after 'the boys
near the car') and docs/units.png (which units push 'are' over 'is' after 'the prices of the
company').

Usage: QT_QPA_PLATFORM=offscreen python scripts/shot_whatif.py [OUT_DIR] [--size 1366x768]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from rnnviz import app  # noqa: E402
from rnnviz.session.whatif import whatif_of  # noqa: E402
from rnnviz.ui.attribution import UnitAttributionView  # noqa: E402
from rnnviz.ui.beam_tree import BeamTreeView  # noqa: E402

TEXT = "the boy near the cars is very happy because he is here"
EDITED = "the boys near the cars is very happy because he is here"
PROMPT = "the boys near the car"
AGREEMENT = "the prices of the company"


def shot(argv: list[str], out: Path, setup: object) -> None:
    """Open the window as main.py would with ``argv``, run ``setup(window)``, save ``out``."""
    args = app.parse_args(argv)
    window, error = app.build_window(args)
    if error:
        raise SystemExit(f"shot_whatif: {error}")
    setup(window)  # type: ignore[operator]
    if app.screenshot(window, str(out)) != 0:
        raise SystemExit(f"shot_whatif: could not write {out}")
    window.shutdown()


def edit(window: object) -> None:
    whatif_of(window.workspace).set_edited_text(EDITED)  # type: ignore[attr-defined]


def beam(window: object) -> None:
    view = window.findChild(BeamTreeView)  # type: ignore[attr-defined]
    view.method_box.setCurrentText("beam search")
    view.tokens_spin.setValue(5)
    view.width_spin.setValue(3)
    view.generate()  # the screenshot waits for it (every panel's ``idle``)


def contrast(window: object) -> None:
    view = window.findChild(UnitAttributionView)  # type: ignore[attr-defined]
    view.word_edit.setText("are")
    view.contrast_edit.setText("is")
    view.refresh()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?", default=str(REPO / "docs"))
    ap.add_argument("--size", default="1366x768")
    a = ap.parse_args()
    out = Path(a.out)
    app.make_app("en")
    shot(["ptb-lstm", "--text", TEXT, "--step", "5", "--panel", "What if", "--size", a.size],
         out / "whatif.png", edit)
    shot(["ptb-lstm", "--text", PROMPT, "--step", "5", "--panel", "Continue", "--size", a.size],
         out / "beam_tree.png", beam)
    shot(["ptb-lstm", "--text", AGREEMENT, "--step", "5", "--panel", "Units", "--size", a.size],
         out / "units.png", contrast)
    print(f"wrote whatif.png, beam_tree.png and units.png in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
