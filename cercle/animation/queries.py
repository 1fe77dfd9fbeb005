"""Reads for the editorial calendar: which items sit on which day, the mix of
engagement levels per week and the gaps in the rhythm, in the community's clock.

A calendar page makes one query per registered kind of item (`planning.kinds()`),
whatever the number of items, through the (community, publish_at) index; the rest
(days, weeks, gaps) is computed from those rows.
"""

from __future__ import annotations

import calendar as calendar_module
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from cercle import permissions
from cercle.activity.models import EngagementLevel
from cercle.animation import planning
from cercle.animation.models import Plannable, PlannedPost
from cercle.communities.models import Community, Space

View = Literal["month", "week", "list"]
VIEWS: tuple[View, ...] = ("month", "week", "list")
State = Literal["scheduled", "published", "failed"]

# Beyond this many items of one kind in the shown period, the page says so.
PER_KIND_LIMIT = 400
# The hour the "Plan…" links suggest on a future day, in the community's clock.
PLAN_HOUR = 9
# The bar of the weekly mix stops growing there (the table gives the numbers).
MAX_DOTS = 30
# Far enough for any real planning; keeps date arithmetic clear of year 1 and 9999.
FIRST_YEAR, LAST_YEAR = 1970, 2199

# Every kind's creation form, in the order the "Plan…" menus list them. Other apps
# build some of them; only those whose URL exists are offered.
PLAN_FORMS: tuple[tuple[str, StrOrPromise], ...] = (
    ("animation:new_post", gettext_lazy("Plan a post")),
    ("activities:new_poll", gettext_lazy("Plan a poll")),
    ("activities:new_quiz", gettext_lazy("Plan a quiz")),
    ("activities:new_challenge", gettext_lazy("Plan a challenge")),
    ("contests:new", gettext_lazy("Plan a contest")),
    ("events:new", gettext_lazy("Plan an event")),
)


def animator_community(
    actor: permissions.Actor, slug: str
) -> tuple[Community, permissions.CommunityAccess]:
    """The community at `slug` for its animators: a 404 for those who may not see it,
    a 403 for the others."""
    community, access = permissions.community_for(actor, slug)
    if not access.may_animate():
        raise PermissionDenied
    return community, access


def animated_spaces(access: permissions.CommunityAccess) -> list[Space]:
    """The spaces where this animator may plan, the default space first."""
    spaces = permissions.readable_spaces(access).order_by("-is_default", "name")
    return [space for space in spaces if access.may_animate(space)]


def planned_post_for(
    actor: permissions.Actor, slug: str, post_id: int
) -> tuple[PlannedPost, permissions.CommunityAccess]:
    """A planned post for its animators; a 404 to anyone who may not see it."""
    community, access = permissions.community_for(actor, slug)
    post = (
        PlannedPost.objects.filter(community=community, pk=post_id)
        .select_related("space", "created_by", "topic__community", "topic__space")
        .first()
    )
    if post is None or not permissions.planning.may_see(post, access):
        raise Http404
    if not access.may_animate(post.space):
        raise PermissionDenied
    post.community = community
    post.space.community = community
    return post, access


# --- The calendar ------------------------------------------------------------------------------


@dataclass
class Entry:
    """One item at one moment of the calendar (an event sits there twice: when it is
    announced and when it starts)."""

    item: Plannable
    kind: str
    kind_label: str
    level: int
    level_label: str
    moment: datetime | None  # None: a whole day (a date field)
    day: date
    moment_label: str
    state: State
    failure: str
    url: str
    secondary: bool  # not the publication: the model's CALENDAR_FIELD (an event's start)

    @property
    def state_label(self) -> str:
        return {
            "scheduled": _("Scheduled"),
            "published": _("Published"),
            "failed": _("Not published"),
        }[self.state]


@dataclass
class PlanLink:
    label: StrOrPromise
    url: str


@dataclass
class Day:
    date: date
    entries: list[Entry] = field(default_factory=list)
    in_period: bool = True
    is_today: bool = False
    is_past: bool = False
    in_gap: bool = False
    plan_links: list[PlanLink] = field(default_factory=list)


@dataclass
class WeekMix:
    """How many items of each engagement level go out in one ISO week."""

    year: int
    number: int
    first_day: date
    last_day: date
    counts: list[tuple[int, int]]  # (level, count) for levels 1, 2, 3

    @property
    def total(self) -> int:
        return sum(count for _level, count in self.counts)

    @property
    def dots(self) -> list[int]:
        """The small bar: one mark per item, by level (at most MAX_DOTS marks)."""
        marks = [level for level, count in self.counts for _n in range(count)]
        return marks[:MAX_DOTS]


@dataclass
class Gap:
    """Days in a row with nothing planned or published."""

    first_day: date
    last_day: date

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def first_day_format(self) -> str:
        """How much of the first day to write: "from 3 to 12 March", "from 28 February
        to 12 March", or with both years."""
        if self.first_day.year != self.last_day.year:
            return "j F Y"
        return "j" if self.first_day.month == self.last_day.month else "j F"


@dataclass
class Calendar:
    community: Community
    view: View
    anchor: date
    today: date
    first_day: date  # the first day shown (a month's grid starts on a Monday)
    last_day: date
    period_first: date  # the month or the week itself
    period_last: date
    previous: date
    next: date
    days: list[Day]
    mix: list[WeekMix]
    gaps: list[Gap]
    levels: list[tuple[int, str]]
    space: Space | None
    spaces: list[Space]
    truncated: list[str]

    @property
    def weeks(self) -> list[list[Day]]:
        return [self.days[i : i + 7] for i in range(0, len(self.days), 7)]

    @property
    def busy_days(self) -> list[Day]:
        """The days of the period that have something, for the list view."""
        return [day for day in self.days if day.in_period and day.entries]

    @property
    def iso_week(self) -> int:
        return self.period_first.isocalendar()[1]

    @property
    def zone_name(self) -> str:
        return self.community.time_zone


def parse_anchor(value: str | None, today: date) -> date:
    try:
        anchor = date.fromisoformat(value or "")
    except ValueError:
        return today
    return anchor if FIRST_YEAR <= anchor.year <= LAST_YEAR else today


def local_today(community: Community, now: datetime | None = None) -> date:
    return timezone.localtime(now or timezone.now(), community.zone).date()


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def _month_bounds(anchor: date) -> tuple[date, date]:
    first = anchor.replace(day=1)
    last = first.replace(day=calendar_module.monthrange(first.year, first.month)[1])
    return first, last


def _period(view: View, anchor: date) -> tuple[date, date, date, date, date, date]:
    """(first shown, last shown, period first, period last, previous, next)."""
    if view == "week":
        first = anchor - timedelta(days=anchor.weekday())
        last = first + timedelta(days=6)
        return first, last, first, last, first - timedelta(days=7), first + timedelta(days=7)
    month_first, month_last = _month_bounds(anchor)
    previous = (month_first - timedelta(days=1)).replace(day=1)
    following = month_last + timedelta(days=1)
    if view == "list":
        return month_first, month_last, month_first, month_last, previous, following
    grid_first = month_first - timedelta(days=month_first.weekday())
    grid_last = month_last + timedelta(days=6 - month_last.weekday())
    return grid_first, grid_last, month_first, month_last, previous, following


def _dates(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _level_label(level: int) -> str:
    return _("Level %(number)d: %(name)s") % {
        "number": level,
        "name": EngagementLevel(level).label,
    }


def _items(
    model: type[Plannable], access: permissions.CommunityAccess, start: datetime, end: datetime
) -> list[Plannable]:
    """One query: the items of `model` whose publication (or other calendar moment)
    falls between `start` and `end`."""
    in_range = (
        Q(published_at__gte=start, published_at__lt=end)
        | Q(published_at=None, publish_at__gte=start, publish_at__lt=end)
        | Q(published_at=None, publish_at=None, created_at__gte=start, created_at__lt=end)
    )
    if model.CALENDAR_FIELD != "publish_at":
        in_range |= Q(**{f"{model.CALENDAR_FIELD}__gte": start, f"{model.CALENDAR_FIELD}__lt": end})
    queryset = (
        permissions.planning.visible(model._default_manager.all(), access)
        .filter(in_range)
        .select_related("community", "space", "created_by", *model.CALENDAR_RELATED)
        .order_by("publish_at", "pk")
    )
    return list(queryset[: PER_KIND_LIMIT + 1])


def _state(item: Plannable) -> tuple[State, str]:
    if item.published_at is not None:
        return "published", ""
    failure = item.publishing_failure()
    return ("failed", failure) if failure else ("scheduled", "")


def _entries(item: Plannable, zone: ZoneInfo) -> list[Entry]:
    model = type(item)
    state, failure = _state(item)
    url: str = item.get_absolute_url()  # type: ignore[attr-defined]

    def entry(moment: datetime | None, day: date, label: str, *, secondary: bool) -> Entry:
        return Entry(
            item=item,
            kind=model.KIND,
            kind_label=capfirst(str(model._meta.verbose_name)),
            level=int(model.LEVEL),
            level_label=_level_label(int(model.LEVEL)),
            moment=moment,
            day=day,
            moment_label=label,
            state=state,
            failure=failure,
            url=url,
            secondary=secondary,
        )

    published = timezone.localtime(item.planned_for(), zone)
    entries = [entry(published, published.date(), _("Publication"), secondary=False)]
    if model.CALENDAR_FIELD != "publish_at":
        value = getattr(item, model.CALENDAR_FIELD, None)
        label = capfirst(
            str(getattr(model._meta.get_field(model.CALENDAR_FIELD), "verbose_name", ""))
        )
        if isinstance(value, datetime):
            moment = timezone.localtime(value, zone)
            entries.append(entry(moment, moment.date(), label, secondary=True))
        elif isinstance(value, date):
            entries.append(entry(None, value, label, secondary=True))
    return entries


def _plan_forms(community: Community) -> list[tuple[StrOrPromise, str]]:
    found = []
    for name, label in PLAN_FORMS:
        try:
            found.append((label, reverse(name, kwargs={"slug": community.slug})))
        except NoReverseMatch:
            continue
    return found


def _plan_moment(day: date, now: datetime) -> datetime | None:
    """Where a "Plan…" link for `day` puts the item: at nine, or in the next full hour
    today; None for a day that is over."""
    moment = datetime.combine(day, time(PLAN_HOUR), tzinfo=now.tzinfo)
    if moment > now:
        return moment
    next_hour = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return next_hour if next_hour.date() == day else None


def _gaps(
    days: dict[date, Day], window: list[date], active: set[date], gap_days: int, since: date
) -> list[Gap]:
    """Runs of at least `gap_days` quiet days in `window` that touch the shown days;
    days before the community existed are not quiet, just not there yet."""
    gaps: list[Gap] = []
    run: list[date] = []
    for day in [*window, None]:
        if day is not None and day >= since and day not in active:
            run.append(day)
            continue
        if len(run) >= gap_days and any(d in days for d in run):
            gaps.append(Gap(first_day=run[0], last_day=run[-1]))
        run = []
    return gaps


def _add_plan_links(
    days: Iterable[Day], community: Community, space: Space | None, local_now: datetime
) -> None:
    forms = _plan_forms(community) if space is not None else []
    for day in days:
        day.entries.sort(key=lambda e: (e.moment is not None, e.moment or local_now, e.item.pk))
        moment = _plan_moment(day.date, local_now) if forms else None
        if space is not None and moment is not None:
            query = urlencode(
                {"publish_at": moment.strftime("%Y-%m-%dT%H:%M"), "space": space.slug}
            )
            day.plan_links = [PlanLink(label=label, url=f"{url}?{query}") for label, url in forms]


def _mix(
    first: date, last: date, levels_per_week: dict[tuple[int, int], dict[int, int]]
) -> list[WeekMix]:
    mix = []
    for monday in _dates(first - timedelta(days=first.weekday()), last):
        if monday.weekday():
            continue
        year, week, _weekday = monday.isocalendar()
        per_level = levels_per_week.get((year, week), {})
        mix.append(
            WeekMix(
                year=year,
                number=week,
                first_day=monday,
                last_day=monday + timedelta(days=6),
                counts=[(level, per_level.get(level, 0)) for level in EngagementLevel.values],
            )
        )
    return mix


def build_calendar(
    access: permissions.CommunityAccess,
    *,
    view: View,
    anchor: date,
    space: Space | None,
    spaces: list[Space],
    now: datetime | None = None,
) -> Calendar:
    community = access.community
    zone = community.zone
    local_now = timezone.localtime(now or timezone.now(), zone)
    today = local_now.date()
    first, last, period_first, period_last, previous, following = _period(view, anchor)
    gap_days = community.rhythm_gap_days
    # Gaps that run across the edges of the page are measured whole (up to a gap's length).
    window = list(_dates(first - timedelta(days=gap_days), last + timedelta(days=gap_days)))
    start, end = _midnight(window[0], zone), _midnight(window[-1] + timedelta(days=1), zone)

    days = {
        day: Day(
            date=day,
            in_period=period_first <= day <= period_last,
            is_today=day == today,
            is_past=day < today,
        )
        for day in _dates(first, last)
    }
    active: set[date] = set()
    levels_per_week: dict[tuple[int, int], dict[int, int]] = {}
    truncated: list[str] = []
    for model in planning.kinds():
        items = _items(model, access, start, end)
        if len(items) > PER_KIND_LIMIT:
            items = items[:PER_KIND_LIMIT]
            truncated.append(capfirst(str(model._meta.verbose_name_plural)))
        for item in items:
            entries = _entries(item, zone)
            counted = entries[0].state != "failed"
            for entry in entries:
                if counted:
                    active.add(entry.day)
                if entry.day in days:
                    days[entry.day].entries.append(entry)
            publication = entries[0].day
            if counted and first <= publication <= last:
                year, week, _weekday = publication.isocalendar()
                per_level = levels_per_week.setdefault((year, week), {})
                per_level[int(model.LEVEL)] = per_level.get(int(model.LEVEL), 0) + 1

    since = local_today(community, community.created_at) if community.created_at else window[0]
    gaps = _gaps(days, window, active, gap_days, since)
    for gap in gaps:
        for day in _dates(gap.first_day, gap.last_day):
            if day in days:
                days[day].in_gap = True

    _add_plan_links(days.values(), community, space, local_now)

    return Calendar(
        community=community,
        view=view,
        anchor=anchor,
        today=today,
        first_day=first,
        last_day=last,
        period_first=period_first,
        period_last=period_last,
        previous=previous,
        next=following,
        days=list(days.values()),
        mix=_mix(first, last, levels_per_week),
        gaps=gaps,
        levels=[(level, _level_label(level)) for level in EngagementLevel.values],
        space=space,
        spaces=spaces,
        truncated=truncated,
    )
