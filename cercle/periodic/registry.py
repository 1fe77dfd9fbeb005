"""What runs on a schedule: jobs, their cadences, and the registry the apps fill.

An app declares its jobs in its `periodic.py` module:

    from cercle.periodic.registry import Every, Job, register

    register(Job("publish-due", Every(minutes=1), ("publish_due",)))

A job is a management command (with its arguments) that is idempotent: running it
twice, or late, does no harm. Its cadence says when it is due again after a run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from io import StringIO
from typing import Protocol

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


class Cadence(Protocol):
    def first_due(self, seen: datetime) -> datetime:
        """When a job that never ran is due, the scheduler having first seen it at `seen`."""
        ...

    def next_after(self, moment: datetime) -> datetime:
        """The first moment after a run started at `moment` when the job is due again."""
        ...


@dataclass(frozen=True, init=False)
class Every:
    """Due again once `interval` has passed since the last run began."""

    interval: timedelta

    def __init__(self, *, minutes: int = 0, hours: int = 0) -> None:
        interval = timedelta(minutes=minutes, hours=hours)
        if interval <= timedelta(0):
            raise ValueError("A cadence needs a positive interval.")
        object.__setattr__(self, "interval", interval)

    def first_due(self, seen: datetime) -> datetime:
        return seen  # at once

    def next_after(self, moment: datetime) -> datetime:
        return moment + self.interval

    def __str__(self) -> str:
        minutes = int(self.interval.total_seconds() // 60)
        if minutes % 60 == 0:
            hours = minutes // 60
            return "every hour" if hours == 1 else f"every {hours} hours"
        return "every minute" if minutes == 1 else f"every {minutes} minutes"


def _at(day: datetime, at: time) -> datetime:
    """`at` o'clock on `day`'s date, on the instance's clock (CERCLE_TIME_ZONE)."""
    return timezone.make_aware(datetime.combine(day.date(), at))


class AtTheHour:
    """A cadence of moments on the calendar: a job that never ran waits for the next
    one (a fresh install does not send last week's digest on its first start)."""

    def next_after(self, moment: datetime) -> datetime:
        raise NotImplementedError

    def first_due(self, seen: datetime) -> datetime:
        return self.next_after(seen)


@dataclass(frozen=True)
class Daily(AtTheHour):
    """Due every day at `at` on the instance's clock (CERCLE_TIME_ZONE)."""

    at: time

    def next_after(self, moment: datetime) -> datetime:
        local = timezone.localtime(moment)
        due = _at(local, self.at)
        if due <= moment:
            due = _at(local + timedelta(days=1), self.at)
        return due

    def __str__(self) -> str:
        return f"every day at {self.at:%H:%M} ({settings.TIME_ZONE})"


@dataclass(frozen=True)
class Weekly(AtTheHour):
    """Due every week on `weekday` (0 is Monday) at `at` on the instance's clock."""

    weekday: int
    at: time

    def next_after(self, moment: datetime) -> datetime:
        local = timezone.localtime(moment)
        ahead = (self.weekday - local.weekday()) % 7
        due = _at(local + timedelta(days=ahead), self.at)
        if due <= moment:
            due = _at(local + timedelta(days=ahead + 7), self.at)
        return due

    def __str__(self) -> str:
        return f"every {WEEKDAYS[self.weekday]} at {self.at:%H:%M} ({settings.TIME_ZONE})"


@dataclass(frozen=True)
class Job:
    """A management command run on a cadence. `stale_after`: a run that began this
    long ago without finishing is taken for dead (its process was killed), and the
    job may be claimed again."""

    name: str
    cadence: Cadence
    command: tuple[str, ...]
    stale_after: timedelta = field(default=timedelta(hours=1))

    def next_due(self, last_started: datetime | None, first_seen: datetime) -> datetime:
        """When the job is due, given when its last run began (None: it never ran)
        and when the scheduler first saw it."""
        if last_started is None:
            return self.cadence.first_due(first_seen)
        return self.cadence.next_after(last_started)

    def is_due(self, last_started: datetime | None, first_seen: datetime, now: datetime) -> bool:
        return self.next_due(last_started, first_seen) <= now

    @property
    def command_line(self) -> str:
        return " ".join(["cercle", *self.command])

    def run(self) -> str:
        """Run the command; return what it printed."""
        output = StringIO()
        call_command(*self.command, stdout=output)
        return output.getvalue().strip()


_JOBS: dict[str, Job] = {}


def register(job: Job) -> Job:
    """Add `job` to the jobs `cercle periodic` runs; names are unique."""
    known = _JOBS.get(job.name)
    if known is not None and known != job:
        raise ValueError(f"Two scheduled jobs are named {job.name!r}.")
    _JOBS[job.name] = job
    return job


def jobs() -> Iterable[Job]:
    """Every registered job, in the order the apps come in INSTALLED_APPS (so the
    count tables, read last, count what the jobs before them did)."""
    return list(_JOBS.values())
