"""Events: planning, answers with a waiting list (also under concurrency), reminders by
real email, attendance, pages and who sees what."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from cercle import permissions
from cercle.accounts.models import User
from cercle.activity.models import ActivityEvent, EngagementLevel
from cercle.animation import planning
from cercle.communities.models import Community, Space, Visibility
from cercle.conversations.models import Topic
from cercle.errors import ActionRefused
from cercle.events import actions
from cercle.events.models import RSVP, Event, Response
from cercle.events.queries import digest_items as digest_events
from cercle.membership import actions as community_actions
from cercle.notifications.actions import do_set_email_preferences
from cercle.notifications.models import Kind, Notification
from tests.communities import client_for, community, html, join
from tests.concurrency import retrying, run_together
from tests.conftest import make_person
from tests.smtp import SmtpServer, deliver_queued_email, text_body

PARIS = ZoneInfo("Europe/Paris")


def soon(days: float = 7, hours: float = 0) -> datetime:
    return timezone.now() + timedelta(days=days, hours=hours)


def plan(
    coordinator: User,
    space: Space,
    title: str = "Repair evening",
    *,
    starts_at: datetime | None = None,
    hours: float = 2,
    **values: Any,
) -> Event:
    starts_at = starts_at or soon()
    values.setdefault("place", "The Workshop")
    return actions.do_create_event(
        coordinator,
        space,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        **values,
    )


def url(event: Event, suffix: str = "") -> str:
    return f"/c/{event.community.slug}/events/{event.pk}/{suffix}"


# --- Planning and publishing ----------------------------------------------------------------


def test_an_announced_event_opens_its_discussion_linked_both_ways(
    coordinator: User, general: Space
) -> None:
    event = plan(coordinator, general, description="Bring a **pump**.")
    assert event.is_published
    assert event.time_zone == "Europe/Paris"
    topic = Topic.objects.get(event=event)
    assert topic.space == general
    assert topic.title == "Repair evening"
    opening = topic.posts.get(position=0)
    assert f'href="{event.get_absolute_url()}"' in opening.body_html
    assert "<strong>pump</strong>" in opening.body_html
    page = html(client_for(coordinator), event.get_absolute_url())
    assert f'href="{topic.get_absolute_url()}"' in page
    assert ActivityEvent.objects.filter(verb="event.published", object_id=event.pk).count() == 1


def test_a_scheduled_event_stays_invisible_to_members_until_announced(
    coordinator: User, alice: User, general: Space
) -> None:
    announce = soon(days=2)
    event = plan(coordinator, general, publish_at=announce)
    assert not event.is_published
    assert event.topic_id is None
    member = client_for(alice)
    assert member.get(url(event)).status_code == 404
    assert member.get(url(event, "event.ics")).status_code == 404
    assert "Repair evening" not in html(member, "/c/cargo/events/")
    assert "Repair evening" not in html(member, "/c/cargo/")
    assert b"Repair evening" not in member.get("/c/cargo/events.ics").content
    with pytest.raises(ActionRefused):
        actions.do_rsvp(alice, event, "going")
    # The animator prepares it, marked as such.
    page = html(client_for(coordinator), url(event))
    assert "Not announced yet" in page
    assert "Repair evening" in html(client_for(coordinator), "/c/cargo/events/")

    assert planning.publish_due(announce + timedelta(minutes=1)) == 1
    event = Event.objects.get(pk=event.pk)
    assert event.is_published
    assert event.topic_id is not None
    assert "Repair evening" in html(member, "/c/cargo/events/")
    assert html(member, url(event))


def test_only_animators_plan_edit_cancel_and_mark_attendance(
    coordinator: User, alice: User, charlie: User, general: Space
) -> None:
    event = plan(coordinator, general)
    with pytest.raises(ActionRefused) as refused:
        plan(alice, general)
    assert not refused.value.not_found
    for person, status in [(alice, 403), (charlie, 403)]:
        client = client_for(person)
        assert client.get("/c/cargo/events/new/").status_code == status
        assert client.get(url(event, "edit/")).status_code == status
        assert client.get(url(event, "cancel/")).status_code == status
        assert client.post(url(event, "cancel/")).status_code == status
        assert client.get(url(event, "attendance/")).status_code == status
        assert client.get("/c/cargo/events/rituals/new/").status_code == status
    assert client_for(None).get("/c/cargo/events/new/").status_code == 302
    event.refresh_from_db()
    assert not event.is_cancelled
    assert Event.objects.count() == 1


def test_the_new_event_form_takes_the_moment_and_space_from_the_calendar(
    coordinator: User, cargo: Community, lab: Space
) -> None:
    page = html(
        client_for(coordinator),
        "/c/cargo/events/new/?publish_at=2027-03-01T09:30&space=lab&starts_at=2027-03-09T18:00",
    )
    assert 'value="2027-03-01T09:30"' in page
    assert 'value="2027-03-09T18:00"' in page
    assert 'value="2027-03-09T20:00"' in page
    assert f'<option value="{lab.pk}" selected>' in page
    assert '<option value="Europe/Paris" selected>' in page


def test_times_are_typed_in_the_events_zone_and_announcement_in_the_communitys(
    coordinator: User, cargo: Community, general: Space
) -> None:
    response = client_for(coordinator).post(
        "/c/cargo/events/new/",
        {
            "title": "Transatlantic call",
            "space": general.pk,
            "starts_at": "2027-01-12T18:00",
            "ends_at": "2027-01-12T19:30",
            "time_zone": "America/New_York",
            "online_url": "https://meet.example.org/cargo",
            "remind_hours_before": "24",
            "rsvp_open": "on",
            "publish_at": "2027-01-05T09:00",
        },
    )
    assert response.status_code == 302
    event = Event.objects.get()
    assert event.starts_at == datetime(2027, 1, 12, 23, 0, tzinfo=ZoneInfo("UTC"))
    assert event.ends_at == datetime(2027, 1, 13, 0, 30, tzinfo=ZoneInfo("UTC"))
    assert event.publish_at == datetime(2027, 1, 5, 8, 0, tzinfo=ZoneInfo("UTC"))  # Paris
    assert event.time_zone == "America/New_York"
    page = html(client_for(coordinator), url(event))
    assert "(America/New_York)" in page
    assert 'datetime="2027-01-12T18:00:00-05:00"' in page


def test_bad_input_says_why_and_saves_nothing(
    coordinator: User, cargo: Community, general: Space
) -> None:
    client = client_for(coordinator)
    base = {
        "title": "Ride",
        "space": general.pk,
        "starts_at": "2027-01-12T18:00",
        "ends_at": "2027-01-12T17:00",
        "time_zone": "Europe/Paris",
        "place": "Station",
        "remind_hours_before": "24",
    }
    page = client.post("/c/cargo/events/new/", base).content.decode()
    assert "The event must end after it starts." in page
    page = client.post(
        "/c/cargo/events/new/", {**base, "ends_at": "2027-01-12T20:00", "place": ""}
    ).content.decode()
    assert "Say where it happens: an online link, a place, or both." in page
    page = client.post(
        "/c/cargo/events/new/",
        {**base, "starts_at": "2020-01-12T18:00", "ends_at": "2020-01-12T20:00"},
    ).content.decode()
    assert "This event would already be over" in page
    assert not Event.objects.exists()


# --- Answers and the waiting list -----------------------------------------------------------


def test_one_answer_per_member_changeable_until_the_start(
    coordinator: User, alice: User, general: Space
) -> None:
    event = plan(coordinator, general)
    actions.do_rsvp(alice, event, "maybe")
    actions.do_rsvp(alice, event, "going")
    actions.do_rsvp(alice, event, "going")
    assert list(RSVP.objects.values_list("person_id", "response")) == [(alice.pk, "going")]
    verbs = list(
        ActivityEvent.objects.filter(actor=alice, verb__startswith="event.rsvp").values_list(
            "verb", "level"
        )
    )
    assert verbs == [
        ("event.rsvp.maybe", EngagementLevel.TAKE_PART),
        ("event.rsvp.going", EngagementLevel.TAKE_PART),
    ]
    with pytest.raises(ActionRefused, match="Answer going"):
        actions.do_rsvp(alice, event, "waiting")
    with pytest.raises(ActionRefused, match="has started"):
        actions.do_rsvp(alice, event, "not_going", now=event.starts_at)
    assert RSVP.objects.get().response == "going"


def test_the_database_holds_one_answer_per_member(
    coordinator: User, alice: User, general: Space
) -> None:
    event = plan(coordinator, general)
    RSVP.objects.create(event=event, person=alice, response="going", changed_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        RSVP.objects.create(event=event, person=alice, response="maybe", changed_at=timezone.now())


def test_a_full_event_puts_members_on_a_waiting_list_promoted_in_order(
    coordinator: User, alice: User, bob: User, cargo: Community, general: Space
) -> None:
    dave, erin = make_person("dave@example.org", "Dave"), make_person("erin@example.org", "Erin")
    join(dave, cargo)
    join(erin, cargo)
    event = plan(coordinator, general, capacity=2)
    assert actions.do_rsvp(alice, event, "going").response == "going"
    assert actions.do_rsvp(bob, event, "going").response == "going"
    assert actions.do_rsvp(dave, event, "going").response == "waiting"
    assert actions.do_rsvp(erin, event, "going").response == "waiting"
    # Saying "going" again keeps one's place in the queue.
    assert actions.do_rsvp(dave, event, "going").response == "waiting"
    page = html(client_for(erin), url(event))
    assert "waiting list (number 2)" in page

    actions.do_rsvp(alice, event, "not_going")
    responses = dict(RSVP.objects.values_list("person__handle", "response"))
    assert responses == {
        alice.handle: "not_going",
        bob.handle: "going",
        dave.handle: "going",
        erin.handle: "waiting",
    }
    told = Notification.objects.get(kind=Kind.EVENT_UPDATE)
    assert told.recipient == dave
    assert "a place is yours" in told.subject
    assert told.url == event.get_absolute_url()

    # More places: the rest of the queue goes in, and hears about it.
    actions.do_edit_event(
        coordinator,
        event,
        title=event.title,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        place=event.place,
        capacity=5,
    )
    assert RSVP.objects.get(person=erin).response == "going"
    assert Notification.objects.filter(kind=Kind.EVENT_UPDATE, recipient=erin).count() == 1
    # Those who did not change are not told about a change of places.
    assert not Notification.objects.filter(recipient=bob, kind=Kind.EVENT_UPDATE).exists()


def test_a_smaller_capacity_takes_no_place_back(
    coordinator: User, alice: User, bob: User, general: Space
) -> None:
    event = plan(coordinator, general, capacity=3)
    actions.do_rsvp(alice, event, "going")
    actions.do_rsvp(bob, event, "going")
    actions.do_edit_event(
        coordinator,
        event,
        title=event.title,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        place=event.place,
        capacity=1,
    )
    assert RSVP.objects.filter(response="going").count() == 2


def test_answering_is_for_members_who_read_the_space(
    coordinator: User, alice: User, bob: User, charlie: User, general: Space, lab: Space
) -> None:
    public = plan(coordinator, general)
    private = plan(coordinator, lab, "Lab night")
    with pytest.raises(ActionRefused) as refused:
        actions.do_rsvp(charlie, public, "going")
    assert not refused.value.not_found  # charlie reads the public community
    with pytest.raises(ActionRefused) as refused:
        actions.do_rsvp(bob, private, "going")
    assert refused.value.not_found
    assert client_for(bob).post(url(private, "rsvp/"), {"response": "going"}).status_code == 404
    assert client_for(charlie).post(url(private, "rsvp/"), {"response": "going"}).status_code == 404
    actions.do_rsvp(alice, private, "going")
    assert list(RSVP.objects.values_list("person_id", flat=True)) == [alice.pk]


def test_answering_works_without_javascript(coordinator: User, alice: User, general: Space) -> None:
    event = plan(coordinator, general)
    client = client_for(alice)
    page = html(client, url(event))
    assert 'name="response" value="going"' in page
    response = client.post(url(event, "rsvp/"), {"response": "going"})
    assert response.status_code == 302
    assert response["Location"] == url(event)
    page = html(client, url(event))
    assert "You are going." in page
    assert "See you there!" in page
    assert 'value="going" class="button" aria-pressed="true"' in page
    assert "Alice Martin" in page  # in the list of those going
    # A visitor sees the numbers, not the names.
    visitor = html(client_for(None), url(event))
    assert "1 going" in visitor
    assert "Alice Martin" not in visitor
    assert "Log in to answer." in visitor


def test_cancelling_tells_everyone_who_meant_to_come_and_closes_answers(
    coordinator: User, alice: User, bob: User, cargo: Community, general: Space
) -> None:
    dave = make_person("dave@example.org", "Dave")
    join(dave, cargo)
    event = plan(coordinator, general, capacity=1)
    actions.do_rsvp(alice, event, "going")
    actions.do_rsvp(dave, event, "going")  # waiting
    actions.do_rsvp(bob, event, "not_going")
    response = client_for(coordinator).post(url(event, "cancel/"))
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.is_cancelled
    assert event.sequence == 1
    told = set(
        Notification.objects.filter(kind=Kind.EVENT_UPDATE).values_list("recipient_id", flat=True)
    )
    assert told == {alice.pk, dave.pk}
    assert (
        "is cancelled" in Notification.objects.get(recipient=alice, kind=Kind.EVENT_UPDATE).subject
    )
    with pytest.raises(ActionRefused, match="cancelled"):
        actions.do_rsvp(bob, event, "going")
    assert "This event is cancelled" in html(client_for(alice), url(event))


def test_moving_an_event_tells_those_going_and_reminds_them_again(
    coordinator: User, alice: User, general: Space
) -> None:
    event = plan(coordinator, general)
    actions.do_rsvp(alice, event, "going")
    RSVP.objects.update(reminded_at=timezone.now())
    later = event.starts_at + timedelta(days=1)
    actions.do_edit_event(
        coordinator,
        event,
        title=event.title,
        starts_at=later,
        ends_at=later + timedelta(hours=2),
        place=event.place,
    )
    assert Notification.objects.filter(recipient=alice, kind=Kind.EVENT_UPDATE).count() == 1
    assert RSVP.objects.get().reminded_at is None
    assert event.sequence == 1


# --- Concurrency ----------------------------------------------------------------------------


def answer(person: User, event_id: int, response: str, waits: list[str]) -> Callable[[], object]:
    """A job that answers."""

    def action() -> object:
        event = Event.objects.select_related("community", "space").get(pk=event_id)
        return actions.do_rsvp(person, event, response)

    return retrying(action, waits)


@pytest.mark.django_db(transaction=True)
def test_many_members_answering_at_once_never_exceed_the_capacity(coordinator: User) -> None:
    where = community(coordinator)
    space = where.spaces.get()
    event = plan(coordinator, space, capacity=5)
    members = [make_person(f"rider{n}@example.org", f"Rider {n}") for n in range(20)]
    for member in members:
        join(member, where)
    waits: list[str] = []
    assert run_together([answer(m, event.pk, "going", waits) for m in members]) == []
    assert RSVP.objects.filter(event=event, response="going").count() == 5
    assert RSVP.objects.filter(event=event, response="waiting").count() == 15
    if connection.vendor == "postgresql":
        assert waits == []

    # Five leave at once while the others change their minds: places are handed to the
    # waiting list, never more than five going.
    going = list(RSVP.objects.filter(response="going").values_list("person_id", flat=True))
    leavers = [m for m in members if m.pk in going]
    waiting = [m for m in members if m.pk not in going]
    jobs = [answer(m, event.pk, "not_going", waits) for m in leavers]
    jobs += [answer(m, event.pk, "maybe", waits) for m in waiting[:5]]
    assert run_together(jobs) == []
    assert RSVP.objects.filter(event=event, response="going").count() == 5
    assert RSVP.objects.filter(event=event, response="waiting").count() == 5
    assert RSVP.objects.filter(event=event, response="maybe").count() == 5
    # Each place freed went to someone waiting, who heard about it (a member promoted
    # just before saying "maybe" frees their place again).
    promoted = Notification.objects.filter(kind=Kind.EVENT_UPDATE)
    assert 5 <= promoted.count() <= 10
    assert ActivityEvent.objects.filter(verb="event.rsvp.promoted").count() == promoted.count()
    assert ActivityEvent.objects.filter(verb="event.rsvp.going").count() == 5
    assert ActivityEvent.objects.filter(verb="event.rsvp.waiting").count() == 15


# --- Reminders ------------------------------------------------------------------------------


def reminders(server: SmtpServer, to: str) -> list[EmailMessage]:
    """The reminder emails `to` received (joining a community sends a welcome too)."""
    return [m for m in server.messages if to in str(m["To"]) and "Reminder" in str(m["Subject"])]


@pytest.mark.django_db(transaction=True)
def test_reminders_arrive_by_email_once_per_person(
    coordinator: User,
    alice: User,
    bob: User,
    cargo: Community,
    general: Space,
    smtp_server: SmtpServer,
) -> None:
    dave = make_person("dave@example.org", "Dave")
    join(dave, cargo)
    starts = datetime(2027, 3, 30, 18, 0, tzinfo=PARIS)
    event = plan(coordinator, general, "Open lab", starts_at=starts)
    actions.do_rsvp(alice, event, "going")
    actions.do_rsvp(bob, event, "maybe")
    actions.do_rsvp(dave, event, "not_going")
    # Too early: 25 hours before.
    assert actions.send_reminders(starts - timedelta(hours=25)) == 0
    call_command("send_event_reminders", "--now", (starts - timedelta(hours=23)).isoformat())
    deliver_queued_email()
    [message] = reminders(smtp_server, "alice@example.org")
    body = text_body(message)
    assert "Open lab, 2027-03-30 18:00 (Europe/Paris)" in body
    # The link opens the notification, which leads to the event.
    told = Notification.objects.get(recipient=alice, kind=Kind.EVENT_REMINDER)
    link = reverse("notification_open", kwargs={"notification_id": told.pk})
    assert link in body
    assert client_for(alice).get(link)["Location"] == event.get_absolute_url()
    assert len(reminders(smtp_server, "bob@example.org")) == 1
    # Again, and again a bit later: nobody hears twice.
    assert actions.send_reminders(starts - timedelta(hours=22)) == 0
    assert actions.send_reminders(starts - timedelta(hours=1)) == 0
    deliver_queued_email()
    everyone = ["alice@example.org", "bob@example.org", "dave@example.org"]
    assert [len(reminders(smtp_server, to)) for to in everyone] == [1, 1, 0]
    assert RSVP.objects.exclude(reminded_at=None).count() == 2
    # Someone who answers after the reminder time still hears, once.
    erin = make_person("erin@example.org", "Erin")
    join(erin, cargo)
    actions.do_rsvp(erin, event, "going", now=starts - timedelta(hours=2))
    assert actions.send_reminders(starts - timedelta(hours=1)) == 1
    deliver_queued_email()
    assert len(reminders(smtp_server, "erin@example.org")) == 1
    # Once it has started, no reminder goes out.
    RSVP.objects.filter(person=erin).update(reminded_at=None)
    assert actions.send_reminders(starts + timedelta(minutes=1)) == 0


@pytest.mark.django_db(transaction=True)
def test_reminders_follow_settings_cancellations_and_who_may_still_see(
    coordinator: User,
    alice: User,
    bob: User,
    lab: Space,
    general: Space,
    smtp_server: SmtpServer,
) -> None:
    starts = soon(days=1)
    private = plan(coordinator, lab, "Lab night", starts_at=starts)
    actions.do_rsvp(alice, private, "going")
    community_actions.do_unlist_from_space(coordinator, lab, alice)
    cancelled = plan(coordinator, general, "Cancelled ride", starts_at=starts)
    actions.do_rsvp(bob, cancelled, "going")
    actions.do_cancel_event(coordinator, cancelled)
    quiet = plan(coordinator, general, "Quiet ride", starts_at=starts, remind_hours_before=0)
    actions.do_rsvp(bob, quiet, "going")
    no_email = plan(coordinator, general, "No email ride", starts_at=starts)
    do_set_email_preferences(bob, {Kind.EVENT_REMINDER: "never"})
    actions.do_rsvp(bob, no_email, "going")

    # Bob, in the app only; Alice, who may no longer see the lab, not at all.
    assert actions.send_reminders(starts - timedelta(hours=2)) == 1
    deliver_queued_email()
    assert reminders(smtp_server, "alice@example.org") == []
    assert reminders(smtp_server, "bob@example.org") == []
    # Alice may no longer see the lab: no notification at all; Bob reads his in the app.
    assert not Notification.objects.filter(recipient=alice, kind=Kind.EVENT_REMINDER).exists()
    bobs = Notification.objects.filter(recipient=bob, kind=Kind.EVENT_REMINDER)
    assert [n.subject.split(",")[0] for n in bobs] == ["No email ride"]


# --- Attendance -----------------------------------------------------------------------------


def test_animators_mark_attendance_afterwards_as_the_attendees_participation(
    coordinator: User, alice: User, bob: User, cargo: Community, general: Space
) -> None:
    dave = make_person("dave@example.org", "Dave")
    join(dave, cargo)
    event = plan(coordinator, general)
    actions.do_rsvp(alice, event, "going")
    actions.do_rsvp(bob, event, "maybe")
    with pytest.raises(ActionRefused, match="once the event has started"):
        actions.do_mark_attendance(coordinator, event, present=[alice.pk])
    after = event.ends_at + timedelta(hours=1)
    result = actions.do_mark_attendance(
        coordinator, event, present=[alice.pk], also=[f"@{dave.handle}"], now=after
    )
    assert (result.marked, result.unmarked) == (2, 0)
    attended = dict(RSVP.objects.values_list("person_id", "attended"))
    assert attended == {alice.pk: True, bob.pk: False, dave.pk: True}
    assert RSVP.objects.get(person=dave).response == Response.NONE
    logged = ActivityEvent.objects.filter(verb="event.attended")
    assert sorted(logged.values_list("actor_id", "level")) == sorted(
        [(alice.pk, EngagementLevel.TAKE_PART), (dave.pk, EngagementLevel.TAKE_PART)]
    )
    # Unticking and ticking again corrects the sheet without counting twice.
    actions.do_mark_attendance(coordinator, event, present=[dave.pk], now=after)
    actions.do_mark_attendance(coordinator, event, present=[alice.pk, dave.pk], now=after)
    assert logged.count() == 2
    with pytest.raises(ActionRefused, match="@nobody"):
        actions.do_mark_attendance(coordinator, event, present=[], also=["nobody"], now=after)
    with pytest.raises(ActionRefused):
        actions.do_mark_attendance(alice, event, present=[alice.pk], now=after)


def test_the_attendance_page_is_a_checklist_that_works_without_javascript(
    coordinator: User, alice: User, bob: User, general: Space
) -> None:
    starts = timezone.now() + timedelta(minutes=30)
    event = plan(coordinator, general, starts_at=starts)
    actions.do_rsvp(alice, event, "going")
    client = client_for(coordinator)
    assert "once the event has started" in html(client, url(event, "attendance/"))
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - timedelta(hours=2), ends_at=timezone.now() - timedelta(hours=1)
    )
    page = html(client, url(event, "attendance/"))
    assert "Alice Martin" in page
    response = client.post(
        url(event, "attendance/"), {"present": [str(alice.pk)], "also": bob.handle}
    )
    assert response.status_code == 302
    assert set(RSVP.objects.filter(attended=True).values_list("person_id", flat=True)) == {
        alice.pk,
        bob.pk,
    }
    page = html(client, url(event, "attendance/"))
    assert f'value="{bob.pk}" id="id_present_1" checked' in page or "checked" in page


# --- Who sees what --------------------------------------------------------------------------


def test_private_space_events_stay_with_those_listed(
    coordinator: User, alice: User, bob: User, charlie: User, general: Space, lab: Space
) -> None:
    private = plan(coordinator, lab, "Lab night")
    plan(coordinator, general, "Open ride")
    for person in [bob, charlie, None]:
        client = client_for(person)
        assert client.get(url(private)).status_code == 404
        assert client.get(url(private, "event.ics")).status_code == 404
        assert "Lab night" not in html(client, "/c/cargo/events/")
        assert "Lab night" not in html(client, "/c/cargo/")
        assert "Open ride" in html(client, "/c/cargo/")
    for person in [alice, coordinator]:
        assert "Lab night" in html(client_for(person), "/c/cargo/events/")
        assert "Lab night" in html(client_for(person), "/c/cargo/")


def test_a_members_only_community_shows_no_event_to_outsiders(
    coordinator: User, charlie: User
) -> None:
    closed = community(coordinator, slug="closed", visibility=Visibility.MEMBERS)
    event = plan(coordinator, closed.spaces.get(), "Members ride")
    for person in [charlie, None]:
        client = client_for(person)
        assert client.get(url(event)).status_code == 404
        assert client.get("/c/closed/events/").status_code == 404
        assert b"Members ride" not in client.get("/c/closed/events.ics").content


def test_the_landing_page_shows_the_next_three_events_and_the_feed(
    coordinator: User, alice: User, general: Space
) -> None:
    for day in range(1, 6):
        plan(coordinator, general, f"Ride number {day}", starts_at=soon(days=day))
    plan(coordinator, general, "Later announced", starts_at=soon(days=1), publish_at=soon(days=0.5))
    page = html(client_for(alice), "/c/cargo/")
    assert "Upcoming events" in page
    # The events' own section (their conversations show among the latest discussions).
    events = page.split('id="events-title"')[1].split("</section>")[0]
    assert [n for n in range(1, 6) if f"Ride number {n}" in events] == [1, 2, 3]
    assert "Later announced" not in page
    assert "/c/cargo/events/calendar/" in page
    assert 'href="/c/cargo/events.ics"' in html(client_for(None), "/c/cargo/")


def test_the_digest_lists_the_coming_events_a_member_may_see(
    coordinator: User, alice: User, bob: User, general: Space, lab: Space, cargo: Community
) -> None:
    start = timezone.now() - timedelta(days=7)
    end = timezone.now()
    plan(coordinator, general, "Open ride", starts_at=end + timedelta(days=2))
    plan(coordinator, lab, "Lab night", starts_at=end + timedelta(days=3))
    plan(coordinator, general, "Far away", starts_at=end + timedelta(days=20))
    plan(
        coordinator,
        general,
        "Unannounced",
        starts_at=end + timedelta(days=4),
        publish_at=end + timedelta(days=1),
    )
    cancelled = plan(coordinator, general, "Called off", starts_at=end + timedelta(days=4))
    actions.do_cancel_event(coordinator, cancelled)
    for person, titles in [(alice, ["Open ride", "Lab night"]), (bob, ["Open ride"])]:
        access = permissions.community_access(person, cargo)
        items = digest_events(access, start, end)
        assert [item.title for item in items] == titles
        assert items[0].url.endswith(f"/c/cargo/events/{Event.objects.get(title='Open ride').pk}/")
        assert "(Europe/Paris)" in items[0].detail


# --- Query counts ---------------------------------------------------------------------------


def test_the_event_pages_make_a_fixed_number_of_queries(
    coordinator: User,
    alice: User,
    cargo: Community,
    general: Space,
    django_assert_max_num_queries: Any,
) -> None:
    def many(count: int) -> Event:
        event = None
        for n in range(count):
            event = plan(coordinator, general, f"Ride {n}", starts_at=soon(days=n + 1))
            actions.do_rsvp(alice, event, "going")
        past = Event.objects.filter(title__startswith="Ride").order_by("pk")[: count // 2]
        Event.objects.filter(pk__in=[e.pk for e in past]).update(
            starts_at=timezone.now() - timedelta(days=3), ends_at=timezone.now() - timedelta(days=2)
        )
        assert event is not None
        return event

    event = many(4)
    readers: list[tuple[User | None, int, int]] = [
        (None, 8, 10),
        (alice, 12, 16),
        (coordinator, 12, 16),
    ]
    for person, list_queries, event_queries in readers:
        client = client_for(person)
        with django_assert_max_num_queries(list_queries):
            html(client, "/c/cargo/events/")
        with django_assert_max_num_queries(event_queries):
            html(client, url(event))
    more = many(30)
    for person, list_queries, event_queries in readers:
        client = client_for(person)
        with django_assert_max_num_queries(list_queries):
            page = html(client, "/c/cargo/events/")
        assert page.count("event-row__title") >= 20
        with django_assert_max_num_queries(event_queries):
            html(client, url(more))


# --- Demo -----------------------------------------------------------------------------------


def test_the_demo_sets_a_ritual_and_a_meetup_with_answers(
    coordinator: User, alice: User, bob: User, cargo: Community
) -> None:
    from cercle.events import demo  # noqa: PLC0415 - only this test uses it

    demo.populate(cargo, coordinator, [alice, bob])
    ritual_events = Event.objects.exclude(ritual=None)
    assert ritual_events.count() >= 2
    assert {e.local_start.strftime("%a %H:%M") for e in ritual_events} == {"Tue 18:00"}
    meetup = Event.objects.get(ritual=None)
    assert meetup.title == "Rencontre : le vélo cargo en ville"
    assert meetup.is_published
    assert sorted(RSVP.objects.filter(event=meetup).values_list("response", flat=True)) == [
        "going",
        "going",
    ]
