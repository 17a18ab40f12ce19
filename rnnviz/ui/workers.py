"""Slow work off the GUI thread: model files and the full gradient matrices.

A :class:`Job` runs one function on a single background thread and reports progress, its result
or its error through Qt signals (delivered on the GUI thread). ``cancel()`` makes the next progress
callback return False, which the engine turns into :class:`rnnviz.engine.bptt.Cancelled`.
:class:`GradientRunner` keeps the session's gradient stores filled: exact BPTT first, then the
truncated store when a truncation K is set.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal

from rnnviz.engine.bptt import Cancelled
from rnnviz.session import Session

log = logging.getLogger(__name__)

Progress = Callable[[float], bool]


class _JobSignals(QObject):
    progress = Signal(float)
    done = Signal(object)
    failed = Signal(object)
    cancelled = Signal()


class Job(QRunnable):
    """``fn(progress) -> result`` on a worker thread; signals arrive on the GUI thread."""

    def __init__(self, fn: Callable[[Progress], Any], label: str = "") -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.fn, self.label = fn, label
        self.signals = _JobSignals()
        self._cancel = threading.Event()
        self._last = -1.0
        self.finished = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def _progress(self, fraction: float) -> bool:
        if fraction - self._last >= 0.01 or fraction >= 1.0:
            self._last = fraction
            self.signals.progress.emit(float(fraction))
        return not self._cancel.is_set()

    def run(self) -> None:
        try:
            if self._cancel.is_set():
                raise Cancelled
            result = self.fn(self._progress)
        except Cancelled:
            self.signals.cancelled.emit()
        except Exception as e:  # reported to the GUI thread, which shows it as one line
            log.exception("background job %r failed", self.label)
            self.signals.failed.emit(e)
        else:
            self.signals.done.emit(result)
        finally:
            self.finished.set()


class JobQueue(QObject):
    """One background thread (the machine has 2 cores; the GUI keeps the other)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._jobs: list[Job] = []

    def submit(self, job: Job) -> Job:
        self._jobs = [j for j in self._jobs if not j.finished.is_set()] + [job]
        self.pool.start(job)
        return job

    def shutdown(self, timeout_ms: int = 5000) -> None:
        """Cancel everything and wait for the thread to finish."""
        for job in self._jobs:
            job.cancel()
        self.pool.clear()
        self.pool.waitForDone(timeout_ms)
        self._jobs = []


class GradientRunner(QObject):
    """Fills ``session.store(None)`` and, with a truncation set, ``session.store(K)`` off the GUI
    thread. Call :meth:`schedule` after the trace or the truncation changed: stale jobs are
    cancelled, and results for an old trace are ignored by ``session.accept_rows``."""

    progress = Signal(float)  # 0..1 while working
    busy_changed = Signal(bool)
    finished = Signal()  # every wanted store is complete

    def __init__(self, session: Session, queue: JobQueue, delay_ms: int = 30) -> None:
        super().__init__(queue)
        self.session, self.queue = session, queue
        self._active: dict[tuple[int, int | None], Job] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.start)
        self.started_at = 0.0
        self.seconds = 0.0

    @property
    def busy(self) -> bool:
        return bool(self._active)

    def schedule(self) -> None:
        """Start (or restart) the jobs shortly; several changes in a row start them once."""
        self._cancel_stale()
        self._timer.start()

    def _wanted(self) -> list[int | None]:
        k = self.session.truncate
        return [None] if k is None else [None, k]

    def _cancel_stale(self) -> None:
        trace = self.session.trace
        wanted = self._wanted()
        for key, job in list(self._active.items()):
            if trace is None or key[0] != id(trace) or key[1] not in wanted:
                job.cancel()
                del self._active[key]
        if not self._active:
            self.busy_changed.emit(False)

    def start(self) -> None:
        """Submit a job for each wanted store that is incomplete and not already being filled."""
        self._timer.stop()
        self._cancel_stale()
        trace = self.session.trace
        if trace is None or self.session.engine is None:
            return
        was_busy = self.busy
        for k in self._wanted():
            key = (id(trace), k)
            fn = self.session.store(k).missing_job()
            if key in self._active or fn is None:
                continue
            self._active[key] = self._submit(key, trace, k, fn)
        if self.busy and not was_busy:
            self.started_at = time.perf_counter()
            self.busy_changed.emit(True)
        elif not self.busy:
            self.finished.emit()

    def _submit(self, key: tuple[int, int | None], trace: object, k: int | None,
                fn: Callable[[Progress], Any]) -> Job:
        job = Job(fn, f"gradients K={k}")
        job.signals.progress.connect(lambda f: self._on_progress(key, f))
        job.signals.done.connect(lambda rows: self._on_done(key, trace, k, rows))
        job.signals.failed.connect(lambda e: self._on_over(key, job))
        job.signals.cancelled.connect(lambda: self._on_over(key, job))
        return self.queue.submit(job)

    def _on_progress(self, key: tuple[int, int | None], fraction: float) -> None:
        if key in self._active:
            keys = list(self._active)
            done = len(self._wanted()) - len(keys)
            self.progress.emit((done + fraction) / max(1, len(self._wanted())))

    def _on_done(self, key: tuple[int, int | None], trace: object, k: int | None,
                 rows: Any) -> None:
        job = self._active.pop(key, None)
        if job is None or job.is_cancelled:
            return
        self.session.accept_rows(trace, k, rows)  # type: ignore[arg-type]
        self._after()

    def _on_over(self, key: tuple[int, int | None], job: Job) -> None:
        if self._active.get(key) is job:
            del self._active[key]
            self._after()

    def _after(self) -> None:
        if not self._active:
            self.seconds = time.perf_counter() - self.started_at
            self.busy_changed.emit(False)
            self.finished.emit()

    def run_blocking(self) -> None:
        """Fill the wanted stores on this thread (headless screenshots)."""
        self._timer.stop()
        for job in self._active.values():
            job.cancel()
        self._active.clear()
        trace = self.session.trace
        if trace is None:
            return
        for k in self._wanted():
            fn = self.session.store(k).missing_job()
            if fn is not None:
                self.session.accept_rows(trace, k, fn(None))

    def complete(self) -> bool:
        """Whether every wanted store holds all rows."""
        if self.session.trace is None:
            return True
        return all(self.session.store(k).complete for k in self._wanted())
