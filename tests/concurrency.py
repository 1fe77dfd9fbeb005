"""Run many sessions at once, as many people (or workers) would.

Each job runs in its own thread, hence its own database connection, and all are
released together by a barrier. On PostgreSQL the database makes them wait for each
other as in production. SQLite's in-memory test database is shared-cache, where a
locked table fails at once instead of waiting as the busy timeout makes the file
database of real use wait: there, and only there, `retrying` waits and tries again
(the failed transaction was rolled back whole). Waiting is bounded by time, not by a
number of tries, so that a loaded CI machine does not turn a wait into a failure.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

from django.db import OperationalError, connection, connections

PATIENCE_SECONDS = 90.0


def run_together(jobs: list[Callable[[], object]]) -> list[BaseException]:
    """Run every job in its own thread, all released at once; return what they raised."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def worker(job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=60)
            job()
        except BaseException as error:  # any failure, reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=PATIENCE_SECONDS + 60)
    assert not any(thread.is_alive() for thread in threads)
    return errors


def is_sqlite_lock(error: OperationalError) -> bool:
    return connection.vendor == "sqlite" and "locked" in str(error)


def retrying(action: Callable[[], object], waits: list[str]) -> Callable[[], object]:
    """A job that runs `action`, retried on SQLite's locked tables only; `waits` counts
    the retries (on PostgreSQL tests can require it to stay empty)."""

    def job() -> object:
        deadline = time.monotonic() + PATIENCE_SECONDS
        pause = 0.002
        while True:
            try:
                return action()
            except OperationalError as error:
                if not is_sqlite_lock(error) or time.monotonic() > deadline:
                    raise
                waits.append(str(error))
                # A growing, jittered pause, so that the waiting threads do not all
                # come back at the same instant and lock each other out again.
                time.sleep(pause * (1 + random.random()))  # noqa: S311 - not security
                pause = min(pause * 1.5, 0.05)

    return job
