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
    from rnnviz.session import Session
    from rnnviz.ui.main_window import MainWindow

T_START = time.perf_counter()
log = logging.getLogger("rnnviz")
SESSION_SUFFIX = ".rnnviz.json"


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
    p.add_argument("--step", type=int, default=1, help="start at step N (1-based)")
    p.add_argument("--screenshot", metavar="OUT.png",
                   help="render the window offscreen to a PNG and exit")
    p.add_argument("--size", default=None, metavar="WxH", help="window size, e.g. 1600x1000")
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


def make_app() -> QApplication:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    app.setApplicationName("rnnviz")
    app.setOrganizationName("rnnviz")
    from PySide6.QtCore import QSettings

    from rnnviz.ui import i18n

    i18n.install(i18n.chosen_language(QSettings()))
    return app  # type: ignore[return-value]


def load_initial(args: argparse.Namespace) -> tuple[LoadedModel | None, str | None]:
    """The model named on the command line (or the default one) and an error line, if any."""
    from rnnviz.checkpoints.errors import CheckpointError
    from rnnviz.checkpoints.loader import VocabOptions, load_model
    from rnnviz.checkpoints.vocab import VocabError

    path = args.checkpoint or args.file or default_model_path()
    if path is None:
        return None, "no model given and no bundled model found in resources/models"
    opts = VocabOptions(vocab_file=args.vocab, vocab_corpus=tuple(args.vocab_corpus or ()),
                        cell=args.cell, tokenizer=args.tokenizer)
    try:
        return load_model(path, opts), None
    except (CheckpointError, VocabError, OSError, ValueError) as e:
        return None, f"{path}: {' '.join(str(e).split())}"


def add_compared(session: Session, args: argparse.Namespace) -> str | None:
    """Open the --compare models beside the first; an error line for the first that fails."""
    from rnnviz.checkpoints.errors import CheckpointError
    from rnnviz.checkpoints.loader import VocabOptions, load_model
    from rnnviz.checkpoints.vocab import VocabError

    opts = VocabOptions(vocab_file=args.vocab, vocab_corpus=tuple(args.vocab_corpus or ()),
                        cell=args.cell, tokenizer=args.tokenizer)
    for path in args.compare:
        try:
            session.workspace.add_model(load_model(path, opts))
        except (CheckpointError, VocabError, OSError, ValueError) as e:
            return f"{path}: {' '.join(str(e).split())}"
    return None


def restore_session(session: Session, path: str) -> str | None:
    """Open a session file (``python main.py lesson.rnnviz.json``); an error line, if any."""
    from rnnviz.session.session_file import SessionFileError, open_session

    try:
        open_session(path, session.workspace)
    except (SessionFileError, ValueError) as e:
        return " ".join(str(e).split())
    return None


def build_window(args: argparse.Namespace) -> tuple[MainWindow, str | None]:
    """Workspace + window on the initial model(s); returns an error line to show, if any."""
    from rnnviz.session import Session
    from rnnviz.ui.main_window import MainWindow
    from rnnviz.ui.sentence_bar import first_example, load_examples

    session_file = args.file if args.file and args.file.endswith(SESSION_SUFFIX) else None
    if session_file:  # the default model first; the session then replaces it
        args = argparse.Namespace(**{**vars(args), "file": None})
    model, error = load_initial(args)
    if model is None and (args.checkpoint or args.file) and default_model_path():
        fallback = argparse.Namespace(**{**vars(args), "checkpoint": None, "file": None,
                                         "vocab": None, "vocab_corpus": None,
                                         "tokenizer": None})
        model, _ = load_initial(fallback)
    session = Session()
    examples = load_examples()
    if model is not None:
        session.text = args.text or first_example(examples, model.tokenizer)
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
    if session_file and model is not None:
        error = restore_session(session, session_file) or error
    # the window starts the gradient jobs after it has painted
    window = MainWindow(session.workspace, examples=examples)
    if args.size:
        window.resize(*args.size)
    return window, error


def screenshot(window: MainWindow, out: str) -> int:
    """Fill the gradients, render the window and save it as PNG; exit status."""
    from PySide6.QtWidgets import QApplication

    window.show()
    window.focus_steps()
    window.runners.run_blocking()
    for _ in range(3):
        QApplication.processEvents()
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
    app = make_app()
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
