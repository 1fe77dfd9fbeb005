"""Reading the security log: the staff page, a page at a time, and its CSV export.

The page is paginated by a cursor (the row after which to go on), not by page
numbers: the log grows by thousands of rows a day, and counting them all for a page
number would read the whole table at every click. A page is three queries whatever
the number of rows: the rows, and whether there are newer and older ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from cercle.audit.describe import detail_as_text, detail_in_words, device
from cercle.audit.models import SecurityEvent, SecurityKind

PAGE_SIZE = 50


@dataclass(frozen=True)
class LogFilter:
    """What the staff member asked for (`SecurityLogFilterForm.cleaned_data`)."""

    person: str = ""
    kind: str = ""
    since: date | None = None
    until: date | None = None
    ip: str = ""

    @classmethod
    def from_cleaned(cls, data: dict[str, Any]) -> LogFilter:
        return cls(
            person=str(data.get("person") or ""),
            kind=str(data.get("kind") or ""),
            since=data.get("since"),
            until=data.get("until"),
            ip=str(data.get("ip") or ""),
        )

    def as_params(self) -> dict[str, str]:
        """The filter as a query string's parameters (links keep it)."""
        params = {
            "person": self.person,
            "kind": self.kind,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
            "ip": self.ip,
        }
        return {key: value for key, value in params.items() if value}


def _start_of(day: date) -> datetime:
    """Midnight on `day`, on the instance's clock (CERCLE_TIME_ZONE)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def filtered(log_filter: LogFilter) -> QuerySet[SecurityEvent]:
    """The rows the filter keeps, newest first, with the people they name."""
    events = SecurityEvent.objects.select_related(
        "actor", "actor__profile", "subject", "subject__profile"
    ).order_by("-at", "-pk")
    if log_filter.person:
        words = log_filter.person
        events = events.filter(
            Q(subject_label__icontains=words)
            | Q(subject__email__icontains=words)
            | Q(subject__display_name__icontains=words)
            | Q(actor__email__icontains=words)
            | Q(actor__display_name__icontains=words)
        )
    if log_filter.kind:
        events = events.filter(kind=log_filter.kind)
    if log_filter.since:
        events = events.filter(at__gte=_start_of(log_filter.since))
    if log_filter.until:
        events = events.filter(at__lt=_start_of(log_filter.until + timedelta(days=1)))
    if log_filter.ip:
        events = events.filter(ip_address=log_filter.ip)
    return events


@dataclass
class LogRow:
    """One row as the page shows it: the event and its words."""

    event: SecurityEvent
    what: str
    details: list[tuple[str, str]]
    device: str

    @classmethod
    def of(cls, event: SecurityEvent) -> LogRow:
        return cls(
            event=event,
            what=_kind_label(event.kind),
            details=detail_in_words(event.detail),
            device=device(event.user_agent),
        )


def _kind_label(kind: str) -> str:
    try:
        return str(SecurityKind(kind).label)
    except ValueError:  # a kind no longer declared, in an old row
        return kind


@dataclass
class LogPage:
    rows: list[LogRow] = field(default_factory=list)
    newer: int | None = None  # the cursor of the page of newer rows, if any
    older: int | None = None  # the cursor of the page of older rows, if any
    at_the_start: bool = True  # the newest rows (no cursor)


def _newer_than(events: QuerySet[SecurityEvent], pk: int) -> QuerySet[SecurityEvent]:
    anchor = Subquery(SecurityEvent.objects.filter(pk=pk).values("at")[:1])
    return events.filter(Q(at__gt=anchor) | Q(at=anchor, pk__gt=pk))


def _older_than(events: QuerySet[SecurityEvent], pk: int) -> QuerySet[SecurityEvent]:
    anchor = Subquery(SecurityEvent.objects.filter(pk=pk).values("at")[:1])
    return events.filter(Q(at__lt=anchor) | Q(at=anchor, pk__lt=pk))


def page(
    log_filter: LogFilter,
    *,
    before: int | None = None,
    after: int | None = None,
    size: int = PAGE_SIZE,
) -> LogPage:
    """`size` rows: the newest, or those just older than row `before`, or those just
    newer than row `after`."""
    events = filtered(log_filter)
    if after is not None:
        found = list(_newer_than(events, after).order_by("at", "pk")[: size + 1])
        newest_first = list(reversed(found[:size]))
        has_newer = len(found) > size
        has_older = bool(newest_first) and _older_than(events, newest_first[-1].pk).exists()
    else:
        window = _older_than(events, before) if before is not None else events
        found = list(window[: size + 1])
        newest_first = found[:size]
        has_older = len(found) > size
        has_newer = (
            before is not None
            and bool(newest_first)
            and _newer_than(events, newest_first[0].pk).exists()
        )
    return LogPage(
        rows=[LogRow.of(event) for event in newest_first],
        newer=newest_first[0].pk if has_newer else None,
        older=newest_first[-1].pk if has_older else None,
        at_the_start=before is None and after is None,
    )


# --- The CSV export --------------------------------------------------------------------------

EXPORT_CHUNK = 2000


def export_header() -> list[str]:
    return [
        _("When (UTC)"),
        _("What"),
        _("Kind"),
        _("By"),
        _("By (email)"),
        _("About"),
        _("About (email, as named then)"),
        _("IP address"),
        _("Device"),
        _("Browser (user agent)"),
        _("Details"),
    ]


def export_rows(log_filter: LogFilter, *, before: int | None = None) -> Iterator[list[object]]:
    """Every row the filter keeps, newest first, read in chunks (a year of a large
    instance does not fit in memory at once); with `before`, only rows older than that
    one (the export's own row is not in it)."""
    events = filtered(log_filter)
    if before is not None:
        events = _older_than(events, before)
    for event in events.iterator(chunk_size=EXPORT_CHUNK):
        actor, subject = event.actor, event.subject
        yield [
            event.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
            _kind_label(event.kind),
            event.kind,
            actor.display_name if actor else "",
            actor.email if actor else "",
            subject.display_name if subject else "",
            event.subject_label,
            event.ip_address or "",
            device(event.user_agent),
            event.user_agent,
            detail_as_text(event.detail),
        ]
