"""iCalendar outputs and recurring rituals: every .ics parses with `icalendar`, feeds
show what their reader may see when the calendar asks, and rituals expand to the
right dates and times across the daylight-saving changes, by our code and by
`recurring_ical_events` reading the feed we write."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events  # type: ignore[import-untyped]
from django.core import signing
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from cercle.accounts.models import User
from cercle.animation.planning import publish_due
from cercle.communities.models import Community, Space
from cercle.errors import ActionRefused
from cercle.events import actions, recurrence
from cercle.events.actions import RitualPlan
from cercle.events.models import RSVP, Event, FeedKey, Ritual
from cercle.events.queries import FEED_SALT, feed_token
from cercle.membership import actions as community_actions
from tests.communities import client_for, html

PARIS = ZoneInfo("Europe/Paris")


def calendar(client: Client, url: str) -> Calendar:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    parsed = Calendar.from_ical(response.content)
    assert isinstance(parsed, Calendar)
    return parsed


def vevents(cal: Calendar) -> list[Any]:
    return list(cal.walk("VEVENT"))


def summaries(cal: Calendar) -> list[str]:
    return sorted(str(component["SUMMARY"]) for component in vevents(cal))


def plan(coordinator: User, space: Space, title: str, starts_at: datetime, **values: Any) -> Event:
    values.setdefault("place", "The Workshop")
    return actions.do_create_event(
        coordinator,
        space,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        **values,
    )


# --- One event --------------------------------------------------------------------------------


def test_an_events_ics_parses_with_its_zone_and_keeps_its_uid_across_changes(
    coordinator: User, alice: User, general: Space
) -> None:
    starts = datetime(2027, 3, 30, 18, 0, tzinfo=PARIS)
    event = plan(
        coordinator,
        general,
        "Open lab",
        starts,
        address="12 rue des Vélos, Lyon",
        online_url="https://meet.example.org/lab",
        description="Bring a *pump*.",
    )
    ics = f"/c/cargo/events/{event.pk}/event.ics"
    cal = calendar(client_for(alice), ics)
    [zone] = cal.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/Paris"
    [component] = vevents(cal)
    assert str(component["UID"]) == f"event-{event.pk}@127.0.0.1"
    assert component["DTSTART"].params["TZID"] == "Europe/Paris"
    assert component.decoded("DTSTART") == starts
    assert component.decoded("DTSTART").astimezone(UTC) == datetime(2027, 3, 30, 16, 0, tzinfo=UTC)
    assert component.decoded("DTEND") == starts + timedelta(hours=2)
    assert component.decoded("DTSTAMP").tzinfo is not None
    assert str(component["URL"]) == f"http://127.0.0.1:8000/c/cargo/events/{event.pk}/"
    assert str(component["LOCATION"]) == "The Workshop, 12 rue des Vélos, Lyon"
    assert "https://meet.example.org/lab" in str(component["DESCRIPTION"])
    assert "Bring a pump." in str(component["DESCRIPTION"])
    assert component["SEQUENCE"] == 0
    assert str(component["STATUS"]) == "CONFIRMED"

    actions.do_edit_event(
        coordinator,
        event,
        title="Open lab (new room)",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        place="Room 2",
    )
    [component] = vevents(calendar(client_for(alice), ics))
    assert str(component["UID"]) == f"event-{event.pk}@127.0.0.1"
    assert component["SEQUENCE"] == 1
    assert str(component["SUMMARY"]) == "Open lab (new room)"

    actions.do_cancel_event(coordinator, event)
    [component] = vevents(calendar(client_for(alice), ics))
    assert component["SEQUENCE"] == 2
    assert str(component["STATUS"]) == "CANCELLED"


# --- Feeds ------------------------------------------------------------------------------------


def test_the_public_feed_shows_only_announced_events_anyone_may_read(
    coordinator: User, general: Space, lab: Space
) -> None:
    starts = timezone.now() + timedelta(days=3)
    plan(coordinator, general, "Open ride", starts)
    plan(coordinator, lab, "Lab night", starts)
    plan(coordinator, general, "Not yet", starts, publish_at=timezone.now() + timedelta(days=1))
    gone = plan(coordinator, general, "Called off", starts)
    actions.do_cancel_event(coordinator, gone)
    # Whoever asks, the public address answers as for a visitor.
    for client in [client_for(None), client_for(coordinator)]:
        cal = calendar(client, "/c/cargo/events.ics")
        assert summaries(cal) == ["Called off", "Open ride"]
    statuses = {str(c["SUMMARY"]): str(c["STATUS"]) for c in vevents(cal)}
    assert statuses["Called off"] == "CANCELLED"


def test_a_personal_feed_follows_what_its_owner_may_read_when_it_is_fetched(
    coordinator: User, alice: User, bob: User, charlie: User, general: Space, lab: Space
) -> None:
    starts = timezone.now() + timedelta(days=3)
    plan(coordinator, general, "Open ride", starts)
    plan(coordinator, lab, "Lab night", starts)
    plan(coordinator, lab, "Not yet", starts, publish_at=timezone.now() + timedelta(days=1))
    anyone = client_for(None)  # calendar programs send no cookie

    alices = f"/c/cargo/events/feed/{feed_token(alice)}.ics"
    assert summaries(calendar(anyone, alices)) == ["Lab night", "Open ride"]
    bobs = f"/c/cargo/events/feed/{feed_token(bob)}.ics"
    assert summaries(calendar(anyone, bobs)) == ["Open ride"]
    charlies = f"/c/cargo/events/feed/{feed_token(charlie)}.ics"
    assert summaries(calendar(anyone, charlies)) == ["Open ride"]
    # Even the coordinator's feed has only announced events.
    coordinators = f"/c/cargo/events/feed/{feed_token(coordinator)}.ics"
    assert summaries(calendar(anyone, coordinators)) == ["Lab night", "Open ride"]

    # Unlisted from the lab: the same address stops showing it.
    community_actions.do_unlist_from_space(coordinator, lab, alice)
    assert summaries(calendar(anyone, alices)) == ["Open ride"]

    assert anyone.get("/c/cargo/events/feed/forged.ics").status_code == 404
    # Alice's id with Bob's key, signed with another secret: refused.
    bobs_key = FeedKey.objects.get(person=bob).key
    forged = signing.Signer(key="not-ours", salt=FEED_SALT).sign_object(
        {"p": alice.pk, "k": bobs_key}
    )
    assert anyone.get(f"/c/cargo/events/feed/{forged}.ics").status_code == 404


def test_a_new_feed_address_revokes_the_old_one(
    coordinator: User, alice: User, general: Space
) -> None:
    plan(coordinator, general, "Open ride", timezone.now() + timedelta(days=3))
    client = client_for(alice)
    page = html(client, "/c/cargo/events/calendar/")
    old = feed_token(alice)
    assert f"/c/cargo/events/feed/{old}.ics" in page
    assert "http://testserver/c/cargo/events.ics" in page
    response = client.post("/c/cargo/events/calendar/renew/")
    assert response.status_code == 302
    new = feed_token(alice)
    assert new != old
    anyone = client_for(None)
    assert anyone.get(f"/c/cargo/events/feed/{old}.ics").status_code == 404
    assert summaries(calendar(anyone, f"/c/cargo/events/feed/{new}.ics")) == ["Open ride"]
    assert f"/c/cargo/events/feed/{new}.ics" in html(client, "/c/cargo/events/calendar/")
    alice.is_active = False
    alice.save()
    assert anyone.get(f"/c/cargo/events/feed/{new}.ics").status_code == 404


# --- Rituals and daylight saving --------------------------------------------------------------


def open_lab(coordinator: User, space: Space, now: datetime, **values: Any) -> Ritual:
    """The first Tuesday of every month at 18:00 in Paris, from January 2027."""
    values.setdefault(
        "plan",
        RitualPlan(
            rule="FREQ=MONTHLY;BYDAY=1TU",
            first_day=date(2027, 1, 1),
            start_time=time(18, 0),
            duration=timedelta(hours=2),
        ),
    )
    return actions.do_create_ritual(
        coordinator,
        space,
        title="Atelier ouvert",
        place="L'Atelier",
        time_zone="Europe/Paris",
        now=now,
        **values,
    )


# 18:00 in Paris: 17:00 UTC in winter time, 16:00 UTC in summer time (from the last
# Sunday of March, 28 March 2027, to the last Sunday of October, 31 October 2027).
FIRST_TUESDAYS_2027 = [
    (date(2027, 1, 5), 17),
    (date(2027, 2, 2), 17),
    (date(2027, 3, 2), 17),
    (date(2027, 4, 6), 16),
    (date(2027, 5, 4), 16),
    (date(2027, 6, 1), 16),
    (date(2027, 7, 6), 16),
    (date(2027, 8, 3), 16),
    (date(2027, 9, 7), 16),
    (date(2027, 10, 5), 16),
    (date(2027, 11, 2), 17),
    (date(2027, 12, 7), 17),
]


def expected(days: list[tuple[date, int]]) -> list[tuple[datetime, datetime]]:
    """(local start, UTC start) of each day at 18:00 in Paris."""
    return [
        (
            datetime.combine(day, time(18, 0), tzinfo=PARIS),
            datetime.combine(day, time(utc_hour, 0), tzinfo=UTC),
        )
        for day, utc_hour in days
    ]


def test_a_ritual_keeps_its_local_time_across_daylight_saving_changes(
    coordinator: User, general: Space
) -> None:
    now = datetime(2027, 2, 20, 9, 0, tzinfo=UTC)
    ritual = open_lab(coordinator, general, now)
    assert ritual.first_day == date(2027, 1, 5)  # the first day the rule gives
    # Our expansion, over the whole year.
    found = recurrence.occurrences(
        ritual, datetime(2027, 1, 1, tzinfo=PARIS), datetime(2027, 12, 31, tzinfo=PARIS)
    )
    assert [(m, m.astimezone(UTC)) for m in found] == expected(FIRST_TUESDAYS_2027)
    for moment, (local, utc) in zip(found, expected(FIRST_TUESDAYS_2027), strict=True):
        assert (moment.hour, moment.minute) == (18, 0)
        assert moment == local
        assert moment.astimezone(UTC) == utc
    # The occurrences planned as events: the next 92 days from the 20th of February.
    events = list(Event.objects.filter(ritual=ritual).order_by("starts_at"))
    assert [(e.starts_at.astimezone(UTC), e.ends_at.astimezone(UTC)) for e in events] == [
        (datetime(2027, 3, 2, 17, tzinfo=UTC), datetime(2027, 3, 2, 19, tzinfo=UTC)),
        (datetime(2027, 4, 6, 16, tzinfo=UTC), datetime(2027, 4, 6, 18, tzinfo=UTC)),
        (datetime(2027, 5, 4, 16, tzinfo=UTC), datetime(2027, 5, 4, 18, tzinfo=UTC)),
    ]
    assert [e.local_start.time() for e in events] == [time(18, 0)] * 3
    # Announced 14 days before: March's at once (its discussion opened), the others later.
    assert [e.is_published for e in events] == [True, False, False]
    assert events[0].topic_id is not None
    # Fourteen days before, at the same wall-clock time (before the change: 17:00 UTC).
    assert events[1].publish_at == datetime(2027, 3, 23, 18, tzinfo=PARIS)


def test_the_feed_expands_to_the_same_dates_in_a_calendar_program(
    coordinator: User, alice: User, general: Space
) -> None:
    ritual = open_lab(coordinator, general, datetime(2027, 2, 20, 9, 0, tzinfo=UTC))
    cal = calendar(client_for(alice), f"/c/cargo/events/feed/{feed_token(alice)}.ics")
    master = next(c for c in vevents(cal) if "RRULE" in c and "RECURRENCE-ID" not in c)
    assert str(master["UID"]) == f"ritual-{ritual.pk}@127.0.0.1"
    assert master["DTSTART"].params["TZID"] == "Europe/Paris"
    assert master.decoded("DTSTART") == datetime(2027, 1, 5, 18, tzinfo=PARIS)
    assert master["RRULE"].to_ical() == b"FREQ=MONTHLY;BYDAY=1TU"
    # March's occurrence is announced: written as an override, with its own page.
    [override] = [c for c in vevents(cal) if "RECURRENCE-ID" in c]
    assert str(override["UID"]) == str(master["UID"])
    assert override.decoded("RECURRENCE-ID") == datetime(2027, 3, 2, 18, tzinfo=PARIS)
    march = Event.objects.get(ritual=ritual, starts_at__month=3)
    assert str(override["URL"]).endswith(f"/c/cargo/events/{march.pk}/")

    expanded = recurring_ical_events.of(cal).between(date(2027, 1, 1), date(2028, 1, 1))
    starts = sorted(c.decoded("DTSTART") for c in expanded)
    assert [(s, s.astimezone(UTC)) for s in starts] == expected(FIRST_TUESDAYS_2027)
    assert all(
        s.tzinfo is not None and s.utcoffset() == s.astimezone(PARIS).utcoffset() for s in starts
    )


def test_weekly_rituals_change_their_utc_time_on_the_very_week_of_each_change(
    coordinator: User, alice: User, general: Space
) -> None:
    now = datetime(2027, 3, 10, tzinfo=UTC)
    ritual = open_lab(
        coordinator,
        general,
        now,
        plan=RitualPlan(
            rule="FREQ=WEEKLY;BYDAY=TU",
            first_day=date(2027, 3, 16),
            start_time=time(18, 0),
            duration=timedelta(hours=2),
            horizon_days=28,
        ),
    )
    spring = [
        (date(2027, 3, 16), 17),
        (date(2027, 3, 23), 17),
        (date(2027, 3, 30), 16),
        (date(2027, 4, 6), 16),
    ]
    autumn = [
        (date(2027, 10, 19), 16),
        (date(2027, 10, 26), 16),
        (date(2027, 11, 2), 17),
        (date(2027, 11, 9), 17),
    ]
    events = Event.objects.filter(ritual=ritual).order_by("starts_at")
    assert [(e.local_start, e.starts_at) for e in events] == expected(spring)
    assert [
        (m, m.astimezone(UTC))
        for m in recurrence.occurrences(
            ritual, datetime(2027, 10, 18, tzinfo=PARIS), datetime(2027, 11, 10, tzinfo=PARIS)
        )
    ] == expected(autumn)

    cal = calendar(client_for(alice), "/c/cargo/events.ics")
    for start, end, days in [
        (date(2027, 3, 15), date(2027, 4, 7), spring),
        (date(2027, 10, 18), date(2027, 11, 10), autumn),
    ]:
        expanded = recurring_ical_events.of(cal).between(start, end)
        found = sorted(c.decoded("DTSTART") for c in expanded)
        assert [(s, s.astimezone(UTC)) for s in found] == expected(days)


def test_planning_a_ritual_again_never_duplicates_an_occurrence(
    coordinator: User, alice: User, general: Space
) -> None:
    now = datetime(2027, 2, 20, 9, 0, tzinfo=UTC)
    ritual = open_lab(coordinator, general, now)
    assert Event.objects.filter(ritual=ritual).count() == 3
    assert actions.plan_ritual(ritual, now) == 0
    assert actions.plan_rituals(now + timedelta(hours=1)) == 0
    call_command("plan_rituals", "--now", "2027-03-20T09:00")
    # A month later, one more month enters the horizon (June); nothing twice.
    starts = list(Event.objects.filter(ritual=ritual).values_list("starts_at", flat=True))
    assert len(starts) == len(set(starts)) == 4
    # Each occurrence has its own answers.
    march, april = Event.objects.filter(ritual=ritual).order_by("starts_at")[:2]
    actions.do_rsvp(alice, march, "going", now=now)
    assert not RSVP.objects.filter(event=april).exists()


def test_cancelled_and_moved_occurrences_show_so_in_calendars(
    coordinator: User, alice: User, general: Space
) -> None:
    now = datetime(2027, 2, 20, 9, 0, tzinfo=UTC)
    ritual = open_lab(coordinator, general, now)
    march, april, may = Event.objects.filter(ritual=ritual).order_by("starts_at")
    # April, not announced yet, will not happen; May moves to 19:00; March is cancelled.
    actions.do_cancel_event(coordinator, april, now=now)
    actions.do_edit_event(
        coordinator,
        may,
        title=may.title,
        starts_at=datetime(2027, 5, 4, 19, tzinfo=PARIS),
        ends_at=datetime(2027, 5, 4, 21, tzinfo=PARIS),
        place=may.place,
        publish_at=may.publish_at,
        now=now,
    )
    publish_due(datetime(2027, 4, 21, tzinfo=UTC))
    actions.do_cancel_event(coordinator, march, now=now)
    cal = calendar(client_for(alice), "/c/cargo/events.ics")
    master = next(c for c in vevents(cal) if "RRULE" in c)
    assert [d.dt for d in master["EXDATE"].dts] == [datetime(2027, 4, 6, 18, tzinfo=PARIS)]
    expanded = recurring_ical_events.of(cal).between(date(2027, 3, 1), date(2027, 6, 2))
    found = {c.decoded("DTSTART"): str(c.get("STATUS")) for c in expanded}
    assert found == {
        datetime(2027, 3, 2, 18, tzinfo=PARIS): "CANCELLED",
        datetime(2027, 5, 4, 19, tzinfo=PARIS): "CONFIRMED",
        datetime(2027, 6, 1, 18, tzinfo=PARIS): "CONFIRMED",
    }


def test_changing_a_rituals_time_replans_what_is_not_announced(
    coordinator: User, alice: User, general: Space
) -> None:
    now = datetime(2027, 2, 20, 9, 0, tzinfo=UTC)
    ritual = open_lab(coordinator, general, now)
    march = Event.objects.get(ritual=ritual, starts_at__month=3)
    actions.do_rsvp(alice, march, "going", now=now)
    actions.do_edit_ritual(
        coordinator,
        ritual,
        title="Atelier ouvert",
        place="L'Atelier",
        time_zone="Europe/Paris",
        plan=RitualPlan(
            rule="FREQ=MONTHLY;BYDAY=1TU",
            first_day=date(2027, 1, 5),
            start_time=time(19, 0),
            duration=timedelta(hours=2),
        ),
        now=now,
    )
    assert ritual.sequence == 1
    events = Event.objects.filter(ritual=ritual).order_by("starts_at")
    assert [e.local_start.strftime("%m-%d %H:%M") for e in events] == [
        "03-02 18:00",  # announced, with its answers: it stays
        "04-06 19:00",
        "05-04 19:00",
    ]
    assert RSVP.objects.get().event == march
    # March keeps its time and stands in the new rule's place that day: in calendars,
    # one March, at 18:00, then the new time.
    cal = calendar(client_for(alice), "/c/cargo/events.ics")
    [override] = [c for c in vevents(cal) if "RECURRENCE-ID" in c]
    assert override.decoded("RECURRENCE-ID") == datetime(2027, 3, 2, 19, tzinfo=PARIS)
    expanded = recurring_ical_events.of(cal).between(date(2027, 3, 1), date(2027, 5, 30))
    assert sorted(c.decoded("DTSTART") for c in expanded) == [
        datetime(2027, 3, 2, 18, tzinfo=PARIS),
        datetime(2027, 4, 6, 19, tzinfo=PARIS),
        datetime(2027, 5, 4, 19, tzinfo=PARIS),
    ]
    # A new day of the week: March, announced, stands alone; the rule goes on.
    actions.do_edit_ritual(
        coordinator,
        ritual,
        title="Atelier ouvert",
        place="L'Atelier",
        time_zone="Europe/Paris",
        plan=RitualPlan(
            rule="FREQ=MONTHLY;BYDAY=1TH",
            first_day=date(2027, 1, 5),
            start_time=time(19, 0),
            duration=timedelta(hours=2),
        ),
        now=now,
    )
    cal = calendar(client_for(alice), "/c/cargo/events.ics")
    overrides = [c.decoded("RECURRENCE-ID") for c in vevents(cal) if "RECURRENCE-ID" in c]
    assert overrides == [datetime(2027, 3, 4, 19, tzinfo=PARIS)]  # announced at once
    alone = next(c for c in vevents(cal) if str(c["UID"]) == f"event-{march.pk}@127.0.0.1")
    assert alone.decoded("DTSTART") == datetime(2027, 3, 2, 18, tzinfo=PARIS)
    expanded = recurring_ical_events.of(cal).between(date(2027, 3, 1), date(2027, 4, 30))
    assert sorted(c.decoded("DTSTART") for c in expanded) == [
        datetime(2027, 3, 2, 18, tzinfo=PARIS),
        datetime(2027, 3, 4, 19, tzinfo=PARIS),
        datetime(2027, 4, 1, 19, tzinfo=PARIS),
    ]


def test_stopping_a_ritual_ends_its_rule_in_calendars(
    coordinator: User, alice: User, general: Space
) -> None:
    now = datetime(2027, 2, 20, 9, 0, tzinfo=UTC)
    ritual = open_lab(coordinator, general, now)
    actions.do_stop_ritual(coordinator, ritual, now=now)
    assert list(Event.objects.filter(ritual=ritual).values_list("starts_at__month", flat=True)) == [
        3
    ]
    assert actions.plan_ritual(ritual, now + timedelta(days=30)) == 0
    cal = calendar(client_for(alice), "/c/cargo/events.ics")
    master = next(c for c in vevents(cal) if "RRULE" in c)
    assert master["RRULE"]["UNTIL"] == [datetime(2027, 3, 2, 17, tzinfo=UTC)]
    expanded = recurring_ical_events.of(cal).between(date(2027, 1, 1), date(2028, 1, 1))
    assert sorted(c.decoded("DTSTART").date() for c in expanded) == [
        date(2027, 1, 5),
        date(2027, 2, 2),
        date(2027, 3, 2),
    ]
    with pytest.raises(ActionRefused):
        actions.do_stop_ritual(coordinator, ritual, now=now)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=HOURLY", "daily at most"),
        ("FREQ=MONTHLY;BYHOUR=3", "not one Cercle understands"),
        ("BYDAY=1TU", "needs a FREQ"),
        ("FREQ=WEEKLY;UNTIL=20271231", "UNTIL in UTC"),
        ("FREQ=SOMETIMES", "not one Cercle understands"),
        ("", "Say how the ritual repeats"),
    ],
)
def test_a_rule_cercle_cannot_keep_is_refused(
    coordinator: User, general: Space, rule: str, message: str
) -> None:
    with pytest.raises(ActionRefused, match=message):
        open_lab(
            coordinator,
            general,
            datetime(2027, 2, 20, tzinfo=UTC),
            plan=RitualPlan(
                rule=rule,
                first_day=date(2027, 1, 5),
                start_time=time(18),
                duration=timedelta(hours=2),
            ),
        )
    assert not Ritual.objects.exists()


# --- Ritual pages -----------------------------------------------------------------------------


def test_animators_set_a_ritual_from_the_form_in_words(
    coordinator: User, alice: User, bob: User, cargo: Community, general: Space, lab: Space
) -> None:
    client = client_for(coordinator)
    assert "Set a ritual" in html(client, "/c/cargo/events/rituals/new/")
    response = client.post(
        "/c/cargo/events/rituals/new/",
        {
            "title": "Atelier ouvert",
            "space": lab.pk,
            "first_day": "2027-01-05",
            "start_time": "18:00",
            "duration_minutes": "120",
            "time_zone": "Europe/Paris",
            "repeats": "monthly_nth",
            "place": "L'Atelier",
            "remind_hours_before": "24",
            "announce_days": "14",
            "horizon_days": "92",
        },
    )
    assert response.status_code == 302
    ritual = Ritual.objects.get()
    assert ritual.rule == "FREQ=MONTHLY;BYDAY=1TU"
    page = html(client_for(alice), ritual.get_absolute_url())
    assert "Every month on the first Tuesday, at 18:00 (Europe/Paris)" in page
    assert "Atelier ouvert" in html(client_for(alice), "/c/cargo/events/rituals/")
    # Bob is not listed in the lab: he does not see the ritual anywhere.
    assert client_for(bob).get(ritual.get_absolute_url()).status_code == 404
    assert "Atelier ouvert" not in html(client_for(bob), "/c/cargo/events/rituals/")
    assert b"Atelier" not in client_for(None).get("/c/cargo/events.ics").content
    assert client_for(alice).get(f"{ritual.get_absolute_url()}edit/").status_code == 403
    assert client_for(alice).post(f"{ritual.get_absolute_url()}stop/").status_code == 403
    ritual.refresh_from_db()
    assert ritual.is_active


def test_the_feed_and_ritual_pages_make_a_fixed_number_of_queries(
    coordinator: User,
    alice: User,
    general: Space,
    django_assert_max_num_queries: Any,
) -> None:
    def grow(count: int) -> None:
        base = timezone.now() + timedelta(days=2)
        for n in range(count):
            plan(coordinator, general, f"Ride {n}", base + timedelta(days=n))
            actions.do_create_ritual(
                coordinator,
                general,
                title=f"Weekly {n}",
                place="Park",
                plan=RitualPlan(
                    rule="FREQ=WEEKLY;BYDAY=MO",
                    first_day=date(2027, 1, 4),
                    start_time=time(18),
                    duration=timedelta(hours=1),
                    horizon_days=21,
                ),
            )

    grow(2)
    for client in [client_for(None), client_for(alice)]:
        for url in ["/c/cargo/events.ics", "/c/cargo/events/rituals/"]:
            with django_assert_max_num_queries(12):
                client.get(url)
    grow(10)
    for client in [client_for(None), client_for(alice)]:
        with django_assert_max_num_queries(12):
            cal = calendar(client, "/c/cargo/events.ics")
        assert len([c for c in vevents(cal) if "RRULE" in c]) == 12
        with django_assert_max_num_queries(12):
            assert html(client, "/c/cargo/events/rituals/").count("Weekly") == 12
        ritual = Ritual.objects.first()
        assert ritual is not None
        with django_assert_max_num_queries(12):
            html(client, ritual.get_absolute_url())
