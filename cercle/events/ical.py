"""iCalendar (RFC 5545) files for events and rituals, written with `icalendar`.

- An event is a VEVENT whose UID never changes (`event-<pk>@<host>`), with its start
  and end in its own zone (TZID, and the VTIMEZONE that defines it), a SEQUENCE
  bumped at each change, STATUS:CANCELLED once cancelled, its URL and LOCATION.
- A ritual is one VEVENT with an RRULE from its first occurrence; each announced
  occurrence is written as an override of the ritual's UID (RECURRENCE-ID: the start
  the rule gave it), with its own URL, time and status; occurrences cancelled before
  they were announced are EXDATEs. An occurrence the current rule no longer gives (the
  rule changed after it was announced) is written as an event of its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, vRecur
from icalendar import Event as VEvent

from cercle.conversations.rendering import plain_text
from cercle.events import recurrence
from cercle.events.models import Event, Ritual
from cercle.events.queries import Feed, cancelled_occurrences
from cercle.richtext import render_markdown

CONTENT_TYPE = "text/calendar; charset=utf-8"


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "cercle"


def event_uid(event: Event) -> str:
    return f"event-{event.pk}@{_host()}"


def ritual_uid(ritual: Ritual) -> str:
    return f"ritual-{ritual.pk}@{_host()}"


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _plain(markdown_text: str) -> str:
    return plain_text(render_markdown(markdown_text)) if markdown_text else ""


def _new_calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.SITE_NAME}//Cercle events//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    return calendar


def _describe(component: VEvent, description: str, url: str, online_url: str) -> None:
    lines = [line for line in (_plain(description), online_url, url) if line]
    if lines:
        component.add("description", "\n\n".join(lines))
    component.add("url", url)


def event_component(
    event: Event,
    *,
    uid: str | None = None,
    recurrence_id: datetime | None = None,
    sequence: int | None = None,
) -> VEvent:
    component = VEvent()
    url = _absolute(event.get_absolute_url())
    component.add("uid", uid or event_uid(event))
    component.add("dtstamp", event.updated_at.astimezone(UTC))
    component.add("created", event.created_at.astimezone(UTC))
    component.add("last-modified", event.updated_at.astimezone(UTC))
    if recurrence_id is not None:
        component.add("recurrence-id", recurrence_id.astimezone(event.zone))
    component.add("dtstart", event.local_start)
    component.add("dtend", event.local_end)
    component.add("summary", event.title)
    _describe(component, event.description, url, event.online_url)
    if event.location:
        component.add("location", event.location)
    component.add("sequence", event.sequence if sequence is None else sequence)
    component.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    return component


def ritual_component(ritual: Ritual, exdates: Iterable[datetime] = ()) -> VEvent:
    component = VEvent()
    url = _absolute(ritual.get_absolute_url())
    first = recurrence.normalized(ritual.first_start())
    component.add("uid", ritual_uid(ritual))
    component.add("dtstamp", ritual.updated_at.astimezone(UTC))
    component.add("created", ritual.created_at.astimezone(UTC))
    component.add("last-modified", ritual.updated_at.astimezone(UTC))
    component.add("dtstart", first)
    component.add("dtend", recurrence.normalized(first + ritual.duration))
    component.add("rrule", _rrule(ritual))
    excluded = sorted(moment.astimezone(ritual.zone) for moment in exdates)
    if excluded:
        component.add("exdate", excluded)
    component.add("summary", ritual.title)
    _describe(component, ritual.description, url, ritual.online_url)
    location = ", ".join(p for p in (ritual.place, ritual.address) if p) or ritual.online_url
    if location:
        component.add("location", location)
    component.add("sequence", ritual.sequence)
    component.add("status", "CONFIRMED")
    return component


def _rrule(ritual: Ritual) -> vRecur:
    rule: vRecur = vRecur.from_ical(ritual.rule)
    if ritual.ended_at is not None:
        until = recurrence.rule_for(ritual)._until  # dateutil keeps it private
        rule.pop("COUNT", None)
        if until is not None:
            rule["UNTIL"] = [until.astimezone(UTC)]
    return rule


def _finish(calendar: Calendar, moments: list[datetime]) -> bytes:
    # VTIMEZONE components cover every date written, and ten years of a ritual.
    now = timezone.now()
    first: date = min([*moments, now]).date() - timedelta(days=366)
    last: date = max([*moments, now + timedelta(days=3653)]).date() + timedelta(days=366)
    calendar.add_missing_timezones(first_date=first, last_date=last)
    result: bytes = calendar.to_ical()
    return result


def event_calendar(event: Event) -> bytes:
    """The .ics file of one event."""
    calendar = _new_calendar(event.title)
    calendar.add_component(event_component(event))
    return _finish(calendar, [event.starts_at])


def feed_calendar(feed: Feed, name: str) -> bytes:
    """A community's subscribable calendar."""
    calendar = _new_calendar(name)
    rituals = {ritual.pk: ritual for ritual in feed.rituals}
    exdates = cancelled_occurrences(feed.rituals)
    moments: list[datetime] = []
    for ritual in feed.rituals:
        calendar.add_component(ritual_component(ritual, exdates.get(ritual.pk, ())))
        moments.append(ritual.first_start())
    for event in feed.events:
        parent = rituals.get(event.ritual_id) if event.ritual_id else None
        if (
            parent is not None
            and event.occurrence is not None
            and recurrence.is_occurrence(parent, event.occurrence)
        ):
            # An override is at least as new as its ritual for calendar programs.
            component = event_component(
                event,
                uid=ritual_uid(parent),
                recurrence_id=event.occurrence,
                sequence=max(event.sequence, parent.sequence),
            )
        else:
            component = event_component(event)
        calendar.add_component(component)
        moments.append(event.starts_at)
    return _finish(calendar, moments)
