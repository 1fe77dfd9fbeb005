"""The cockpit's figures, read from the count tables (docs/metrics.md).

Every function reads pre-computed tables (`CommunityDay`, `MemberDay`,
`MemberMonth`, `CommunityMonth`, `QuestionLife`) in a fixed number of queries,
whatever the size of the community; none reads the activity log.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db.models import Count, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cercle.analytics import statistics
from cercle.analytics.counting import WINDOWS, midnight, month_start, next_month
from cercle.analytics.models import CommunityDay, CommunityMonth, Level, MemberDay, QuestionLife
from cercle.communities.models import Community

PERIODS = {
    "30d": (30, _("Last 30 days")),
    "90d": (90, _("Last 90 days")),
    "12m": (365, _("Last 12 months")),
}
DEFAULT_PERIOD = "90d"
ANSWER_WAIT = timedelta(hours=48)
RETENTION_OFFSETS = (1, 2, 3, 6)
# The shares of each level in the 90-9-1 rule and in Wenger's descriptions
# (docs/metrics.md): core, active, peripheral (the rest of the members).
RULE_90_9_1 = {Level.CORE: 1.0, Level.ACTIVE: 9.0, Level.PERIPHERAL: 90.0}
WENGER_SHARES = {Level.CORE: (10, 15), Level.ACTIVE: (15, 20), Level.PERIPHERAL: (65, 75)}


@dataclass(frozen=True)
class Period:
    """Whole UTC days from `start` to `end` (excluded)."""

    key: str
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def previous(self) -> Period:
        return Period(self.key, self.start - timedelta(days=self.days), self.start)

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def label(self) -> str:
        return str(PERIODS[self.key][1]) if self.key in PERIODS else ""


def period(key: str | None, today: date | None = None) -> Period:
    """The period a cockpit shows: the `key` ones end with today (included)."""
    chosen = key if key in PERIODS else DEFAULT_PERIOD
    today = today or timezone.now().astimezone(UTC).date()
    days = PERIODS[chosen][0]
    return Period(chosen, today - timedelta(days=days - 1), today + timedelta(days=1))


def change(now: float | None, before: float | None) -> float | None:
    """The change from `before` to `now`, in percent (None when `before` is 0)."""
    if now is None or not before:
        return None
    return round((now - before) / before * 100, 1)


# --- Activity ---------------------------------------------------------------------------------


@dataclass
class Activity:
    days: int
    active_members: int  # distinct members active in the period
    contributors: int  # distinct members who acted at a level
    dau: float  # mean daily active members
    wau: float
    mau: float
    stickiness: float | None  # dau / mau, percent
    new_members: int
    left_members: int
    totals: dict[str, int]
    per_day: dict[str, float]


ACTIVITY_KINDS = ("topics", "questions", "answers", "replies", "reactions", "knowledge")


def activity(community: Community, span: Period) -> Activity:
    days = CommunityDay.objects.filter(
        community=community, day__gte=span.start, day__lt=span.end
    ).aggregate(
        dau=Sum("active"),
        wau=Sum("active_7"),
        mau=Sum("active_30"),
        new=Sum("joined"),
        left=Sum("left"),
        first=Min("day"),
        **{kind: Sum(kind) for kind in ACTIVITY_KINDS},
    )
    active, contributors = distinct_members(community, span)
    n = span.days
    lived = lived_days(span, days["first"], community.created_at.date())
    dau, wau, mau = ((days[key] or 0) / lived for key in ("dau", "wau", "mau"))
    totals = {kind: days[kind] or 0 for kind in ACTIVITY_KINDS}
    return Activity(
        days=n,
        active_members=active,
        contributors=contributors,
        dau=round(dau, 1),
        wau=round(wau, 1),
        mau=round(mau, 1),
        stickiness=stickiness(dau, mau),
        new_members=days["new"] or 0,
        left_members=days["left"] or 0,
        totals=totals,
        per_day={kind: round(total / n, 2) for kind, total in totals.items()},
    )


def lived_days(span: Period, first_recorded: date | None, created: date) -> int:
    """The days of `span` the community has lived: from its creation or its first
    recorded day, whichever came first (an import brings older days). The means of
    active members are over them: a community one day old had 5 daily active members,
    not 5/90 of one."""
    born = min(first_recorded, created) if first_recorded else created
    return max((span.end - max(span.start, born)).days, 1)


def stickiness(dau: float, mau: float) -> float | None:
    """Mean daily over mean monthly active members, in percent. Undefined (None) when
    the monthly actives, as shown (one decimal), are 0: a share of nobody is no figure,
    and "100%" beside "0 monthly active" would contradict it."""
    if round(mau, 1) == 0:
        return None
    return round(dau / mau * 100, 1)


def distinct_members(community: Community, span: Period) -> tuple[int, int]:
    """Members active, and members who contributed, in the period: read from the
    period's last day for the windows the count tables keep (7, 30, 90, 365 days),
    else counted from the member days (a calendar month)."""
    if span.days in WINDOWS:
        row = (
            CommunityDay.objects.filter(community=community, day=span.last_day)
            .values_list(f"active_{span.days}", f"contributors_{span.days}")
            .first()
        )
        return row or (0, 0)
    people = MemberDay.objects.filter(
        community=community, day__gte=span.start, day__lt=span.end
    ).aggregate(
        active=Count("person_id", distinct=True),
        contributors=Count(
            "person_id", distinct=True, filter=Q(level1__gt=0) | Q(level2__gt=0) | Q(level3__gt=0)
        ),
    )
    return people["active"], people["contributors"]


@dataclass
class Series:
    """A chart's data: one label per point, one list of values per line."""

    labels: list[str]
    lines: dict[str, list[float]]


def activity_series(community: Community, span: Period) -> Series:
    """Daily active members and contributions; by week beyond 90 days."""
    rows = list(
        CommunityDay.objects.filter(community=community, day__gte=span.start, day__lt=span.end)
        .order_by("day")
        .values_list("day", "active", "contributors", "level1", "level2", "level3")
    )
    weekly = span.days > 92
    buckets: dict[date, list[int]] = {}
    for day, active, contributors, level1, level2, level3 in rows:
        key = day - timedelta(days=day.weekday()) if weekly else day
        bucket = buckets.setdefault(key, [0, 0, 0, 0, 0])
        for index, value in enumerate((active, contributors, level1, level2, level3)):
            bucket[index] += value
    labels = [key.isoformat() for key in buckets]
    values = list(buckets.values())
    return Series(
        labels=labels,
        lines={
            "active": [float(v[0]) for v in values],
            "contributors": [float(v[1]) for v in values],
            "level1": [float(v[2]) for v in values],
            "level2": [float(v[3]) for v in values],
            "level3": [float(v[4]) for v in values],
        },
    )


# --- Participation levels ------------------------------------------------------------------


@dataclass
class Participation:
    month: date
    members: int
    counts: dict[str, int]
    shares: dict[str, float]  # percent of members
    flows: dict[str, dict[str, int]]
    gini: float | None
    top1_share: float | None
    contributions: int
    reached: dict[str, float]  # percent of members who acted at level 1, 2, 3 in the period
    history: list[tuple[date, dict[str, int]]] = field(default_factory=list)


def participation(community: Community, span: Period) -> Participation:
    """Levels at the end of the period's last month, their flows, concentration and
    reach (from `CommunityMonth`), and the months of the period for the history."""
    last = month_start(span.last_day)
    months = list(
        CommunityMonth.objects.filter(
            community=community, month__gte=month_start(span.start), month__lte=last
        ).order_by("month")
    )
    latest = months[-1] if months else CommunityMonth(community=community, month=last)
    counts = {
        Level.CORE: latest.core,
        Level.ACTIVE: latest.active,
        Level.PERIPHERAL: latest.peripheral,
        Level.INACTIVE: latest.inactive,
    }
    members = latest.members
    reached = {"1": latest.reached1, "2": latest.reached2, "3": latest.reached3}
    return Participation(
        month=latest.month,
        members=members,
        counts={str(k): v for k, v in counts.items()},
        shares={str(k): round(v / members * 100, 1) if members else 0.0 for k, v in counts.items()},
        flows=latest.flows or {},
        gini=_rounded(latest.gini, 3),
        top1_share=_rounded(latest.top1_share, 3),
        contributions=latest.contributions,
        reached={
            level: round(count / members * 100, 1) if members else 0.0
            for level, count in reached.items()
        },
        history=[
            (
                row.month,
                {
                    Level.CORE: row.core,
                    Level.ACTIVE: row.active,
                    Level.PERIPHERAL: row.peripheral,
                    Level.INACTIVE: row.inactive,
                },
            )
            for row in months
        ],
    )


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


# --- Engagement ladder -----------------------------------------------------------------------


def ladder(community: Community, span: Period) -> Series:
    """Actions at each level of engagement, per week (Monday first)."""
    weeks: dict[date, list[int]] = {}
    for day, level1, level2, level3 in (
        CommunityDay.objects.filter(community=community, day__gte=span.start, day__lt=span.end)
        .order_by("day")
        .values_list("day", "level1", "level2", "level3")
    ):
        week = weeks.setdefault(day - timedelta(days=day.weekday()), [0, 0, 0])
        week[0] += level1
        week[1] += level2
        week[2] += level3
    return Series(
        labels=[week.isoformat() for week in weeks],
        lines={
            "level1": [float(v[0]) for v in weeks.values()],
            "level2": [float(v[1]) for v in weeks.values()],
            "level3": [float(v[2]) for v in weeks.values()],
        },
    )


# --- Responsiveness -----------------------------------------------------------------------


@dataclass
class Responsiveness:
    questions: int
    answered_pct: float | None
    solved_pct: float | None
    median_hours_first_answer: float | None
    p90_hours_first_answer: float | None
    median_hours_accepted: float | None
    p90_hours_accepted: float | None
    unanswered_after_48h: int  # asked in the period, still without answer after 48 hours


def responsiveness(
    community: Community, span: Period, now: datetime | None = None
) -> Responsiveness:
    rows = list(
        QuestionLife.objects.filter(
            community=community,
            asked_at__gte=midnight(span.start),
            asked_at__lt=midnight(span.end),
        ).values_list("asked_at", "first_answer_at", "accepted_at")
    )
    return summarize_questions(rows, now or timezone.now())


def summarize_questions(
    rows: Sequence[tuple[datetime, datetime | None, datetime | None]], now: datetime
) -> Responsiveness:
    """The responsiveness of these questions (asked, first answered, solved)."""
    first = sorted((answer - asked).total_seconds() / 3600 for asked, answer, _ok in rows if answer)
    accepted = sorted(
        (solved - asked).total_seconds() / 3600 for asked, _answer, solved in rows if solved
    )
    total = len(rows)
    return Responsiveness(
        questions=total,
        answered_pct=_rounded(statistics.percent(len(first), total), 1),
        solved_pct=_rounded(statistics.percent(len(accepted), total), 1),
        median_hours_first_answer=_rounded(statistics.median(first), 2),
        p90_hours_first_answer=_rounded(percentile(first, 90), 2),
        median_hours_accepted=_rounded(statistics.median(accepted), 2),
        p90_hours_accepted=_rounded(percentile(accepted, 90), 2),
        unanswered_after_48h=sum(
            1 for asked, answer, _ok in rows if answer is None and asked <= now - ANSWER_WAIT
        ),
    )


def percentile(ordered: list[float], rank: float) -> float | None:
    """The nearest-rank percentile of sorted values (docs/metrics.md)."""
    if not ordered:
        return None
    index = max(0, math.ceil(rank / 100 * len(ordered)) - 1)
    return ordered[index]


# --- Retention ------------------------------------------------------------------------------


@dataclass
class Cohort:
    month: date
    size: int
    retained: dict[int, float | None]  # months later -> percent still active (None: not yet)
    first_contribution_days: float | None


def retention(community: Community, span: Period, today: date | None = None) -> list[Cohort]:
    """Monthly cohorts of the members who joined in the period's months, the share
    of each active 1, 2, 3 and 6 months after the month they joined, and the median
    days they took to contribute for the first time (from `CommunityMonth`)."""
    today = today or timezone.now().astimezone(UTC).date()
    current = month_start(today)
    cohorts = []
    for row in CommunityMonth.objects.filter(
        community=community,
        month__gte=month_start(span.start),
        month__lte=month_start(span.last_day),
    ).order_by("month"):
        retained: dict[int, float | None] = {}
        for offset in RETENTION_OFFSETS:
            later = row.month
            for _step in range(offset):
                later = next_month(later)
            count = row.retained.get(str(offset))
            if later >= current or count is None or not row.new_members:
                retained[offset] = None
            else:
                retained[offset] = round(count / row.new_members * 100, 1)
        cohorts.append(
            Cohort(
                month=row.month,
                size=row.new_members,
                retained=retained,
                first_contribution_days=row.first_contribution_days,
            )
        )
    return cohorts
