"""Background jobs: a finished job, its result, its context (a trace) and its gradient stores
are freed; a refused file logs one line without a traceback."""

from __future__ import annotations

import functools
import gc
import logging
import weakref
from typing import Any

import numpy as np
import pytest

from rnnviz.checkpoints.errors import CheckpointError
from rnnviz.checkpoints.model import LoadedModel
from rnnviz.session import Session
from rnnviz.ui.workers import GradientRunner, Job, JobQueue
from tests.ui.conftest import SENTENCE


class Payload:
    """Something weak-referenceable standing in for a trace or a store."""


def give(obj: object, _progress: object) -> object:
    return obj


def settle(qtbot: Any) -> None:
    qtbot.wait(20)  # queued signals delivered
    gc.collect()


def test_finished_job_and_what_it_held_are_freed(qtbot: Any) -> None:
    queue = JobQueue()
    context, result = Payload(), Payload()
    job = Job(functools.partial(give, result), "payload", context)
    refs = [weakref.ref(x) for x in (job, context, result)]
    with qtbot.waitSignal(job.signals.done, timeout=5000):
        queue.submit(job)
    del job, context, result
    settle(qtbot)
    assert [r() for r in refs] == [None, None, None]
    queue.shutdown()


def test_gradient_runner_frees_old_traces_and_stores(qtbot: Any, demo_model: LoadedModel
                                                     ) -> None:
    session = Session()
    session.set_model(demo_model)
    session.set_text(SENTENCE)
    queue = JobQueue()
    runner = GradientRunner(session, queue, delay_ms=0)
    old: list[weakref.ref[Any]] = []
    for text in (SENTENCE, "the dog ran .", "a cat ."):
        session.set_text(text)
        session.set_truncate(3)
        old += [weakref.ref(session.trace), weakref.ref(session.store(None)),
                weakref.ref(session.store(3))]
        with qtbot.waitSignal(runner.finished, timeout=20000):
            runner.schedule()
        assert runner.complete()
    settle(qtbot)
    alive = [r for r in old[:-3] if r() is not None]
    assert alive == [], f"{len(alive)} old traces/stores still alive"
    assert all(r() is not None for r in old[-3:])  # the current ones are kept
    queue.shutdown()


def test_refused_file_logs_one_line(qtbot: Any, caplog: pytest.LogCaptureFixture) -> None:
    def refuse(_p: object) -> None:
        raise CheckpointError("no such file: x.pt")

    queue = JobQueue()
    job = Job(refuse, "open x.pt")
    with caplog.at_level(logging.DEBUG, logger="rnnviz"), \
            qtbot.waitSignal(job.signals.failed, timeout=5000):
        queue.submit(job)
    records = [r for r in caplog.records if "x.pt" in r.getMessage()]
    assert records and all(r.exc_info is None for r in records)
    assert all("\n" not in r.getMessage() for r in records)
    queue.shutdown()



def test_a_far_cursor_row_comes_from_the_background(qtbot: Any) -> None:
    from rnnviz.ui.workers import SYNC_ROWS
    from tests.ui.test_heatmap import WORDS, make_session

    n = SYNC_ROWS + 60
    session = make_session("gru", hidden=6, layers=1,
                           text=" ".join(WORDS[i % 5] for i in range(n)))
    queue = JobQueue()
    runner = GradientRunner(session, queue, delay_ms=10_000)  # no front-to-back fill
    t = n - 10
    with qtbot.waitSignal(session.gradients_changed, timeout=20000):
        session.set_cursor(t)
    store = session.store(None)
    assert store.ready[t] and store.ready[t + 4] and not store.ready[SYNC_ROWS]
    expected = store.compute(t, t + 1)
    np.testing.assert_allclose(store.row(t).h, expected.h[:, 0, : t + 1], rtol=1e-6)
    runner.stop()
    queue.shutdown()


def test_run_blocking_ends_the_jobs_it_replaces(qtbot: Any, demo_model: LoadedModel) -> None:
    """A headless screenshot fills the stores on the GUI thread: the background jobs it cancels
    end as finished ones do, so the window's 'gradients 0%' bar does not stay up."""
    session = Session()
    session.set_model(demo_model)
    session.set_text(SENTENCE)
    queue = JobQueue()
    runner = GradientRunner(session, queue, delay_ms=0)
    busy: list[bool] = []
    runner.busy_changed.connect(busy.append)
    runner.start()
    assert runner.busy and busy[-1] is True
    busy.clear()
    with qtbot.waitSignal(runner.finished, timeout=20000):
        runner.run_blocking()
    assert not runner.busy and busy == [False] and runner.complete()
    qtbot.wait(50)  # the cancelled jobs' own ends say nothing more
    assert busy == [False]
    queue.shutdown()
