"""`cercle periodic`: run every scheduled job when its cadence says."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, close_old_connections, connections
from django.utils import timezone

from cercle.periodic import registry, runner
from cercle.periodic.models import PeriodicRun
from cercle.periodic.runner import Outcome, Status

# The scheduler looks at the jobs' rows at least this often (seconds), so that it sees
# what another scheduler did, and a clock change, soon enough.
LONGEST_SLEEP = 60.0


class StopRequests:
    """Ctrl-C or SIGTERM: stop after the current job, or during it when it may be
    interrupted (the job's claim is then given back; each job is idempotent)."""

    def __init__(self) -> None:
        self.requested = False
        self._armed = False

    @contextmanager
    def installed(self) -> Iterator[None]:
        previous = {
            number: signal.signal(number, self._handle)
            for number in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            yield
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True
        if self._armed:
            self._armed = False
            raise runner.Interrupted

    @contextmanager
    def interruptible(self) -> Iterator[None]:
        if self.requested:
            raise runner.Interrupted
        self._armed = True
        try:
            yield
        finally:
            self._armed = False

    def sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.requested and (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, 0.5))


def _fresh_connections() -> None:
    """Drop the connections that are too old or broken, as Django does around each
    request; never inside a transaction (a test's), where closing would break it."""
    if not any(c.in_atomic_block for c in connections.all(initialized_only=True)):
        close_old_connections()


def _when(moment: datetime | None) -> str:
    return "never" if moment is None else f"{timezone.localtime(moment):%Y-%m-%d %H:%M:%S}"


def _one_line(text: str) -> str:
    return " / ".join(line.strip() for line in text.splitlines() if line.strip())


class Command(BaseCommand):
    help = (
        "Run every scheduled job when its cadence says: the count-table fill, the "
        "publishing of planned items, event reminders, rituals, contest results, "
        "badges, notification summaries and digests (`--list` shows them all). Without "
        "an option it runs until Ctrl-C or SIGTERM, sleeping until the next job is due; "
        "`cercle serve` runs it beside the web server. Each job's last run is kept in "
        "the database, so a restart does not run a job early and two schedulers never "
        "run the same job at once: a crontab line `cercle periodic --once` every minute "
        "or five is the alternative to keeping it running. Each job is also a command "
        "of its own, shown by `--list`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        what = parser.add_mutually_exclusive_group()
        what.add_argument(
            "--once",
            action="store_true",
            help="Run the jobs that are due, then exit (for cron); the exit status is 1 "
            "if one of them failed.",
        )
        what.add_argument(
            "--list",
            action="store_true",
            help="Show each job: its cadence, its command, its last run and when it is due next.",
        )
        what.add_argument(
            "--run",
            metavar="NAME",
            help="Run this job now, due or not (unless it is running elsewhere).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = options["verbosity"]
        if options["list"]:
            self._list()
            return
        stops = StopRequests()
        with stops.installed():
            self._handle_running(options, stops)

    def _handle_running(self, options: dict[str, Any], stops: StopRequests) -> None:
        try:
            if options["run"]:
                self._run_one(options["run"], stops)
            elif options["once"]:
                self._once(stops)
            else:
                self._loop(stops)
        except runner.Interrupted:
            self.stdout.write("Scheduled jobs stopped.")

    def _list(self) -> None:
        runs = {run.name: run for run in PeriodicRun.objects.all()}
        now = timezone.now()
        for job in registry.jobs():
            run = runs.get(job.name)
            last = run.last_started if run else None
            self.stdout.write(f"{job.name}: {job.cadence}, runs `{job.command_line}`")
            if run is None or last is None:
                self.stdout.write("  last run: never")
            else:
                if run.is_running:
                    state = f"running since {_when(last)}"
                elif run.last_error:
                    state = f"failed: {run.last_error.strip().splitlines()[-1]}"
                else:
                    state = f"ok: {_one_line(run.last_output) or '(nothing printed)'}"
                finished = _when(run.last_finished)
                self.stdout.write(f"  last run: {_when(last)} to {finished}, {state}")
            due = job.next_due(last, run.first_seen if run else now)
            self.stdout.write(f"  next: {'now' if due <= now else _when(due)}")

    def _run_one(self, name: str, stops: StopRequests) -> None:
        job = next((job for job in registry.jobs() if job.name == name), None)
        if job is None:
            names = ", ".join(job.name for job in registry.jobs())
            raise CommandError(f"No scheduled job is named {name!r}. The jobs: {names}.")
        outcome = runner.run_job(job, force=True, while_running=stops.interruptible)
        if outcome.status is Status.BUSY:
            raise CommandError(f"{name} is running elsewhere; try again when it is done.")
        self._tell(outcome)
        if outcome.status is Status.FAILED:
            raise CommandError(f"{name} failed.")

    def _once(self, stops: StopRequests) -> None:
        outcomes = []
        for outcome in runner.run_due(while_running=stops.interruptible):
            self._tell(outcome)
            outcomes.append(outcome)
        failed = [o.job.name for o in outcomes if o.status is Status.FAILED]
        if failed:
            raise CommandError(f"{len(failed)} job(s) failed: {', '.join(failed)}.")

    def _loop(self, stops: StopRequests) -> None:
        if self.verbosity:
            self.stdout.write("Running the scheduled jobs (Ctrl-C stops).")
        while not stops.requested:
            _fresh_connections()
            try:
                for outcome in runner.run_due(while_running=stops.interruptible):
                    self._tell(outcome)
                wake = runner.next_due()
            except DatabaseError as error:
                # The database restarting, or locked too long: not a reason to stop the
                # site (`cercle serve` stops everything when one of its processes ends).
                self.stderr.write(
                    f"{_when(timezone.now())} the scheduler could not use "
                    f"the database ({error}); it tries again in a minute."
                )
                wake = None
            _fresh_connections()
            seconds = LONGEST_SLEEP
            if wake is not None:
                seconds = (wake - timezone.now()).total_seconds()
            # At least a second: a job due but taken by another scheduler is not polled.
            stops.sleep(min(max(seconds, 1.0), LONGEST_SLEEP))
        self.stdout.write("Scheduled jobs stopped.")

    def _tell(self, outcome: Outcome) -> None:
        stamp = f"{timezone.localtime():%Y-%m-%d %H:%M:%S}"
        name = outcome.job.name
        if outcome.status is Status.FAILED:
            last_line = outcome.error.strip().splitlines()[-1]
            self.stderr.write(f"{stamp} {name} failed: {last_line}")
        elif outcome.status is Status.DONE and self.verbosity:
            said = _one_line(outcome.output) or "done"
            self.stdout.write(f"{stamp} {name}: {said} ({outcome.seconds:.1f} s)")
        elif self.verbosity > 1:
            self.stdout.write(f"{stamp} {name}: {outcome.status.value}")
