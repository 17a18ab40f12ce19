"""Gradient jobs for every model of the workspace: one :class:`GradientRunner` per model, all on
the one background thread, with one progress figure for the status bar."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from rnnviz.session import ModelSession, Workspace
from rnnviz.ui.workers import GradientRunner, JobQueue


class WorkspaceRunners(QObject):
    """Keeps a runner per model session; ``schedule`` after texts, models or K change."""

    progress = Signal(float)
    busy_changed = Signal(bool)
    finished = Signal()

    def __init__(self, workspace: Workspace, queue: JobQueue) -> None:
        super().__init__(queue)
        self.workspace, self.queue = workspace, queue
        self.runners: dict[int, GradientRunner] = {}
        self._fractions: dict[int, float] = {}
        self.sync()

    def runner(self, session: ModelSession) -> GradientRunner:
        return self.runners[id(session)]

    @property
    def lead(self) -> GradientRunner:
        return self.runner(self.workspace.models[0])

    def sync(self) -> None:
        """A runner for each model session; runners of closed models are stopped."""
        live = {id(s): s for s in self.workspace.models}
        for key in list(self.runners):
            if key not in live:
                self.runners.pop(key).stop()
                self._fractions.pop(key, None)
        for key, s in live.items():
            if key not in self.runners:
                r = GradientRunner(s, self.queue)
                r.progress.connect(lambda f, k=key: self._on_progress(k, f))
                r.busy_changed.connect(self._on_busy)
                r.finished.connect(self._on_finished)
                self.runners[key] = r
        self._on_busy()

    @property
    def busy(self) -> bool:
        return any(r.busy for r in self.runners.values())

    def schedule(self) -> None:
        for r in self.runners.values():
            r.schedule()

    def stop(self) -> None:
        for r in self.runners.values():
            r.stop()

    def run_blocking(self) -> None:
        for r in self.runners.values():
            r.run_blocking()

    def complete(self) -> bool:
        return all(r.complete() for r in self.runners.values())

    def _on_progress(self, key: int, fraction: float) -> None:
        self._fractions[key] = fraction
        busy = [k for k, r in self.runners.items() if r.busy]
        if busy:
            self.progress.emit(sum(self._fractions.get(k, 0.0) for k in busy) / len(busy))

    def _on_busy(self, *_: object) -> None:
        if not self.busy:
            self._fractions.clear()
        self.busy_changed.emit(self.busy)

    def _on_finished(self) -> None:
        if not self.busy:
            self.finished.emit()
