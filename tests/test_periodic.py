"""`cercle periodic`: every scheduled job by its own cadence, remembered in the database,
at most once at a time across schedulers, a failure recorded without stopping the rest.

tests/test_serve.py shows `cercle serve` alone running the real jobs."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from io import StringIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError

from cercle.periodic import registry, runner
from cercle.periodic.management.commands.periodic import Command as PeriodicCommand
from cercle.periodic.management.commands.periodic import StopRequests
from cercle.periodic.models import PeriodicRun
from cercle.periodic.registry import Daily, Every, Job, Weekly
from cercle.periodic.runner import Claim, Status
from tests.cli import PROJECT_DIR
from tests.concurrency import PATIENCE_SECONDS, retrying, run_together

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
MONDAY = 0
# A Tuesday, 15:00 in Paris.
TUESDAY = datetime(2026, 3, 3, 14, 0, tzinfo=UTC)


def _done() -> str:
    return "done"


@dataclass(frozen=True)
class FakeJob(Job):
    """A job that calls a Python function instead of a management command."""

    action: Callable[[], str] = field(default=_done, compare=False)

    def run(self) -> str:
        return self.action()


def job(name: str, cadence: Any = None, action: Callable[[], str] = _done) -> FakeJob:
    return FakeJob(name, cadence or Every(minutes=5), (name,), action=action)


def counting(ran: list[str], name: str) -> Callable[[], str]:
    def action() -> str:
        ran.append(name)
        return f"{name} did its work"

    return action


def statuses(outcomes: Iterable[runner.Outcome]) -> dict[str, Status]:
    return {outcome.job.name: outcome.status for outcome in outcomes}


@pytest.fixture
def only(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Make `cercle periodic` see only the given jobs."""

    def use(*jobs: Job) -> None:
        monkeypatch.setattr(registry, "_JOBS", {j.name: j for j in jobs})

    return use


def periodic(*args: str) -> str:
    out = StringIO()
    call_command("periodic", *args, stdout=out, stderr=out)
    return out.getvalue()


# --- Cadences ---------------------------------------------------------------------


def test_a_job_that_never_ran_is_due_at_once_then_again_after_its_interval() -> None:
    ran: list[str] = []
    fill = job("fill", Every(minutes=5), counting(ran, "fill"))
    with time_machine.travel(TUESDAY, tick=False):
        assert statuses(runner.run_due([fill])) == {"fill": Status.DONE}
    with time_machine.travel(TUESDAY + timedelta(minutes=4, seconds=59), tick=False):
        assert statuses(runner.run_due([fill])) == {"fill": Status.NOT_DUE}
    with time_machine.travel(TUESDAY + timedelta(minutes=5), tick=False):
        assert statuses(runner.run_due([fill])) == {"fill": Status.DONE}
    assert ran == ["fill", "fill"]
    row = PeriodicRun.objects.get(name="fill")
    assert row.last_started == TUESDAY + timedelta(minutes=5)
    assert row.last_finished == TUESDAY + timedelta(minutes=5)
    assert row.last_output == "fill did its work"
    assert row.last_error == ""


def test_a_new_job_runs_on_the_first_pass_on_the_real_clock() -> None:
    ran: list[str] = []
    assert statuses(runner.run_due([job("fill", action=counting(ran, "fill"))])) == {
        "fill": Status.DONE
    }
    assert ran == ["fill"]


def test_a_daily_job_runs_at_its_hour_on_the_instance_clock_once_a_day() -> None:
    ran: list[str] = []
    summaries = job("summaries", Daily(at=time(7, 0)), counting(ran, "summaries"))
    seven_wednesday = datetime(2026, 3, 4, 7, 0, tzinfo=PARIS)
    seven_thursday = seven_wednesday + timedelta(days=1)
    for moment, expected in [
        # Never ran: it waits for its hour (a fresh install sends no summary at start).
        (TUESDAY, Status.NOT_DUE),
        (TUESDAY + timedelta(hours=8), Status.NOT_DUE),  # 23:00 the same day
        (seven_wednesday - timedelta(seconds=1), Status.NOT_DUE),
        (seven_wednesday + timedelta(seconds=30), Status.DONE),
        (seven_wednesday + timedelta(hours=12), Status.NOT_DUE),
        (seven_thursday - timedelta(seconds=1), Status.NOT_DUE),
        # Late (the machine was off at 7:00): once, as soon as it can.
        (seven_thursday + timedelta(hours=3), Status.DONE),
        (seven_thursday + timedelta(hours=4), Status.NOT_DUE),
    ]:
        with time_machine.travel(moment, tick=False):
            assert statuses(runner.run_due([summaries])) == {"summaries": expected}, moment
    assert len(ran) == 2


def test_a_daily_cadence_keeps_its_hour_across_a_daylight_saving_change() -> None:
    # Paris moves from UTC+1 to UTC+2 in the night of 28 to 29 March 2026.
    saturday = datetime(2026, 3, 28, 7, 0, tzinfo=PARIS)
    after = Daily(at=time(7, 0)).next_after(saturday)
    assert after == datetime(2026, 3, 29, 7, 0, tzinfo=PARIS)
    assert after.astimezone(UTC) - saturday.astimezone(UTC) == timedelta(hours=23)


def test_a_weekly_job_is_due_on_its_day_and_hour() -> None:
    weekly = Weekly(weekday=MONDAY, at=time(7, 0))
    monday = datetime(2026, 3, 2, 7, 0, tzinfo=PARIS)
    assert weekly.next_after(TUESDAY) == monday + timedelta(days=7)
    assert weekly.next_after(monday - timedelta(minutes=1)) == monday
    assert weekly.next_after(monday) == monday + timedelta(days=7)
    assert str(weekly) == "every Monday at 07:00 (Europe/Paris)"
    assert str(Every(minutes=15)) == "every 15 minutes"
    assert str(Every(hours=1)) == "every hour"


def test_last_runs_are_kept_in_the_database_so_a_restart_runs_nothing_early(
    only: Callable[..., None],
) -> None:
    ran: list[str] = []
    only(job("fill", Every(minutes=5), counting(ran, "fill")))
    with time_machine.travel(TUESDAY, tick=False):
        first = periodic("--once")
    # A new process (a restart) reads the same rows.
    with time_machine.travel(TUESDAY + timedelta(minutes=1), tick=False):
        second = periodic("--once", "--verbosity", "2")
    assert ran == ["fill"]
    assert "fill: fill did its work" in first
    assert "fill: not due" in second


# --- One run at a time --------------------------------------------------------------


def test_a_job_running_elsewhere_is_not_started_again_even_when_forced() -> None:
    digest = job("digest", Every(minutes=1))
    with time_machine.travel(TUESDAY, tick=False):
        claimed = runner.claim(digest, TUESDAY)
    assert isinstance(claimed, Claim)
    later = TUESDAY + timedelta(minutes=30)
    assert runner.claim(digest, later) is Status.BUSY
    assert runner.claim(digest, later, force=True) is Status.BUSY
    runner.execute(digest, claimed)
    assert isinstance(runner.claim(digest, later), Claim)


def test_two_schedulers_that_read_the_same_row_cannot_both_claim_the_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fill = job("fill")
    with time_machine.travel(TUESDAY, tick=False):
        seen = runner.run_of("fill", TUESDAY)  # both schedulers read it before either claims
    stale = PeriodicRun.objects.get(pk=seen.pk)
    assert isinstance(runner.claim(fill, TUESDAY), Claim)
    monkeypatch.setattr(runner, "run_of", lambda name, now: stale)
    assert stale.last_started is None  # what the second one believes
    assert runner.claim(fill, TUESDAY) is Status.BUSY
    assert PeriodicRun.objects.get(name="fill").last_started == TUESDAY


@pytest.mark.django_db(transaction=True)
def test_schedulers_woken_together_run_a_due_job_exactly_once() -> None:
    ran: list[str] = []
    outcomes: list[runner.Outcome] = []
    waits: list[str] = []
    others_answered = threading.Event()

    def fill_once_the_others_are_turned_away() -> str:
        # The claim is what is under test. The winner writes its outcome only after
        # the five others have been turned away: on SQLite's shared in-memory database
        # a write racing another would fail at once (not wait, as the busy timeout
        # makes it in real use), and retrying the whole scheduler would then read a
        # job that ran but was not written as done.
        ran.append("fill")
        others_answered.wait(timeout=PATIENCE_SECONDS)
        return "fill did its work"

    fill = job("fill", Every(minutes=5), fill_once_the_others_are_turned_away)
    runner.run_of("fill", TUESDAY)

    def scheduler() -> object:
        outcome = runner.run_job(fill)
        outcomes.append(outcome)
        if sum(o.status is Status.BUSY for o in outcomes) == 5:
            others_answered.set()
        return outcome

    assert run_together([retrying(scheduler, waits) for _ in range(6)]) == []
    assert ran == ["fill"]
    assert sum(outcome.status is Status.DONE for outcome in outcomes) == 1


def test_a_run_whose_process_died_is_taken_back_after_a_while() -> None:
    fill = job("fill", Every(minutes=5))  # stale after an hour
    with time_machine.travel(TUESDAY, tick=False):
        runner.run_of("fill", TUESDAY)
    assert isinstance(runner.claim(fill, TUESDAY), Claim)  # ...and the process is killed
    assert runner.claim(fill, TUESDAY + timedelta(minutes=59)) is Status.BUSY
    assert isinstance(runner.claim(fill, TUESDAY + timedelta(minutes=61)), Claim)


def test_a_job_stopped_midway_gives_its_run_back_to_run_again(only: Callable[..., None]) -> None:
    def stopped() -> str:
        raise runner.Interrupted

    fill = job("fill", Every(minutes=5), stopped)
    only(fill)
    with time_machine.travel(TUESDAY, tick=False):
        out = periodic("--once")
    assert "Scheduled jobs stopped." in out
    row = PeriodicRun.objects.get(name="fill")
    assert row.last_started is None
    assert not row.is_running
    assert fill.is_due(row.last_started, row.first_seen, TUESDAY)


# --- Failures -------------------------------------------------------------------------


def test_a_failing_job_is_recorded_and_the_others_still_run(only: Callable[..., None]) -> None:
    ran: list[str] = []

    def broken() -> str:
        ran.append("digests")
        raise RuntimeError("the mail server is down")

    only(job("digests", Every(minutes=5), broken), job("fill", action=counting(ran, "fill")))
    with time_machine.travel(TUESDAY, tick=False), pytest.raises(CommandError) as refused:
        periodic("--once")
    assert str(refused.value) == "1 job(s) failed: digests."
    assert ran == ["digests", "fill"]
    digests = PeriodicRun.objects.get(name="digests")
    assert "RuntimeError: the mail server is down" in digests.last_error
    assert digests.last_finished == TUESDAY
    assert PeriodicRun.objects.get(name="fill").last_error == ""
    # A failure counts as a run: no retry at every pass, but at the next cadence.
    with time_machine.travel(TUESDAY + timedelta(minutes=1), tick=False):
        assert periodic("--once") == ""
    with (
        time_machine.travel(TUESDAY + timedelta(minutes=5), tick=False),
        pytest.raises(CommandError),
    ):
        periodic("--once")
    assert ran == ["digests", "fill", "digests", "fill"]


# --- The command ----------------------------------------------------------------------


def test_list_shows_each_job_with_its_cadence_command_and_last_run(
    only: Callable[..., None],
) -> None:
    def broken() -> str:
        raise RuntimeError("the mail server is down")

    only(
        job("digests", Daily(at=time(7, 0)), broken),
        job("fill", Every(minutes=5)),
        job("rituals", Every(hours=1)),
    )
    with time_machine.travel(TUESDAY, tick=False):
        for name in ("digests", "fill"):
            runner.run_job(registry._JOBS[name], force=True)
        listed = periodic("--list")
    assert listed.splitlines() == [
        "digests: every day at 07:00 (Europe/Paris), runs `cercle digests`",
        "  last run: 2026-03-03 15:00:00 to 2026-03-03 15:00:00, "
        "failed: RuntimeError: the mail server is down",
        "  next: 2026-03-04 07:00:00",
        "fill: every 5 minutes, runs `cercle fill`",
        "  last run: 2026-03-03 15:00:00 to 2026-03-03 15:00:00, ok: done",
        "  next: 2026-03-03 15:05:00",
        "rituals: every hour, runs `cercle rituals`",
        "  last run: never",
        "  next: now",
    ]


def test_the_loop_runs_what_is_due_then_sleeps_until_the_next_job_is_due(
    only: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[str] = []
    only(job("fill", Every(minutes=5), counting(ran, "fill")), job("other", Every(hours=1)))
    with time_machine.travel(TUESDAY - timedelta(minutes=4, seconds=30), tick=False):
        list(runner.run_due([registry._JOBS["fill"]]))
    slept: list[float] = []

    def sleep(stops: StopRequests, seconds: float) -> None:
        slept.append(seconds)
        stops.requested = True  # Ctrl-C while it sleeps

    monkeypatch.setattr(StopRequests, "sleep", sleep)
    with time_machine.travel(TUESDAY, tick=False):
        out = periodic()
    assert ran == ["fill"]  # not due again yet
    assert "other: done" in out
    assert slept == [30.0]  # until the fill is due
    assert out.splitlines()[-1] == "Scheduled jobs stopped."


def test_the_loop_outlives_a_database_it_cannot_reach(
    only: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    only(job("fill"))

    def unreachable(*args: object, **kwargs: object) -> list[runner.Outcome]:
        raise OperationalError("server closed the connection unexpectedly")

    slept: list[float] = []

    def sleep(stops: StopRequests, seconds: float) -> None:
        slept.append(seconds)
        stops.requested = True

    monkeypatch.setattr(runner, "run_due", unreachable)
    monkeypatch.setattr(StopRequests, "sleep", sleep)
    out = periodic()
    assert "the scheduler could not use the database (server closed the connection" in out
    assert slept == [60.0]


def test_run_forces_one_job_that_is_not_due(only: Callable[..., None]) -> None:
    ran: list[str] = []
    only(job("fill", Every(hours=1), counting(ran, "fill")), job("other"))
    with time_machine.travel(TUESDAY, tick=False):
        periodic("--once")
    with time_machine.travel(TUESDAY + timedelta(minutes=1), tick=False):
        out = periodic("--run", "fill")
    assert ran == ["fill", "fill"]
    assert "fill: fill did its work" in out
    assert PeriodicRun.objects.get(name="fill").last_started == TUESDAY + timedelta(minutes=1)
    assert PeriodicRun.objects.get(name="other").last_started == TUESDAY
    with pytest.raises(
        CommandError, match=r"No scheduled job is named 'nope'\. The jobs: fill, other\."
    ):
        periodic("--run", "nope")


def test_two_jobs_cannot_share_a_name() -> None:
    registry.register(job("twin-for-test"))
    try:
        with pytest.raises(ValueError, match="Two scheduled jobs are named 'twin-for-test'"):
            registry.register(job("twin-for-test", Every(hours=1)))
    finally:
        del registry._JOBS["twin-for-test"]


def test_every_periodic_command_is_a_registered_job_run_by_the_real_scheduler() -> None:
    commands = {job.command[0] for job in registry.jobs()}
    # The operator's commands that are not scheduled: one-off, interactive, or long-running
    # beside the server (`mail-in`, the mail receiver).
    one_off = {"import", "demo", "serve", "periodic", "mail_in"}
    found = {
        path.stem
        for path in (PROJECT_DIR / "cercle").glob("**/management/commands/*.py")
        if path.stem != "__init__"
    }
    assert found - one_off == commands
    names = [job.name for job in registry.jobs()]
    assert names[-1] == "analytics-fill"  # counts what the jobs before it did
    assert set(names) == {
        "forget-form-tokens",
        "forget-security-events",
        "forget-unpublished-files",
        "notification-emails-daily",
        "notification-emails-weekly",
        "digests-daily",
        "digests-weekly",
        "publish-due",
        "contest-results",
        "event-reminders",
        "plan-rituals",
        "award-badges",
        "expire-data-exports",
        "forget-oauth-tokens",
        "mail-in-retry",
        "webhooks-retry",
        "webhooks-close-polls",
        "forget-received-mail",
        "analytics-fill",
    }
    # The real jobs on an empty database: at the first start, those that run every so
    # often; the morning mail and the rituals wait for their hour.
    on_the_calendar = {
        "forget-form-tokens",
        "forget-security-events",
        "forget-unpublished-files",
        "notification-emails-daily",
        "notification-emails-weekly",
        "digests-daily",
        "digests-weekly",
        "plan-rituals",
        "expire-data-exports",
        "forget-oauth-tokens",
        "forget-received-mail",
    }
    with time_machine.travel(TUESDAY, tick=False):
        first = periodic("--once")
    monday = datetime(2026, 3, 9, 7, 0, 30, tzinfo=PARIS)
    with time_machine.travel(monday, tick=False):
        second = periodic("--once")
    for name in names:
        ran_first = re.search(rf"^2026-03-03 15:00:00 {name}: .+ \(\d+\.\d s\)$", first, re.M)
        assert bool(ran_first) is (name not in on_the_calendar), name
        assert re.search(rf"^2026-03-09 07:00:30 {name}: .+ \(\d+\.\d s\)$", second, re.M), name
    assert "publish-due: 0 item(s) published." in first
    assert PeriodicRun.objects.filter(last_error="", last_finished=monday).count() == len(names)


def test_the_help_explains_the_modes_and_the_crontab_alternative(
    capsys: pytest.CaptureFixture[str],
) -> None:
    PeriodicCommand().print_help("cercle", "periodic")
    text = " ".join(capsys.readouterr().out.split())
    for option in ("--once", "--list", "--run NAME"):
        assert option in text
    assert "cercle serve" in text
    assert "crontab" in text
    assert Path(PROJECT_DIR / "README.md").read_text().count("cercle periodic --once") >= 1
