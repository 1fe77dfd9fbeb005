"""Running the due jobs, each at most once at a time across every scheduler.

A run is claimed with one conditional UPDATE on the job's `PeriodicRun` row: it sets
`last_started` only if the row still holds the value this scheduler read. Of two
schedulers that read the same row, one UPDATE changes it and the other finds nothing
to change, on SQLite (one writer at a time) as on PostgreSQL (the second UPDATE waits
for the first to commit, then no longer matches). The job then runs outside any
transaction (each command makes its own) and its outcome is written on the row.

A failed run is recorded (`last_error`) and counts as a run: the job is due again at
its next cadence, and the other jobs run as usual.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from django.db import IntegrityError, transaction
from django.utils import timezone

from cercle.periodic import registry
from cercle.periodic.models import PeriodicRun
from cercle.periodic.registry import Job

logger = logging.getLogger("cercle.periodic")

Guard = Callable[[], AbstractContextManager[object]]

# How much of a failure's traceback the row keeps.
ERROR_CHARS = 4000
OUTPUT_CHARS = 1000


class Interrupted(BaseException):
    """Raised (by a signal handler) to stop a job midway: its claim is given back."""


class Status(Enum):
    DONE = "done"
    FAILED = "failed"
    NOT_DUE = "not due"
    BUSY = "running elsewhere"


@dataclass
class Outcome:
    job: Job
    status: Status
    output: str = ""
    error: str = ""
    seconds: float = 0.0


def run_of(name: str, now: datetime) -> PeriodicRun:
    """The job's row, created on its first use (first seen `now`)."""
    run = PeriodicRun.objects.filter(name=name).first()
    if run is not None:
        return run
    try:
        with transaction.atomic():
            return PeriodicRun.objects.create(name=name, first_seen=now)
    except IntegrityError:
        # Another scheduler created it at the same moment.
        return PeriodicRun.objects.get(name=name)


@dataclass(frozen=True)
class Claim:
    """A run this scheduler took: the row, when it began, and the start it replaced."""

    run: PeriodicRun
    started: datetime
    previous: datetime | None


def _died(job: Job, run: PeriodicRun, now: datetime) -> bool:
    """Began long ago and never finished: its process was killed."""
    return run.last_started is not None and now - run.last_started >= job.stale_after


def claim(job: Job, now: datetime, *, force: bool = False) -> Claim | Status:
    """Take the job's next run for this scheduler if it is due (or `force`) and nobody
    else runs it; otherwise say why not (NOT_DUE or BUSY)."""
    run = run_of(job.name, now)
    if run.is_running:
        if not _died(job, run, now):
            return Status.BUSY
    elif not force and not job.is_due(run.last_started, run.first_seen, now):
        return Status.NOT_DUE
    taken = PeriodicRun.objects.filter(pk=run.pk, last_started=run.last_started).update(
        last_started=now
    )
    if not taken:
        return Status.BUSY
    return Claim(run, now, run.last_started)


def execute(job: Job, claimed: Claim, *, while_running: Guard = nullcontext) -> Outcome:
    """Run a claimed job and write its outcome on its row. `while_running` surrounds
    the job itself, not the bookkeeping: where a stop request may interrupt it."""
    mine = PeriodicRun.objects.filter(pk=claimed.run.pk, last_started=claimed.started)
    try:
        with while_running():
            output = job.run()
    except Interrupted:
        # Nothing of a stopped job is half-done (each command writes in transactions
        # and is idempotent): hand the run back, so that it is due again at once.
        mine.update(last_started=claimed.previous)
        logger.warning("%s: stopped before its end; it will run again", job.name)
        raise
    except Exception:
        error = traceback.format_exc()
        logger.exception("%s failed", job.name)
        finished = timezone.now()
        mine.update(last_finished=finished, last_error=error[-ERROR_CHARS:], last_output="")
        return Outcome(job, Status.FAILED, error=error, seconds=_seconds(claimed, finished))
    finished = timezone.now()
    mine.update(last_finished=finished, last_error="", last_output=output[-OUTPUT_CHARS:])
    return Outcome(job, Status.DONE, output=output, seconds=_seconds(claimed, finished))


def _seconds(claimed: Claim, finished: datetime) -> float:
    return (finished - claimed.started).total_seconds()


def run_job(job: Job, *, force: bool = False, while_running: Guard = nullcontext) -> Outcome:
    """Claim and run one job if it is due (or `force`)."""
    claimed = claim(job, timezone.now(), force=force)
    if isinstance(claimed, Status):
        return Outcome(job, claimed)
    return execute(job, claimed, while_running=while_running)


def run_due(
    jobs: Iterable[Job] | None = None, *, while_running: Guard = nullcontext
) -> Iterator[Outcome]:
    """Run every due job, one after the other, each outcome given as it comes; a
    failure does not stop the others."""
    for job in registry.jobs() if jobs is None else jobs:
        yield run_job(job, while_running=while_running)


def next_due(jobs: Iterable[Job] | None = None) -> datetime | None:
    """When the next job is due (now, or earlier, if one is due already); None: no jobs."""
    now = timezone.now()
    listed = list(registry.jobs() if jobs is None else jobs)
    runs = {run.name: run for run in PeriodicRun.objects.filter(name__in=[j.name for j in listed])}
    moments = []
    for job in listed:
        run = runs.get(job.name)
        if run is None:
            moments.append(job.next_due(None, now))
        elif run.is_running and run.last_started is not None:
            # Running elsewhere: due again after it finishes (whoever wakes up then
            # sees it), or once it is taken for dead.
            moments.append(run.last_started + job.stale_after)
        else:
            moments.append(job.next_due(run.last_started, run.first_seen))
    return min(moments, default=None)
