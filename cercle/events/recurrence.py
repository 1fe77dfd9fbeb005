"""A ritual's rule and the local moments it gives.

The rule is expanded by python-dateutil from a start that is aware in the ritual's
own zone (a `ZoneInfo`): dateutil builds each occurrence with that same zone and the
same wall-clock time, and the zone gives each its own UTC offset. So 18:00 stays
18:00 in Paris across the March and October changes, which is 17:00 UTC in winter
and 16:00 UTC in summer.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from dateutil.rrule import (  # type: ignore[import-untyped]
    DAILY,
    MONTHLY,
    WEEKLY,
    YEARLY,
    rrule,
    rrulestr,
)
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from cercle.errors import ActionRefused

if TYPE_CHECKING:
    from cercle.events.models import Ritual

ALLOWED_PARTS = frozenset(
    {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "WKST"}
)
ALLOWED_FREQUENCIES = frozenset({DAILY, WEEKLY, MONTHLY, YEARLY})
# A plan never creates more than this many occurrences at once.
MAX_PER_PLAN = 120


def clean_rule(text: str) -> str:
    """The rule as stored: upper case, no spaces, no "RRULE:" prefix, only the parts a
    ritual may use (its time of day comes from its start time)."""
    rule = "".join((text or "").split()).upper()
    if rule.startswith("RRULE:"):
        rule = rule[len("RRULE:") :]
    if not rule:
        raise ActionRefused(_("Say how the ritual repeats."))
    parts: dict[str, str] = {}
    for chunk in rule.split(";"):
        name, _sep, value = chunk.partition("=")
        if not value or name not in ALLOWED_PARTS or name in parts:
            raise ActionRefused(
                _("This repeat rule is not one Cercle understands: %(rule)s") % {"rule": rule}
            )
        parts[name] = value
    if "FREQ" not in parts:
        raise ActionRefused(_("The repeat rule needs a FREQ, for example FREQ=MONTHLY."))
    return rule


def parse(rule: str, first: datetime) -> rrule:
    """The dateutil rule starting at `first` (aware, in the ritual's zone)."""
    try:
        parsed = rrulestr(rule, dtstart=first)
    except (ValueError, TypeError) as error:
        if "UNTIL" in str(error):
            raise ActionRefused(
                _("Write UNTIL in UTC (for example UNTIL=20261231T230000Z), or use COUNT.")
            ) from error
        raise ActionRefused(
            _("This repeat rule is not one Cercle understands: %(rule)s") % {"rule": rule}
        ) from error
    if (
        not isinstance(parsed, rrule) or parsed._freq not in ALLOWED_FREQUENCIES
    ):  # dateutil keeps it private
        raise ActionRefused(_("A ritual repeats daily at most."))
    return parsed


def rule_for(ritual: Ritual) -> rrule:
    """The ritual's rule; once stopped, it ends with its last occurrence before the stop."""
    rule = parse(ritual.rule, ritual.first_start())
    if ritual.ended_at is not None:
        # UNTIL at the last occurrence before the end (which also honours a COUNT);
        # when there is none, an UNTIL before the first one.
        last = rule.before(ritual.ended_at.astimezone(ritual.zone), inc=True)
        until = last if last is not None else ritual.first_start() - timedelta(seconds=1)
        rule = rule.replace(until=until, count=None)
    return rule


def normalized(moment: datetime) -> datetime:
    """The same instant, with a real offset: a wall time that does not exist (in the
    spring gap) becomes the one an hour later, as clocks show it."""
    return moment.astimezone(UTC).astimezone(moment.tzinfo)


def occurrences(ritual: Ritual, after: datetime, before: datetime) -> list[datetime]:
    """The local starts of the ritual's occurrences from `after` to `before` (inclusive),
    aware in the ritual's zone, at most `MAX_PER_PLAN`."""
    found: list[datetime] = []
    for moment in rule_for(ritual).xafter(after.astimezone(ritual.zone), inc=True):
        if moment > before:
            break
        found.append(normalized(moment))
        if len(found) >= MAX_PER_PLAN:
            break
    return found


def is_occurrence(ritual: Ritual, moment: datetime) -> bool:
    """Does the ritual's rule give `moment` (the start of an occurrence)?"""
    local = moment.astimezone(ritual.zone)
    following = rule_for(ritual).after(local, inc=True)
    return following is not None and normalized(following) == local


def describe(rule: str, start: str) -> str:
    """The rule in words for the common rhythms, else the rule as written; `start` is
    the local start time, as shown."""
    days = {code: str(WEEKDAYS[index]) for index, code in enumerate(WEEKDAY_CODES)}
    parts = dict(chunk.partition("=")[::2] for chunk in rule.split(";"))
    freq, byday = parts.pop("FREQ", ""), parts.pop("BYDAY", "")
    interval = parts.pop("INTERVAL", "1")
    values = {"time": start}
    if freq == "WEEKLY" and byday in days and not parts:
        values["weekday"] = days[byday]
        if interval == "1":
            return _("Every week on %(weekday)s, at %(time)s") % values
        if interval == "2":
            return _("Every two weeks on %(weekday)s, at %(time)s") % values
    if freq == "MONTHLY" and interval == "1" and not parts and byday[-2:] in days:
        values["weekday"] = days[byday[-2:]]
        sentences = {
            "1": _("Every month on the first %(weekday)s, at %(time)s"),
            "2": _("Every month on the second %(weekday)s, at %(time)s"),
            "3": _("Every month on the third %(weekday)s, at %(time)s"),
            "4": _("Every month on the fourth %(weekday)s, at %(time)s"),
            "-1": _("Every month on the last %(weekday)s, at %(time)s"),
        }
        nth = byday[:-2].lstrip("+")
        if nth in sentences:
            return sentences[nth] % values
    if freq == "MONTHLY" and interval == "1" and not byday and list(parts) == ["BYMONTHDAY"]:
        return _("Every month on day %(day)s, at %(time)s") % {
            "day": parts["BYMONTHDAY"],
            "time": start,
        }
    return _("Repeats %(rule)s, at %(time)s") % {"rule": rule, "time": start}


WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def on_day(ritual: Ritual, day: date) -> datetime | None:
    """The ritual's occurrence on that local day, if its rule gives one (a ritual
    repeats daily at most, so there is one at most)."""
    zone = ritual.zone
    start = datetime.combine(day, time(0), tzinfo=zone)
    found = rule_for(ritual).between(start, start.replace(hour=23, minute=59, second=59), inc=True)
    return normalized(found[0]) if found else None
