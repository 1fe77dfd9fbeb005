"""The figure tiles of the cockpit's overview: each figure of the period beside the
period before, with a sparkline drawn on the server (docs/cockpit.md, "Overview").

Every tile reads the count tables, in two queries for all of them: the community's
days (`CommunityDay`) of the period and the period before, and the questions asked in
them (`QuestionLife`). The member count is the members' list's (active memberships),
bounded by the time the figures were counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cercle.analytics import counting, metrics, numbers
from cercle.analytics.models import CommunityDay, QuestionLife
from cercle.communities.models import Community, Membership, Status

# A sparkline's box, in the SVG's own units (the CSS sizes it).
SPARK_WIDTH = 100
SPARK_HEIGHT = 28


@dataclass(frozen=True)
class Change:
    """A figure's change against the period before: shown as an arrow and a signed
    value, said in words to screen readers."""

    direction: str  # "up", "down" or "same"
    tone: str  # "good", "bad" or "neutral"
    text: str  # "+3", "-1.5 h" (a minus sign), "+4.2 pts"
    spoken: str  # "Up 3 against the period before (12)."


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    value: str
    change: Change | None
    sparkline: str  # the polyline's points, "" for too few to draw
    note: str = ""  # why a figure is a dash, or what it counts
    url_section: str = ""  # the sub-page with its details


def member_count(community: Community, until: datetime) -> int:
    """The community's members, as its members' list counts them (active memberships),
    joined no later than `until` (the time the figures were counted)."""
    return Membership.objects.filter(
        Q(joined_at__lte=until) | Q(joined_at=None), community=community, status=Status.ACTIVE
    ).count()


def _scaled(value: float | None, scale: int) -> float | None:
    return None if value is None else round(value * scale, 1)


def sparkline(values: Sequence[float | None]) -> str:
    """The points of a polyline through `values` (None: no point), scaled to the box."""
    known = [(index, value) for index, value in enumerate(values) if value is not None]
    if len(known) < 2:
        return ""
    low = min(value for _index, value in known)
    high = max(value for _index, value in known)
    spread = (high - low) or 1.0
    step = SPARK_WIDTH / max(len(values) - 1, 1)
    margin = 2
    usable = SPARK_HEIGHT - 2 * margin
    return " ".join(
        f"{index * step:.1f},{SPARK_HEIGHT - margin - (value - low) / spread * usable:.1f}"
        for index, value in known
    )


def _change(
    now: float | None, before: float | None, suffix: str, *, better: str = "up"
) -> Change | None:
    """The difference now minus before, signed, in the figure's unit ("pts" for a
    percentage, which changes by points); None when either is no figure."""
    if now is None or before is None:
        return None
    difference = round(now - before, 1)
    unit = " pts" if suffix == "%" else suffix
    previous = numbers.fmt(before, suffix)
    amount = numbers.with_unit(numbers.number(abs(difference)), unit)
    if difference > 0:
        direction = "up"
        spoken = _("Up %(amount)s against the period before (%(before)s).")
    elif difference < 0:
        direction = "down"
        spoken = _("Down %(amount)s against the period before (%(before)s).")
    else:
        direction = "same"
        spoken = _("The same as in the period before (%(before)s).")
    tone = "neutral" if direction == "same" else "good" if direction == better else "bad"
    return Change(
        direction=direction,
        tone=tone,
        text=numbers.signed(difference, unit) if difference else _("no change"),
        spoken=spoken % {"amount": amount, "before": previous},
    )


@dataclass
class _Days:
    """The community's days of a period, one entry per day (0 where none is recorded)."""

    span: metrics.Period
    rows: dict[date, dict[str, int]]
    created: date

    def series(self, column: str) -> list[int]:
        return [
            self.rows.get(self.span.start + timedelta(days=n), {}).get(column, 0)
            for n in range(self.span.days)
        ]

    def total(self, *columns: str) -> int:
        return sum(sum(self.series(column)) for column in columns)

    def distinct(self, kind: str) -> int:
        """Members active (or contributing) in the period: the window of its length
        that ends on its last recorded day (the count tables keep 7, 30, 90 and 365)."""
        recorded = [day for day in self.rows if day <= self.span.last_day]
        if not recorded:
            return 0
        return self.rows[max(recorded)].get(f"{kind}_{self.span.days}", 0)

    def stickiness(self) -> float | None:
        """As `metrics.activity` computes it: over the days the community has lived."""
        lived = metrics.lived_days(self.span, min(self.rows, default=None), self.created)
        return metrics.stickiness(self.total("active") / lived, self.total("active_30") / lived)


def _weekly(
    rows: list[tuple[datetime, datetime | None]], span: metrics.Period, now: datetime
) -> tuple[list[float | None], list[float | None]]:
    """Per week of the period: the share of its questions answered, and the median
    hours to their first answer (None for a week without questions)."""
    weeks = max(1, -(-span.days // 7))
    buckets: list[list[tuple[datetime, datetime | None, None]]] = [[] for _week in range(weeks)]
    for asked, answered in rows:
        index = min((asked.astimezone(UTC).date() - span.start).days // 7, weeks - 1)
        if index >= 0:
            buckets[index].append((asked, answered, None))
    summaries = [metrics.summarize_questions(bucket, now) if bucket else None for bucket in buckets]
    return (
        [summary.answered_pct if summary else None for summary in summaries],
        [summary.median_hours_first_answer if summary else None for summary in summaries],
    )


def tiles(community: Community, span: metrics.Period, members: int, now: datetime) -> list[Tile]:
    """The overview's eight tiles, for `span` against the period before it."""
    before = span.previous()
    windows = [f"{kind}_{span.days}" for kind in ("active", "contributors")]
    if span.days not in counting.WINDOWS:
        windows = []
    columns = ["active", "active_30", "joined", "left", "topics", "answers", "replies", *windows]
    rows: dict[date, dict[str, int]] = {}
    for values in CommunityDay.objects.filter(
        community=community, day__gte=before.start, day__lt=span.end
    ).values("day", *columns):
        rows[values.pop("day")] = values
    created = community.created_at.date()
    this = _Days(span, {day: row for day, row in rows.items() if day >= span.start}, created)
    last = _Days(before, {day: row for day, row in rows.items() if day < span.start}, created)

    questions = list(
        QuestionLife.objects.filter(
            community=community,
            asked_at__gte=counting.midnight(before.start),
            asked_at__lt=counting.midnight(span.end),
        ).values_list("asked_at", "first_answer_at")
    )
    start = counting.midnight(span.start)
    asked_now = [row for row in questions if row[0] >= start]
    asked_before = [row for row in questions if row[0] < start]
    answers = metrics.summarize_questions([(a, b, None) for a, b in asked_now], now)
    answers_before = metrics.summarize_questions([(a, b, None) for a, b in asked_before], now)
    answered_weekly, median_weekly = _weekly(asked_now, span, now)

    # Members day by day, back from today's count through the joins and departures.
    joined, left = this.series("joined"), this.series("left")
    counts: list[float | None] = []
    running = members
    for day in reversed(range(span.days)):
        counts.append(float(max(running, 0)))
        running = running - joined[day] + left[day]
    counts.reverse()
    members_before = max(running, 0)

    active, active_30 = this.series("active"), this.series("active_30")
    daily_stickiness: list[float | None] = [
        a / m * 100 if m else None for a, m in zip(active, active_30, strict=True)
    ]
    stickiness, stickiness_before = this.stickiness(), last.stickiness()
    replies = [
        float(a + r) for a, r in zip(this.series("answers"), this.series("replies"), strict=True)
    ]
    # Under an hour, the time to a first answer reads in minutes.
    first, first_before = (
        answers.median_hours_first_answer,
        answers_before.median_hours_first_answer,
    )
    quick = first is not None and first < 1 and (first_before is None or first_before < 1)
    scale, unit = (60, " min") if quick else (1, " h")
    active_members = this.distinct("active")
    return [
        Tile(
            "members",
            _("Members"),
            numbers.number(members),
            _change(members, members_before, ""),
            sparkline(counts),
            note=_("Today, beside the start of the period."),
            url_section="participation",
        ),
        Tile(
            "active",
            _("Active members"),
            numbers.number(active_members),
            _change(active_members, last.distinct("active"), ""),
            sparkline([float(v) for v in active]),
            note=_("Members who came at least once in the period, those who left since included.")
            if active_members > members
            else _("Members who came at least once in the period."),
            url_section="activity",
        ),
        Tile(
            "new",
            _("New members"),
            numbers.number(this.total("joined")),
            _change(this.total("joined"), last.total("joined"), ""),
            sparkline([float(v) for v in joined]),
            url_section="retention",
        ),
        Tile(
            "topics",
            _("Topics started"),
            numbers.number(this.total("topics")),
            _change(this.total("topics"), last.total("topics"), ""),
            sparkline([float(v) for v in this.series("topics")]),
            url_section="activity",
        ),
        Tile(
            "replies",
            _("Replies"),
            numbers.number(this.total("answers", "replies")),
            _change(this.total("answers", "replies"), last.total("answers", "replies"), ""),
            sparkline(replies),
            note=_("Answers and other replies."),
            url_section="activity",
        ),
        Tile(
            "answered",
            _("Questions answered"),
            numbers.percent(answers.answered_pct),
            _change(answers.answered_pct, answers_before.answered_pct, "%"),
            sparkline(answered_weekly),
            note=_("No question asked in the period.")
            if answers.answered_pct is None
            else ngettext(
                "Of %(count)s question asked in the period.",
                "Of %(count)s questions asked in the period.",
                answers.questions,
            )
            % {"count": numbers.number(answers.questions)},
            url_section="responsiveness",
        ),
        Tile(
            "first_answer",
            _("Time to a first answer"),
            numbers.fmt(_scaled(first, scale), unit),
            _change(_scaled(first, scale), _scaled(first_before, scale), unit, better="down"),
            sparkline(median_weekly),
            note=_("Median, over the questions answered.")
            if answers.median_hours_first_answer is not None
            else _("No question answered in the period."),
            url_section="responsiveness",
        ),
        Tile(
            "stickiness",
            _("Stickiness"),
            numbers.percent(stickiness),
            _change(stickiness, stickiness_before, "%"),
            sparkline(daily_stickiness),
            note=_("Daily over monthly active members.")
            if stickiness is not None
            else _("Undefined: no monthly active member in the period."),
            url_section="activity",
        ),
    ]
