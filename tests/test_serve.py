from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from cercle.management.commands.serve import Command as ServeCommand
from tests.cli import CERCLE, PROJECT_DIR, migrated_operator_env, operator_env, run_cercle
from tests.smtp import free_port


def make_run_demo_args() -> list[str]:
    """The options `make run` gives `cercle demo`, read from the Makefile."""
    for line in (PROJECT_DIR / "Makefile").read_text().splitlines():
        if line.startswith("DEMO_ARGS ?="):
            return line.split("=", 1)[1].split()
    raise AssertionError("the Makefile sets no DEMO_ARGS")


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - local URL
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _wait_until_up(url: str, process: subprocess.Popen[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[0]
        try:
            _get(url)
        except OSError:
            time.sleep(0.2)
            continue
        return
    raise AssertionError(f"{url} did not answer within {timeout} s")


# Tasks due now (the demo also plans some for later: publications, contest results;
# those wait for their time). django-tasks-db writes "no time set" as the year 9999.
DUE = "(run_after >= '9999-01-01' OR run_after <= strftime('%Y-%m-%d %H:%M:%f', 'now'))"


def _due_tasks(database: Path) -> list[tuple[str, str]]:
    """Each task due now: its id and status."""
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            f"SELECT id, status FROM django_tasks_database_dbtaskresult WHERE {DUE}"  # noqa: S608 - a constant
        ).fetchall()
    return [(str(task_id), status) for task_id, status in rows]


def _tasks_by_status(database: Path, among: set[str] | None = None) -> dict[str, int]:
    """Tasks due now (or those of `among`), counted by status."""
    statuses = [s for task_id, s in _due_tasks(database) if among is None or task_id in among]
    return {status: statuses.count(status) for status in set(statuses)}


def _ready_task_ids(database: Path) -> set[str]:
    return {task_id for task_id, status in _due_tasks(database) if status == "READY"}


def _wait_for_tasks_done(
    database: Path, process: subprocess.Popen[str], timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None
        if _tasks_by_status(database).get("READY", 0) == 0:
            return
        time.sleep(0.3)
    raise AssertionError(f"the worker left tasks waiting: {_tasks_by_status(database)}")


def _start_serve(env: dict[str, str], log: Path) -> tuple[int, subprocess.Popen[str]]:
    """`cercle serve` with one web worker on a free port, its output written to `log`:
    a pipe that nobody reads while it runs fills up, and the worker, printing the
    demo's emails, then blocks on it."""
    port = free_port()
    with log.open("w") as output:
        process = subprocess.Popen(
            [*CERCLE, "serve", "--bind", f"127.0.0.1:{port}", "--web-workers", "1"],
            env=env,
            cwd=PROJECT_DIR,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )
    return port, process


def test_serve_runs_the_site_and_the_worker_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    env = operator_env(tmp_path)
    demo = ["demo", "--if-empty", *make_run_demo_args()]
    for step in (["migrate", "--noinput"], ["collectstatic", "--noinput"], demo):
        result = run_cercle(*step, env=env)
        assert result.returncode == 0, result.stderr
    assert "alice@bikes.example" in result.stdout
    assert "Generated community 'pratiques-1'" in result.stdout
    # Loading the demo queued its emails (invitations, decisions) for the worker.
    database = tmp_path / "cercle.sqlite3"
    queued = _ready_task_ids(database)
    assert queued

    port, process = _start_serve(env, tmp_path / "serve.log")
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(base + "/healthz", process)
        status, body = _get(base + "/")
        assert status == 200
        assert b"Cultivate your communities of practice" in body
        # Static files come from WhiteNoise's compressed manifest, with cache busting.
        css_url = body.split(b'rel="stylesheet" href="')[1].split(b'"')[0].decode()
        assert css_url.startswith("/static/css/cercle.")
        assert css_url.endswith(".css")
        assert _get(base + css_url)[0] == 200
        assert _get(base + "/healthz") == (200, b'{"status": "ok", "database": "sqlite"}')
        # The worker beside the server sends what was queued.
        _wait_for_tasks_done(database, process)
        # (The scheduled jobs may queue more meanwhile, a daily one past midnight: only
        # the demo's are counted.)
        assert _tasks_by_status(database, queued) == {"SUCCESSFUL": len(queued)}
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
        output = (tmp_path / "serve.log").read_text()
    assert process.returncode == 0, output
    assert "Starting worker" in output
    assert "Cercle stopped." in output
    assert _processes_mentioning(f"127.0.0.1:{port}") == []


# Run by `cercle shell` in the operator's database: a community and a post planned
# through the animation actions, two seconds ahead. The immediate task backend cannot
# wait, so no wake-up is queued for the worker: only the scheduled jobs can publish it.
PLAN_A_POST = """
from datetime import timedelta
from django.utils import timezone
from cercle.animation.actions import do_plan_post
from tests.communities import community, make_person

claire = make_person("claire@example.org", "Claire Coord")
general = community(claire).spaces.get(is_default=True)
post = do_plan_post(
    claire, general, topic_kind="discussion", title="Ride to the coast on Sunday",
    body="Who comes?", publish_at=timezone.now() + timedelta(seconds=2),
)
print(post.publish_at.timestamp())
"""


def _query(database: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database) as connection:
        return connection.execute(sql).fetchall()


def test_serve_alone_publishes_planned_posts_and_fills_the_count_tables(
    tmp_path: Path, migrated_sqlite: Path
) -> None:
    """No cron: `cercle serve` runs the scheduled jobs beside the site and the worker."""
    env = migrated_operator_env(migrated_sqlite, tmp_path)
    immediate = {**env, "CERCLE_TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    planned = run_cercle("shell", "-c", PLAN_A_POST, env=immediate)
    assert planned.returncode == 0, planned.stderr
    database = tmp_path / "cercle.sqlite3"
    assert _query(database, "SELECT published_at FROM animation_plannedpost") == [(None,)]
    assert _query(database, "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult") == [(0,)]
    assert _query(database, "SELECT COUNT(*) FROM analytics_communityday") == [(0,)]
    # Its time comes while nothing runs.
    time.sleep(max(0.0, float(planned.stdout.split()[-1]) - time.time() + 0.1))

    port, process = _start_serve(env, tmp_path / "serve.log")
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert process.poll() is None
            filled = _query(database, "SELECT last_event_id FROM analytics_fillstate")
            published = _query(
                database, "SELECT COUNT(*) FROM animation_plannedpost WHERE published_at NOT NULL"
            )
            if published == [(1,)] and filled and filled[0][0] > 0:
                break
            time.sleep(0.3)
        else:
            raise AssertionError("the scheduled jobs did not publish the post and fill in time")
        topics = _query(database, "SELECT title FROM conversations_topic")
        assert topics == [("Ride to the coast on Sunday",)]
        # The fill counted the community's events into its count tables.
        assert _query(database, "SELECT COUNT(*) FROM analytics_communityday")[0][0] > 0
        runs = dict(_query(database, "SELECT name, last_error FROM periodic_periodicrun"))
        assert runs["publish-due"] == ""
        assert runs["analytics-fill"] == ""
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        output = (tmp_path / "serve.log").read_text()
    assert process.returncode == 0, output
    assert "publish-due: 1 item(s) published." in output
    assert "Scheduled jobs stopped." in output
    assert "Cercle stopped." in output
    assert _processes_mentioning(f"127.0.0.1:{port}") == []


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            command = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in command:
            found.append(command)
    return found


def test_demo_refuses_a_database_that_already_has_people(
    tmp_path: Path, migrated_sqlite: Path
) -> None:
    env = migrated_operator_env(migrated_sqlite, tmp_path)
    assert run_cercle("demo", env=env).returncode == 0
    again = run_cercle("demo", env=env)
    assert again.returncode != 0
    assert "already has people" in again.stderr
    quiet = run_cercle("demo", "--if-empty", env=env)
    assert quiet.returncode == 0
    assert "Demo loaded" not in quiet.stdout


def test_serve_starts_the_mail_receiver_beside_the_others_only_when_it_is_configured(
    settings: Any,
) -> None:
    parser = ServeCommand().create_parser("cercle", "serve")

    def started(*args: str) -> dict[str, list[str]]:
        return ServeCommand().commands(vars(parser.parse_args(list(args))))

    settings.MAIL_IN_BIND, settings.MAIL_IN_IMAP = "", ""
    assert list(started()) == ["web", "tasks", "periodic"]
    settings.MAIL_IN_BIND = "127.0.0.1:2525"
    assert started()["mail-in"] == [sys.executable, "-m", "cercle", "mail-in"]
    assert "mail-in" not in started("--no-mail-in")
