"""Showing events: their times in their own zone, a ritual's rhythm."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django import template
from django.utils.formats import date_format, time_format
from django.utils.html import format_html
from django.utils.safestring import SafeString

from cercle.events import recurrence

if TYPE_CHECKING:
    from cercle.events.models import Event, Ritual

register = template.Library()


def _day(moment: datetime) -> str:
    return f"{date_format(moment, 'l')} {date_format(moment, 'DATE_FORMAT')}"


@register.simple_tag
def event_when(event: Event) -> SafeString:
    """“Tuesday March 3, 2026, 18:00 to 20:00 (Europe/Paris)”, in the event's zone:
    `date_format` formats the datetime as it is, without moving it to the reader's."""
    start, end = event.local_start, event.local_end
    if start.date() == end.date():
        end_text = time_format(end, "TIME_FORMAT")
    else:
        end_text = f"{_day(end)}, {time_format(end, 'TIME_FORMAT')}"
    return format_html(
        '<time datetime="{}">{}, {}</time> \u2013 <time datetime="{}">{}</time> '
        '<span class="event-zone">({})</span>',
        start.isoformat(),
        _day(start),
        time_format(start, "TIME_FORMAT"),
        end.isoformat(),
        end_text,
        event.time_zone,
    )


@register.simple_tag
def in_zone(moment: datetime | None, zone_name: str) -> str:
    """A moment in the named zone, with the zone's name."""
    if moment is None:
        return ""
    local = moment.astimezone(ZoneInfo(zone_name))
    return f"{_day(local)}, {time_format(local, 'TIME_FORMAT')} ({zone_name})"


@register.simple_tag
def ritual_rhythm(ritual: Ritual) -> str:
    """“Every month on the first Tuesday, at 18:00 (Europe/Paris)”."""
    start = time_format(ritual.start_time, "TIME_FORMAT")
    return f"{recurrence.describe(ritual.rule, start)} ({ritual.time_zone})"
