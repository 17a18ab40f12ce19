"""Start the desktop app: ``python main.py [FILE] [--text ...]`` or the ``rnnviz`` script.

``--screenshot OUT.png`` renders the window offscreen at ``--step N`` (after the gradient
matrices are complete) and exits. Qt and pyqtgraph are imported only once arguments are parsed,
torch only if a PyTorch file is opened.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import time
import traceback
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from rnnviz.checkpoints.bundled import default_model_path  # light: pathlib and importlib only

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from rnnviz.checkpoints.model import LoadedModel
    from rnnviz.checkpoints.options import VocabOptions
    from rnnviz.session import Session
    from rnnviz.ui.main_window import MainWindow

T_START = time.perf_counter()
log = logging.getLogger("rnnviz")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="rnnviz", description="Step through a recurrent language "
                                "model word by word and watch what it computes.")
    p.add_argument("files", nargs="*", metavar="FILE",
                   help="model file(s) (.safetensors, .pt/.pth, the book's .pkl); two to four "
                        "files open side by side for comparison")
    p.add_argument("--checkpoint", metavar="FILE", help="same as the first FILE")
    p.add_argument("--compare", metavar="FILE", nargs="+", default=[],
                   help="models to open beside the first (up to four in all)")
    p.add_argument("--trace-word", metavar="WORD",
                   help="trace the loss of WORD as the next word at the start step")
    p.add_argument("--text", help="the sentence to start with")
    p.add_argument("--vocab", metavar="FILE",
                   help="vocabulary: one token a line, or the book's ptb.vocab.pkl")
    p.add_argument("--vocab-corpus", metavar="FILE", nargs="+",
                   help="build the vocabulary from corpus files (train, valid, test)")
    p.add_argument("--cell", choices=("rnn_tanh", "rnn_relu"),
                   help="for PyTorch RNN files, whose nonlinearity shapes cannot tell")
    p.add_argument("--tokenizer", choices=("ptb", "words", "char"),
                   help="how text becomes tokens (default: the file's, else inferred from the "
                        "vocabulary)")
    p.add_argument("--classes", metavar="NAMES",
                   help='a classifier\'s class names in its output order, e.g. "neg,pos" '
                        "(PyTorch files carry none)")
    p.add_argument("--labels", metavar="FILE",
                   help="a classifier's class names, one a line (instead of --classes)")
    p.add_argument("--pool", choices=("last-output", "final-states"),
                   help="what a PyTorch classifier's fc reads: out[:, -1, :] (default) or both "
                        "directions' final states h_n")
    p.add_argument("--step", type=int, default=1, help="start at step N (1-based)")
    p.add_argument("--screenshot", metavar="OUT.png",
                   help="render the window offscreen to a PNG and exit")
    p.add_argument("--size", default=None, metavar="WxH", help="window size, e.g. 1600x1000")
    p.add_argument("--language", choices=("en", "ja"),
                   help="UI language for this run (default: View > Language, else the system's)")
    views = p.add_argument_group("view options (for scripted figures)")
    views.add_argument("--state", metavar="KIND",
                       help="what the heatmaps show: h, c or a gate (i f g o, r z n)")
    views.add_argument("--truncate", type=int, default=0, metavar="K",
                       help="truncated BPTT with blocks of K steps (0: exact)")
    views.add_argument("--top-k", type=int, default=10, metavar="K", help="next-word bars")
    views.add_argument("--saliency", action="store_true", help="colour tokens by saliency")
    views.add_argument("--curves", default="", metavar="c,input",
                       help="extra gradient curves: c (LSTM cell state), input (embedding)")
    views.add_argument("--matrix", metavar="NAME",
                       help="the T x T matrix: h1, h2, ... (layer), c1, ..., or inputs")
    views.add_argument("--panel", metavar="TITLE",
                       help="start on this tab, e.g. Memory, Help or a pane of Step through "
                            "such as 'Gradient flow back in time' (with --screenshot: after "
                            "its background work is done)")
    p.add_argument("--startup-probe", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.files and args.checkpoint:
        p.error("give the model either as FILE or as --checkpoint, not both")
    args.file = args.files[0] if args.files else None
    args.compare = list(args.files[1:]) + list(args.compare)
    if len(args.compare) > 3:
        p.error("at most four models can be compared")
    args.size = _size(p, args.size)
    return args


def _size(p: argparse.ArgumentParser, text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    try:
        w, h = (int(x) for x in text.lower().split("x"))
    except ValueError:
        p.error(f"--size must look like 1600x1000, not {text!r}")
    if not (200 <= w <= 8000 and 200 <= h <= 8000):
        p.error("--size: width and height must be between 200 and 8000")
    return w, h


def setup_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="rnnviz: %(levelname)s: %(message)s",
                        stream=sys.stderr)


def install_excepthook() -> None:
    """Unexpected errors are logged and shown as a one-line message box, never a crash."""
    showing = False

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        nonlocal showing
        log.error("unexpected error:\n%s", "".join(traceback.format_exception(kind, value, tb)))
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)
            return
        if showing:
            return
        from PySide6.QtWidgets import QApplication, QMessageBox

        if QApplication.instance() is None:
            return
        showing = True
        try:
            text = " ".join(str(value).split()) or kind.__name__
            QMessageBox.critical(None, "rnnviz: unexpected error",
                                 f"{kind.__name__}: {text}\n\nThe details are in the log "
                                 "(standard error). The app keeps running.")
        finally:
            showing = False

    sys.excepthook = hook


def quiet_offscreen() -> None:
    """Drop the offscreen platform's 'does not support propagateSizeHints()' notes (harmless:
    headless windows have no window manager to tell); every other Qt message still prints."""
    from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

    def handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        if "propagateSizeHints" not in message:
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)


def make_app(language: str | None = None) -> QApplication:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    app.setApplicationName("rnnviz")
    app.setOrganizationName("rnnviz")
    from PySide6.QtCore import QSettings

    from rnnviz.ui import i18n

    i18n.install(language or i18n.chosen_language(QSettings()))
    return app  # type: ignore[return-value]


def vocab_options(args: argparse.Namespace) -> VocabOptions:
    """How to read the files named on the command line (vocabulary, cell, tokenizer, a
    classifier's class names and pooling)."""
    from rnnviz.checkpoints.loader import VocabOptions

    classes = tuple(c.strip() for c in (args.classes or "").split(",") if c.strip())
    return VocabOptions(vocab_file=args.vocab, vocab_corpus=tuple(args.vocab_corpus or ()),
                        cell=args.cell, tokenizer=args.tokenizer, classes=classes,
                        labels_file=args.labels, pool=args.pool)


def load_initial(args: argparse.Namespace) -> tuple[LoadedModel | None, str | None]:
    """The model named on the command line (or the default one) and an error line, if any."""
    from rnnviz.checkpoints.errors import CheckpointError
    from rnnviz.checkpoints.loader import load_model
    from rnnviz.checkpoints.vocab import VocabError

    path = args.checkpoint or args.file or default_model_path()
    if path is None:
        return None, "no model given and no bundled model found in resources/models"
    try:
        return load_model(path, vocab_options(args)), None
    except (CheckpointError, VocabError, OSError, ValueError) as e:
        return None, f"{path}: {' '.join(str(e).split())}"


def add_compared(session: Session, args: argparse.Namespace) -> str | None:
    """Open the --compare models beside the first; an error line for the first that fails."""
    from rnnviz.checkpoints.errors import CheckpointError
    from rnnviz.checkpoints.loader import load_model
    from rnnviz.checkpoints.vocab import VocabError

    opts = vocab_options(args)
    for path in args.compare:
        try:
            added = session.workspace.add_model(load_model(path, opts))
            added.load_options = {"vocab_file": opts.vocab_file,
                                  "vocab_corpus": list(opts.vocab_corpus), "cell": opts.cell,
                                  "classes": list(opts.classes),
                                  "labels_file": opts.labels_file, "pool": opts.pool}
        except (CheckpointError, VocabError, OSError, ValueError) as e:
            return f"{path}: {' '.join(str(e).split())}"
    return None


def build_from_session(args: argparse.Namespace) -> tuple[MainWindow, str | None]:
    """A window restored from a session file (its models load here, before the window)."""
    from rnnviz.checkpoints.errors import CheckpointError
    from rnnviz.checkpoints.vocab import VocabError
    from rnnviz.session import Session
    from rnnviz.session import session_file as sf
    from rnnviz.ui.main_window import MainWindow
    from rnnviz.ui.sentence_bar import load_examples
    from rnnviz.ui.session_actions import apply_view_settings, load_models

    session = Session()
    error = None
    try:
        spec = sf.read(args.file)
        sf.install(spec, session.workspace, load_models(spec))
    except (CheckpointError, VocabError, OSError, ValueError) as e:
        error = f"{args.file}: {' '.join(str(e).split())}"
        spec = None
    if spec is None:  # fall back to the default model
        fallback = argparse.Namespace(**{**vars(args), "file": None, "compare": []})
        window, _ = build_window(fallback)
        return window, error
    window = MainWindow(session.workspace, examples=load_examples())
    apply_view_settings(window, spec.views)
    if args.size:
        window.resize(*args.size)
    return window, error


def build_window(args: argparse.Namespace) -> tuple[MainWindow, str | None]:
    """Workspace + window on the initial model(s); returns an error line to show, if any."""
    if args.file and str(args.file).endswith(".rnnviz.json"):
        return build_from_session(args)
    from rnnviz.session import Session
    from rnnviz.ui.main_window import MainWindow
    from rnnviz.ui.sentence_bar import first_example, load_examples

    model, error = load_initial(args)
    if model is None and (args.checkpoint or args.file) and default_model_path():
        fallback = argparse.Namespace(**{**vars(args), "checkpoint": None, "file": None,
                                         "vocab": None, "vocab_corpus": None,
                                         "tokenizer": None, "classes": None, "labels": None,
                                         "pool": None})
        model, _ = load_initial(fallback)
    session = Session()
    examples = load_examples()
    if model is not None:
        session.text = args.text or first_example(examples, model.tokenizer)
        opts = vocab_options(args)
        session.load_options = {"vocab_file": args.vocab,
                                "vocab_corpus": list(args.vocab_corpus or ()), "cell": args.cell,
                                "classes": list(opts.classes), "labels_file": opts.labels_file,
                                "pool": opts.pool}
        try:
            session.set_model(model)
        except ValueError as e:  # SessionError (nothing to run), VocabError (no <unk>)
            error = f"--text: {e}"
            with contextlib.suppress(ValueError):
                session.set_text(first_example(examples, model.tokenizer))
        error = add_compared(session, args) or error
        session.set_cursor(args.step - 1)
        if args.trace_word:
            session.workspace.set_traced_word(args.trace_word)
    # the window starts the gradient jobs after it has painted
    window = MainWindow(session.workspace, examples=examples)
    if args.size:
        window.resize(*args.size)
    return window, apply_view_options(window, args) or error


def apply_view_options(window: MainWindow, args: argparse.Namespace) -> str | None:
    """The view options of the command line, on the workspace and every gradient view."""
    from rnnviz.session import SessionError
    from rnnviz.ui.gradient import GradientView

    ws = window.workspace
    try:
        if args.state:
            ws.set_state_kind(args.state)
    except SessionError as e:
        return f"--state: {e}"
    ws.set_truncate(args.truncate or None)
    ws.set_top_k(args.top_k)
    ws.set_saliency(args.saliency)
    curves = {c.strip() for c in args.curves.split(",") if c.strip()}
    unknown = curves - {"c", "input"}
    if unknown:
        return f"--curves: unknown {', '.join(sorted(unknown))} (use c, input)"
    for view in window.findChildren(GradientView):
        view.c_check.setChecked("c" in curves)
        view.input_check.setChecked("input" in curves)
        if args.matrix:
            data = args.matrix if args.matrix == "inputs" else \
                f"{args.matrix[0]}{int(args.matrix[1:]) - 1}" if args.matrix[1:].isdigit() else ""
            i = view.matrix_box.findData(data)
            if i < 0:
                return f"--matrix: {args.matrix} is not a matrix of {view.session.name}"
            view.matrix_box.setCurrentIndex(i)
            view.matrix_box.activated.emit(i)
    if args.panel and not window.show_panel(args.panel):
        return f"--panel: no tab {args.panel!r} (tabs: {', '.join(window.panel_titles())})"
    return None


def _wait_for_panels(window: MainWindow, timeout_s: float = 600.0) -> None:
    """Process events until every extra view with background work (an ``idle`` property) is
    done, e.g. the Memory view's curves."""
    from PySide6.QtWidgets import QApplication

    end = time.perf_counter() + timeout_s
    while (any(not getattr(v, "idle", True) for v in window.extra_views)
           and time.perf_counter() < end):
        QApplication.processEvents()
        time.sleep(0.02)
    for _ in range(3):
        QApplication.processEvents()


def screenshot(window: MainWindow, out: str) -> int:
    """Fill the gradients, render the window and save it as PNG; exit status."""
    from PySide6.QtWidgets import QApplication

    window.show()
    window.focus_steps()
    window.runners.run_blocking()
    for _ in range(3):
        QApplication.processEvents()
    _wait_for_panels(window)
    image = window.grab()
    if not image.save(out, "PNG"):
        print(f"rnnviz: error: cannot write {out}", file=sys.stderr)
        return 2
    print(f"rnnviz: wrote {out} ({image.width()}x{image.height()})", file=sys.stderr)
    return 0


def startup_probe(window: MainWindow) -> None:
    """Print, once the window has painted, the seconds since start and whether torch loaded."""
    import json

    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    class PaintWatch(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and not getattr(self, "seen", False):
                self.seen = True
                QTimer.singleShot(0, report)
            return False

    def report() -> None:
        print(json.dumps({"painted_s": round(time.perf_counter() - T_START, 3),
                          "torch_imported": "torch" in sys.modules,
                          "title": window.windowTitle()}), flush=True)
        QApplication.quit()

    watch = PaintWatch(window)
    window.installEventFilter(watch)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python main.py`` and the ``rnnviz`` script (``rnnviz eval ...`` and the
    other subcommands go to the command line interface)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and not Path(argv[0]).exists():
        from rnnviz.cli import COMMANDS
        from rnnviz.cli import main as cli_main

        if argv[0] in COMMANDS:
            return cli_main(argv)
    args = parse_args(argv)
    if args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    setup_logging()
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        quiet_offscreen()
    app = make_app(args.language)
    install_excepthook()
    window, error = build_window(args)
    if args.screenshot:
        if error:
            print(f"rnnviz: error: {error}", file=sys.stderr)
            return 2
        return screenshot(window, args.screenshot)
    if args.startup_probe:
        startup_probe(window)
    window.show()
    window.focus_steps()
    if error:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.warning(window, "Cannot open model", error)
    code = app.exec()
    window.shutdown()
    return int(code)
