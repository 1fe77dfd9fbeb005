"""A member's visits are recorded once a day, for the levels of participation."""

from __future__ import annotations

import re
from typing import Any

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cercle.accounts.models import User
from cercle.activity.models import ActivityEvent
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
    # The visit on the first page of the day (and the cache's note of it), nothing
    # written after.
    assert second_count > 5
    assert first_writes == ["analytics_activityevent", "cercle_cache"]
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
