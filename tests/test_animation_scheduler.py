"""The scheduler for real: the database task backend and its `db_worker` publish a
planned post at its moment (not before), and workers racing for the same due items
publish each exactly once, on SQLite as on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from cercle.accounts.models import User
from cercle.activity.models import ActivityEvent
from cercle.animation import actions, planning
from cercle.animation.models import PlannedPost
from cercle.communities.models import Community, Space
from cercle.conversations.models import Topic
from tests.communities import client_for, community, html, join
from tests.concurrency import retrying, run_together
from tests.conftest import make_person

pytestmark = pytest.mark.django_db(transaction=True)

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def run_worker() -> None:
    """The real background worker, until nothing is ready (as tests/smtp.py runs it)."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)


def plan(animator: User, space: Space, moment: datetime, title: str) -> PlannedPost:
    return actions.do_plan_post(
        animator,
        space,
        topic_kind="discussion",
        title=title,
        body="See you there.",
        publish_at=moment,
    )


def test_the_worker_publishes_a_scheduled_post_at_its_moment_and_not_before(
    coordinator: User, alice: User
) -> None:
    moment = START + timedelta(days=2, hours=9)
    with time_machine.travel(START, tick=False):
        where = community(coordinator, time_zone="Europe/Paris")
        join(alice, where)
        general = where.spaces.get()
        post = plan(coordinator, general, moment, "Repair café on Wednesday")
        task = DBTaskResult.objects.get(task_path__endswith="publish_due_task")
        assert task.run_after == moment
        run_worker()

    with time_machine.travel(moment - timedelta(minutes=1), tick=False):
        run_worker()
        assert not Topic.objects.exists()
        post.refresh_from_db()
        assert post.published_at is None
        task.refresh_from_db()
        assert task.status == "READY"
        assert "Repair café" not in html(client_for(alice), general.get_absolute_url())

    with time_machine.travel(moment + timedelta(seconds=5), tick=False):
        run_worker()
        task.refresh_from_db()
        assert task.status == "SUCCESSFUL", task.traceback
        assert task.return_value == 1
        post.refresh_from_db()
        assert post.published_at == moment + timedelta(seconds=5)
        topic = Topic.objects.get()
        assert post.topic == topic
        assert topic.author == coordinator
        assert "Repair café" in html(client_for(alice), general.get_absolute_url())
        # A later run finds nothing left to do.
        run_worker()
        assert Topic.objects.count() == 1
        assert ActivityEvent.objects.filter(verb="post.published").count() == 1


def test_a_re_planned_post_goes_out_at_its_new_moment_only(coordinator: User) -> None:
    first = START + timedelta(days=1)
    later = START + timedelta(days=3)
    with time_machine.travel(START, tick=False):
        where = community(coordinator, time_zone="Europe/Paris")
        general = where.spaces.get()
        post = plan(coordinator, general, first, "Moved meeting")
        actions.do_replan_post(
            coordinator,
            post,
            space=general,
            topic_kind="discussion",
            title=post.title,
            body=post.body,
            publish_at=later,
        )
        assert DBTaskResult.objects.count() == 2
    with time_machine.travel(first + timedelta(minutes=1), tick=False):
        run_worker()  # the first wake-up finds nothing due
        assert not Topic.objects.exists()
    with time_machine.travel(later + timedelta(minutes=1), tick=False):
        run_worker()
        assert Topic.objects.count() == 1


# --- Concurrency (as tests/test_conversations.py's reactions) -----------------------------------


def publishing_worker(
    now: datetime, published: list[int], waits: list[str]
) -> Callable[[], object]:
    """A job that runs `publish_due` as a worker would."""

    def action() -> object:
        count = planning.publish_due(now)
        published.append(count)
        return count

    return retrying(action, waits)


@pytest.fixture
def due_posts(coordinator: User) -> tuple[Community, list[PlannedPost]]:
    """Five posts planned for the same moment, in a community with members to notify."""
    with time_machine.travel(START, tick=False):
        where = community(coordinator, time_zone="Europe/Paris")
        for n in range(5):
            join(make_person(f"rider{n}@example.org", f"Rider {n}"), where)
        general = where.spaces.get()
        moment = START + timedelta(hours=1)
        posts = [plan(coordinator, general, moment, f"Planned post {n}") for n in range(5)]
    return where, posts


def test_workers_racing_for_the_same_due_posts_publish_each_exactly_once(
    due_posts: tuple[Community, list[PlannedPost]],
) -> None:
    _where, posts = due_posts
    moment = START + timedelta(hours=1, minutes=1)
    published: list[int] = []
    waits: list[str] = []
    assert run_together([publishing_worker(moment, published, waits) for _ in range(8)]) == []
    if connection.vendor == "postgresql":
        assert waits == []  # PostgreSQL's second UPDATE waits for the row, then finds it taken
    if not waits:
        # (A run retried on SQLite loses the count of what it published before the lock.)
        assert sum(published) == 5
    assert Topic.objects.count() == 5
    assert ActivityEvent.objects.filter(verb="post.published").count() == 5
    assert ActivityEvent.objects.filter(verb="topic.started.discussion").count() == 5
    for post in PlannedPost.objects.all():
        assert post.published_at == moment
        assert post.topic is not None
        assert post.topic.title == post.title
    assert sorted(Topic.objects.values_list("title", flat=True)) == sorted(p.title for p in posts)


def worker_loop(name: str) -> Callable[[], object]:
    """The loop `cercle db_worker --batch` runs, without its signal handlers (which only
    the main thread may install)."""

    def job() -> object:
        Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=name,
            excluded_queue_names=[],
        ).run()
        return None

    return job


def test_two_real_workers_woken_together_publish_once(
    due_posts: tuple[Community, list[PlannedPost]],
) -> None:
    """Each planned post queued a wake-up for the same moment: two workers take them
    concurrently and run `publish_due`; every post goes out once."""
    _where, posts = due_posts
    wake_ups = DBTaskResult.objects.filter(task_path__endswith="publish_due_task")
    assert wake_ups.count() == 5
    with time_machine.travel(START + timedelta(hours=2), tick=False):
        if connection.vendor == "sqlite":
            # The shared-cache test database fails a second writer at once (the worker's
            # task would fail rather than wait): there the two workers take turns.
            run_worker()
            run_worker()
        else:
            assert run_together([worker_loop("first"), worker_loop("second")]) == []
    assert set(wake_ups.values_list("status", flat=True)) == {"SUCCESSFUL"}
    published: list[int] = [result.return_value for result in wake_ups]
    assert sum(published) == 5
    if connection.vendor != "sqlite":
        workers = {
            worker for ids in wake_ups.values_list("worker_ids", flat=True) for worker in ids
        }
        assert workers <= {"first", "second"}
    assert Topic.objects.count() == 5
    assert ActivityEvent.objects.filter(verb="post.published").count() == 5
    assert not PlannedPost.objects.filter(published_at=None).exists()
    assert {post.pk for post in posts} == set(PlannedPost.objects.values_list("pk", flat=True))
