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
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal

from rnnviz.engine.bptt import Cancelled, GradientRows
from rnnviz.session import ModelSession
from rnnviz.session.gradients import GradientStore

log = logging.getLogger(__name__)

Progress = Callable[[float], bool]
CHUNK_ROWS = 128  # rows per delivery: long sentences become usable front to back
SYNC_ROWS = 300  # a missing row t < this is computed on the GUI thread (a few ms); later rows
#                  come from the background (the views show them when they arrive)
AHEAD_ROWS = 4  # an on-demand job also computes the next few rows (stepping forward)


def row_ready_or_cheap(session: ModelSession, t: int, truncate: int | None) -> bool:
    """Whether ``session.gradient_row(t, truncate)`` is fast enough for the GUI thread: the
    row is computed already, or it is short (t < SYNC_ROWS backward steps)."""
    return t < SYNC_ROWS or bool(session.store(truncate).ready[t])


def _scaled(progress: Progress, start: float, share: float) -> Progress:
    """A chunk's progress 0..1 as the whole job's."""
    def report(fraction: float) -> bool:
        return progress(start + fraction * share)

    return report


def chunked_rows(store: GradientStore, chunk: int | None = None
                 ) -> Callable[[Progress], Iterator[GradientRows]] | None:
    """A job computing the store's missing rows in chunks of targets, earliest first, yielding
    each chunk (None when the store is complete). Reads only the immutable trace."""
    missing = np.flatnonzero(~store.ready)
    if missing.size == 0 or not store.dense:  # a row-only store is filled on demand only
        return None
    t0, t1 = int(missing[0]), store.trace.length
    chunk = chunk or CHUNK_ROWS
    total = float(t1 * t1 - t0 * t0) or 1.0  # row t costs about t backward steps

    def job(progress: Progress) -> Iterator[GradientRows]:
        for a in range(t0, t1, chunk):
            b = min(a + chunk, t1)
            if store.ready[a:b].all():
                continue
            yield store.compute(a, b, _scaled(progress, (a * a - t0 * t0) / total,
                                              (b * b - a * a) / total))

    return job


def rows_job(store: GradientStore, t0: int, t1: int) -> Callable[[Progress], GradientRows]:
    """A job computing rows [t0, t1) of a store (reads only the immutable trace)."""
    def job(progress: Progress) -> GradientRows:
        return store.compute(t0, t1, progress)

    return job


class _JobSignals(QObject):
    """Every signal carries its job, so receivers connect bound methods (which Qt disconnects
    when the receiver is destroyed) rather than closures."""

    progress = Signal(object, float)
    partial = Signal(object, object)
    done = Signal(object, object)
    failed = Signal(object, object)
    cancelled = Signal(object)


class Job:
    """``fn(progress) -> result`` on a worker thread; signals arrive on the GUI thread.
    When fn returns an iterator, each item is sent as ``partial`` and ``done`` gets None.
    ``context`` is free for the submitter (what the job was for).

    Not a QRunnable: PySide6 (6.11) keeps a reference to a runnable started with autoDelete off
    and never drops it, so every job, with its trace and T x T store, stayed alive. The pool
    gets the bound :meth:`run` instead, which it releases when the run ends."""

    def __init__(self, fn: Callable[[Progress], Any], label: str = "",
                 context: Any = None) -> None:
        self.fn, self.label, self.context = fn, label, context
        self.signals = _JobSignals()
        self._cancel = threading.Event()
        self._last = -1.0
        self.finished = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def _emit(self, signal: Any, *args: Any) -> None:
        """Send to the GUI thread; when the application has already deleted the receiving end
        (the window closed or the app quit while the job ran), the job just stops."""
        try:
            signal.emit(self, *args)
        except RuntimeError:  # "Signal source has been deleted"
            self._cancel.set()
            raise Cancelled from None

    def _progress(self, fraction: float) -> bool:
        if fraction - self._last >= 0.01 or fraction >= 1.0:
            self._last = fraction
            self._emit(self.signals.progress, float(fraction))
        return not self._cancel.is_set()

    def run(self) -> None:
        try:
            self._run()
        except Cancelled:  # the receiving end is gone: nobody to tell
            pass
        finally:
            self.finished.set()

    def _run(self) -> None:
        try:
            if self._cancel.is_set():
                raise Cancelled
            result = self.fn(self._progress)
            if isinstance(result, Iterator):
                for item in result:
                    if self._cancel.is_set():
                        raise Cancelled
                    self._emit(self.signals.partial, item)
                result = None
        except Cancelled:
            self._emit(self.signals.cancelled)
        except Exception as e:  # reported to the GUI thread, which shows it as one line
            self._log_failure(e)
            self._emit(self.signals.failed, e)
        else:
            self._emit(self.signals.done, result)

    def _log_failure(self, e: Exception) -> None:
        """A refused file (a ValueError such as CheckpointError) is an expected outcome: one
        line, no traceback; anything else is a bug and keeps its traceback."""
        if isinstance(e, ValueError):
            log.info("%s: %s", self.label, " ".join(str(e).split()))
        else:
            log.error("background job %r failed", self.label, exc_info=e)


class JobQueue(QObject):
    """One background thread (the machine has 2 cores; the GUI keeps the other)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._jobs: weakref.WeakSet[Job] = weakref.WeakSet()  # the pool holds the live ones

    def submit(self, job: Job) -> Job:
        self._jobs.add(job)
        self.pool.start(job.run)
        return job

    def cancel_all(self) -> None:
        """Cancel every job not yet finished (the owner is going away)."""
        for job in self._jobs:
            job.cancel()

    def shutdown(self, timeout_ms: int = 5000) -> None:
        """Cancel everything and wait for the thread to finish."""
        for job in list(self._jobs):
            job.cancel()
        self.pool.clear()
        self.pool.waitForDone(timeout_ms)
        self._jobs = weakref.WeakSet()


Key = tuple[int, int | None]  # (id of the trace, truncation)


class GradientRunner(QObject):
    """Fills ``session.store(None)`` and, with a truncation set, ``session.store(K)`` off the GUI
    thread, in chunks of rows. Call :meth:`schedule` after the trace or the truncation changed:
    stale jobs are cancelled, and rows for an old trace are ignored by ``session.accept_rows``."""

    progress = Signal(float)  # 0..1 while working
    busy_changed = Signal(bool)
    finished = Signal()  # every wanted store is complete

    def __init__(self, session: ModelSession, queue: JobQueue, delay_ms: int = 30) -> None:
        super().__init__(queue)
        self.session, self.queue = session, queue
        self._active: dict[Key, Job] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.start)
        self.started_at = 0.0
        self.seconds = 0.0
        self.urgent = JobQueue(self)  # the cursor's rows, beside the front-to-back fill
        self._urgent_job: Job | None = None
        session.cursor_changed.connect(self.want_cursor_rows)

    @property
    def busy(self) -> bool:
        return bool(self._active)

    def schedule(self) -> None:
        """Start (or restart) the jobs shortly; several changes in a row start them once."""
        self._cancel_stale()
        self._timer.start()

    def want_cursor_rows(self, t: int | None = None) -> None:
        """Compute the rows at the cursor (and a few after it) in the background when the
        views would not compute them on the GUI thread; a newer cursor supersedes."""
        session, trace = self.session, self.session.trace
        if trace is None or session.engine is None:
            return
        t = session.cursor if t is None else t
        for k in self._wanted():
            if row_ready_or_cheap(session, t, k):
                continue
            if self._urgent_job is not None:
                self._urgent_job.cancel()
            store = session.store(k)
            a, b = t, min(trace.length, t + 1 + AHEAD_ROWS)
            job = Job(rows_job(store, a, b), f"rows {a}-{b - 1} K={k}",
                      ((id(trace), k), trace, k))
            job.signals.done.connect(self._on_urgent_rows)
            self._urgent_job = self.urgent.submit(job)
            return

    def _on_urgent_rows(self, job: Job, rows: GradientRows) -> None:
        if job is self._urgent_job:
            self._urgent_job = None
        _, trace, k = job.context
        if not job.is_cancelled:
            self.session.accept_rows(trace, k, rows)  # ignored if the trace changed since

    def stop(self) -> None:
        """Cancel everything (the window is closing)."""
        self._timer.stop()
        if self._urgent_job is not None:
            self._urgent_job.cancel()
            self._urgent_job = None
        self.session.cursor_changed.disconnect(self.want_cursor_rows, missing_ok=True)
        for job in self._active.values():
            job.cancel()
        self._active.clear()

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
            fn = chunked_rows(self.session.store(k))
            if key in self._active or fn is None:
                continue
            job = Job(fn, f"gradients K={k}", (key, trace, k))
            job.signals.progress.connect(self._on_progress)
            job.signals.partial.connect(self._on_rows)
            job.signals.done.connect(self._on_over)
            job.signals.failed.connect(self._on_over)
            job.signals.cancelled.connect(self._on_over)
            self._active[key] = self.queue.submit(job)
        if self.busy and not was_busy:
            self.started_at = time.perf_counter()
            self.busy_changed.emit(True)
        elif not self.busy:
            self.finished.emit()

    def _current(self, job: Job) -> bool:
        return self._active.get(job.context[0]) is job and not job.is_cancelled

    def _on_progress(self, job: Job, fraction: float) -> None:
        if self._current(job):
            n = len(self._wanted())
            self.progress.emit((n - len(self._active) + fraction) / n)

    def _on_rows(self, job: Job, rows: GradientRows) -> None:
        if self._current(job):
            _, trace, k = job.context
            self.session.accept_rows(trace, k, rows)  # ignored if the trace changed since

    def _on_over(self, job: Job, *_: object) -> None:
        key = job.context[0]
        if self._active.get(key) is job:
            del self._active[key]
            if not self._active:
                self.seconds = time.perf_counter() - self.started_at
                self.busy_changed.emit(False)
                self.finished.emit()

    def run_blocking(self) -> None:
        """Fill the wanted stores on this thread (headless screenshots); the jobs it replaces
        end as finished ones do (busy_changed(False), so no progress bar stays up)."""
        self._timer.stop()
        was_busy = self.busy
        for job in self._active.values():
            job.cancel()
        self._active.clear()
        trace = self.session.trace
        if trace is not None:
            for k in self._wanted():
                fn = self.session.store(k).missing_job()
                if fn is not None:
                    self.session.accept_rows(trace, k, fn(None))
        if was_busy:
            self.busy_changed.emit(False)
            self.finished.emit()

    def complete(self) -> bool:
        """Whether every wanted store holds all rows."""
        if self.session.trace is None:
            return True
        return all(self.session.store(k).complete or not self.session.store(k).dense
                   for k in self._wanted())
