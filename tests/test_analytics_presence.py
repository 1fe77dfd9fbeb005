"""A member's visits are recorded once a day, for the levels of participation."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cercle.accounts.models import User
from cercle.activity.models import ActivityEvent, Presence
from cercle.activity.presence import ACTIVE_MEMBER, note_visit
from cercle.communities.models import Status
from tests.cli import PROJECT_DIR, operator_env
from tests.communities import client_for, community, html, join


def writes(queries: CaptureQueriesContext) -> list[str]:
    """The tables the captured queries wrote to."""
    written = re.compile(r'^\s*(?:INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', re.IGNORECASE)
    found = (written.match(query["sql"]) for query in queries.captured_queries)
    return sorted(match.group(1) for match in found if match)


def test_a_member_first_page_of_the_day_records_one_visit(
    settings: Any, coordinator: User, alice: User, charlie: User
) -> None:
    settings.CERCLE_RECORD_PRESENCE = True
    cargo = community(coordinator)
    join(alice, cargo)
    landing = reverse("community", args=["cargo"])
    with time_machine.travel("2026-05-04 09:00Z", tick=False):
        client = client_for(alice)
        # (Counted at once: the next request empties Django's log of queries.)
        with CaptureQueriesContext(connection) as first:
            html(client, landing)
        first_writes = writes(first)
        with CaptureQueriesContext(connection) as second:
            html(client, landing)
        second_count, second_writes = len(second), writes(second)
        html(client, reverse("space", args=["cargo", "general"]))
        # A non-member reading a public community is not a member's presence.
        html(client_for(charlie), landing)
    # On the first page of the day, the day's presence and its event, in one
    # transaction (a savepoint inside the test's), and the cache's note of it;
    # nothing written after.
    assert second_count > 5
    assert first_writes == ["activity_presence", "analytics_activityevent", "cercle_cache"]
    assert second_writes == []
    with time_machine.travel("2026-05-05 08:00Z", tick=False):
        html(client, landing)
    events = ActivityEvent.objects.filter(verb="community.visited")
    assert events.count() == 2
    assert set(events.values_list("actor_id", flat=True)) == {alice.pk}
    assert sorted(e.created_at.day for e in events) == [4, 5]
    assert set(events.values_list("community_id", flat=True)) == {cargo.pk}


def test_no_visit_is_recorded_when_turned_off_or_on_other_pages(
    settings: Any, coordinator: User, alice: User
) -> None:
    cargo = community(coordinator)
    join(alice, cargo)
    client = client_for(alice)
    html(client, reverse("community", args=["cargo"]))  # turned off (the tests' default)
    settings.CERCLE_RECORD_PRESENCE = True
    html(client, reverse("home"))
    assert not ActivityEvent.objects.filter(verb="community.visited").exists()
    html(client, reverse("community", args=["cargo"]))
    assert ActivityEvent.objects.filter(verb="community.visited", actor=alice).count() == 1


def test_a_worker_that_never_saw_the_visit_writes_no_second_one(
    coordinator: User, alice: User, charlie: User
) -> None:
    cargo = community(coordinator)
    join(alice, cargo)
    with time_machine.travel("2026-05-04 09:00Z", tick=False):
        assert note_visit(alice.pk, "cargo") is True
        cache.clear()  # another worker: its memory has not seen the visit
        assert note_visit(alice.pk, "cargo") is False
        assert note_visit(charlie.pk, "cargo") is False  # not a member: nothing
    with time_machine.travel("2026-05-05 08:00Z", tick=False):
        assert note_visit(alice.pk, "cargo") is True
    events = ActivityEvent.objects.filter(verb="community.visited")
    assert sorted((e.actor_id, e.created_at.day) for e in events) == [(alice.pk, 4), (alice.pk, 5)]
    assert sorted(Presence.objects.values_list("person_id", "day")) == [
        (alice.pk, date(2026, 5, 4)),
        (alice.pk, date(2026, 5, 5)),
    ]


# One web worker: its own memory (a cache nobody shares), the visits of the people
# given, all at once with the other worker once both are ready.
WORKER = """
import json, sys, time
from pathlib import Path
import django, time_machine
django.setup()
from django.core.cache.backends.locmem import LocMemCache
from cercle.activity import presence
presence.cache = LocMemCache(f"worker-{sys.argv[1]}", {})
folder, people = Path(sys.argv[2]), json.loads(sys.argv[3])
(folder / f"ready-{sys.argv[1]}").touch()
while not (folder / "go").exists():
    time.sleep(0.01)
with time_machine.travel("2026-05-04 09:00Z"):
    written = [presence.note_visit(person, "cargo") for person in people for _twice in (1, 2)]
print(json.dumps(written))
"""


def _database_for_workers(folder: Path) -> str:
    """The address of the test database for other processes: the test database itself
    on PostgreSQL; a copy in a file on SQLite (the test database lives in memory)."""
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
        host = f"{settings['HOST'] or 'localhost'}:{settings['PORT'] or 5432}"
        return f"postgres://{settings['USER']}{password}@{host}/{settings['NAME']}"
    connection.ensure_connection()
    path = folder / "workers.sqlite3"
    with sqlite3.connect(path) as copy:
        connection.connection.backup(copy)
    return f"sqlite:///{path}"


def _visits(url: str) -> list[tuple[int, int]]:
    """(actor, visit events) in the workers' database."""
    sql = (
        "SELECT actor_id, COUNT(*) FROM analytics_activityevent "
        "WHERE verb = 'community.visited' GROUP BY actor_id ORDER BY actor_id"
    )
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as database:
            return [tuple(row) for row in database.execute(sql).fetchall()]
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [tuple(row) for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_record_one_visit_a_member_a_day(
    tmp_path: Path, coordinator: User, alice: User, bob: User
) -> None:
    cargo = community(coordinator)
    join(alice, cargo)
    join(bob, cargo)
    people = [coordinator.pk, alice.pk, bob.pk]
    url = _database_for_workers(tmp_path)
    env = operator_env(tmp_path, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="cercle.settings")
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(number), str(tmp_path), json.dumps(people)],
            env=env,
            cwd=PROJECT_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for number in (1, 2)
    ]
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"ready-{number}").exists() for number in (1, 2)):
        assert all(worker.poll() is None for worker in workers), workers[0].communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    (tmp_path / "go").touch()
    written = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        written.append(json.loads(out))
    # Each worker tried each member once (its own memory then answered), both at
    # once: one of the two wrote the visit, the other was told it was there.
    assert [sum(pair) for pair in zip(written[0][0::2], written[1][0::2], strict=True)] == [1, 1, 1]
    assert not any(written[0][1::2] + written[1][1::2])
    assert _visits(url) == sorted((person, 1) for person in people)


def test_presence_names_the_active_status_as_communities_do() -> None:
    assert ACTIVE_MEMBER == Status.ACTIVE
