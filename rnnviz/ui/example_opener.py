"""Opening an example that names models (``#! models:``) and a target (``#! target:``): the
bundled models load on the window's loader thread, then open side by side in that order (the
first in place of the first model, the others beside it, any other model closed), the text runs,
the cursor goes to the last step and the target word is traced. A model that cannot open is one
line in the status bar; the models opened before it stay."""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal

from rnnviz.checkpoints.bundled import find_model
from rnnviz.checkpoints.loader import load_model
from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.vocab import VocabError
from rnnviz.session import MAX_MODELS, SessionError, Workspace
from rnnviz.session.examples import Example
from rnnviz.ui.workers import Job, JobQueue


class Window(Protocol):
    """What the opener needs of the main window."""

    workspace: Workspace
    loads: JobQueue

    def install_model(self, model: LoadedModel, prepared: Any = None) -> str | None: ...
    def add_model(self, model: LoadedModel) -> str | None: ...
    def statusBar(self) -> Any: ...


def load_all(names: tuple[str, ...]) -> list[tuple[str, LoadedModel | str]]:
    """On the loading thread: (name, model or a one-line error) for each bundled name."""
    out: list[tuple[str, LoadedModel | str]] = []
    for name in names[:MAX_MODELS]:
        try:
            out.append((name, load_model(find_model(name))))
        except Exception as e:  # a missing or bad file: one line, the others still load
            out.append((name, " ".join(str(e).split()) or type(e).__name__))
    return out


class ExampleOpener(QObject):
    """Opens an Example in a window; ``finished(errors)`` after each one (errors: lines)."""

    finished = Signal(list)

    def __init__(self, window: Window, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.window = window
        self._job: Job | None = None
        self.errors: list[str] = []

    def open(self, example: Example) -> None:
        if self._job is not None:
            self._job.cancel()
        if not example.models:
            self._finish(example, [])
            return
        job = Job(lambda _progress: load_all(example.models), "open example", example)
        job.signals.done.connect(self._loaded)
        job.signals.failed.connect(lambda j, e: self._loaded(j, []))
        self._job = job
        self.window.statusBar().showMessage(
            self.tr("Opening {0}…").format(", ".join(example.models)))
        self.window.loads.submit(job)

    def _loaded(self, job: Job, loaded: list[tuple[str, LoadedModel | str]]) -> None:
        if job is not self._job or job.is_cancelled:
            return
        self._job = None
        example: Example = job.context
        errors: list[str] = []
        ws = self.window.workspace
        first = True
        for name, model in loaded:
            if isinstance(model, str):
                errors.append(self.tr("Could not open {0}: {1}").format(name, model))
                continue
            problem = self._place(ws, model, example, first)
            if problem:
                errors.append(self.tr("Could not open {0}: {1}").format(name, problem))
            else:
                first = False
        self._finish(example, errors)

    def _place(self, ws: Workspace, model: LoadedModel, example: Example, first: bool
               ) -> str | None:
        """Put one model in: the first replaces every open model, the others go beside."""
        if not first:
            return self.window.add_model(model)
        while len(ws.models) > 1:
            ws.remove_model(len(ws.models) - 1)
        problem = self.window.install_model(model)
        if problem:
            return problem
        try:
            ws.set_text(example.text)
        except (SessionError, VocabError) as e:
            return str(e)
        return None

    def _finish(self, example: Example, errors: list[str]) -> None:
        ws = self.window.workspace
        try:
            if ws.text != example.text or ws.length == 0:
                ws.set_text(example.text)
            ws.end()
            if example.target:
                ws.set_traced_word(example.target)
        except (SessionError, VocabError) as e:
            errors.append(str(e))
        self.errors = errors
        bar = self.window.statusBar()
        if errors:
            bar.showMessage(errors[0] if len(errors) == 1 else "; ".join(errors), 15000)
        else:
            bar.showMessage(self.tr("Opened {0}").format(
                ", ".join(s.name for s in ws.models)), 8000)
        self.finished.emit(errors)
