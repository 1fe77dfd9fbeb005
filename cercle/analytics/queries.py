"""What the cockpit pages show: every figure as a table (the same tables feed the
charts, the CSV exports and the monthly report), read from the count tables in a
fixed number of queries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import Any

from django.db.models import Count
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from cercle import permissions, sections
from cercle.analytics import counting, lifestage, metrics, numbers, overview
from cercle.analytics.models import (
    LEVEL_ORDER,
    FillState,
    Level,
    MemberLevel,
    ParticipationRule,
    QuestionLife,
)
from cercle.communities.models import Community, SpaceMember
from cercle.conversations.models import Post, Reaction, Topic
from cercle.people.models import Profile
from cercle.permissions import Actor

LEVEL_LABELS = dict(Level.choices)
FLOW_LABELS = {
    "up": gettext_lazy("Moved up"),
    "stayed": gettext_lazy("Stayed"),
    "down": gettext_lazy("Moved down"),
    "gone": gettext_lazy("Left"),
}
NOTHING = numbers.NOTHING
TOP_CONTRIBUTORS = 10
ENGAGEMENT_TOPICS = 10
UNANSWERED_SHOWN = 10


@dataclass
class Table:
    """A table of figures, shown as is, exported as CSV and drawn as a chart."""

    key: str
    caption: str
    headers: list[str]
    rows: list[list[Any]]
    note: str = ""
    chart: str = ""  # "line", "bar" or "" (no chart); the first column labels the points
    chart_columns: list[int] = field(default_factory=list)  # which columns are drawn

    def chart_data(self) -> dict[str, Any]:
        return {
            "type": self.chart,
            "labels": [str(row[0]) for row in self.rows],
            "datasets": [
                {"label": self.headers[column], "data": [row[column] for row in self.rows]}
                for column in self.chart_columns
            ],
            "caption": self.caption,
        }


# The cockpit's sub-pages, in the order of its tabs: each shows its tables, with their
# charts and CSV downloads (docs/cockpit.md).
SECTIONS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "activity": (gettext_lazy("Activity"), ("summary", "kinds", "activity")),
    "participation": (
        gettext_lazy("Participation"),
        ("levels", "flows", "history", "contributors"),
    ),
    "engagement": (gettext_lazy("Engagement"), ("ladder", "reached", "engagement")),
    "responsiveness": (gettext_lazy("Responsiveness"), ("responsiveness",)),
    "retention": (gettext_lazy("Retention"), ("retention",)),
    "knowledge": (gettext_lazy("Knowledge"), ("knowledge",)),
}
TABLE_SECTIONS = {table: name for name, (_title, tables) in SECTIONS.items() for table in tables}


@dataclass
class Tab:
    key: str  # "" for the overview
    title: str
    current: bool


@dataclass
class CockpitPage:
    """What every page of the cockpit shows above its content: the period, the tabs,
    and the one clock of its figures."""

    community: Community
    access: permissions.CommunityAccess
    period: metrics.Period
    periods: list[tuple[str, str]]
    counted_at: datetime | None  # when the count tables were last filled; None: never
    tabs: list[Tab]


@dataclass
class Overview(CockpitPage):
    stage: lifestage.LifeStage
    tiles: list[overview.Tile]
    members: int
    sections: list[sections.Shown]


@dataclass
class SectionPage(CockpitPage):
    section: str
    title: str
    tables: dict[str, Table]
    unanswered: list[Topic]

    @property
    def charts(self) -> list[dict[str, Any]]:
        return [
            {"id": f"chart-{table.key}", **table.chart_data()}
            for table in self.tables.values()
            if table.chart
        ]


def cockpit_community(actor: Actor, slug: str) -> tuple[Community, permissions.CommunityAccess]:
    """A community whose cockpit the actor may see, or a 404 (others learn nothing)."""
    community, access = permissions.community_for(actor, slug)
    if not permissions.cockpit.may_see_cockpit(access):
        raise Http404
    return community, access


def today() -> date:
    return timezone.now().astimezone(UTC).date()


def counted_at() -> datetime | None:
    """The one clock of the cockpit: when the count tables were last filled. What the
    cockpit reads beside them (posts, articles, members) is bounded by it, so that no
    figure counts what happened after the time it says it was counted."""
    state = FillState.objects.filter(name=counting.FILL_STATE).first()
    return state.updated_at if state else None


def _tabs(current: str) -> list[Tab]:
    return [Tab("", _("Overview"), current == "")] + [
        Tab(key, str(title), key == current) for key, (title, _tables) in SECTIONS.items()
    ]


def _periods() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, (_days, label) in metrics.PERIODS.items()]


def cockpit(actor: Actor, slug: str, period_key: str | None) -> Overview:
    """The cockpit's first screen: the life stage and its reasons, the figure tiles with
    their change and sparkline, and the first next actions (cercle/sections.py)."""
    community, access = cockpit_community(actor, slug)
    span = metrics.period(period_key)
    counted = counted_at()
    members = overview.member_count(community, counted or timezone.now())
    return Overview(
        community=community,
        access=access,
        period=span,
        periods=_periods(),
        counted_at=counted,
        tabs=_tabs(""),
        stage=lifestage.life_stage(community, today(), members_now=members),
        tiles=overview.tiles(community, span, members, timezone.now()),
        members=members,
        sections=sections.gather("analytics.cockpit.overview", access=access),
    )


def cockpit_section(actor: Actor, slug: str, section: str, period_key: str | None) -> SectionPage:
    """One sub-page of the cockpit: its tables, each with its chart and CSV."""
    if section not in SECTIONS:
        raise Http404
    community, access = cockpit_community(actor, slug)
    span = metrics.period(period_key)
    counted = counted_at()
    reading = _Reading(access, span, counted or timezone.now())
    title, keys = SECTIONS[section]
    return SectionPage(
        community=community,
        access=access,
        period=span,
        periods=_periods(),
        counted_at=counted,
        tabs=_tabs(section),
        section=section,
        title=str(title),
        tables={key: reading.table(key) for key in keys},
        unanswered=_unanswered(access, community) if section == "responsiveness" else [],
    )


class _Reading:
    """The figures a sub-page's tables read, each read once and only if a table needs it."""

    def __init__(
        self, access: permissions.CommunityAccess, span: metrics.Period, until: datetime
    ) -> None:
        self.access, self.community, self.span, self.until = access, access.community, span, until

    @cached_property
    def now(self) -> metrics.Activity:
        return metrics.activity(self.community, self.span)

    @cached_property
    def earlier(self) -> metrics.Activity:
        return metrics.activity(self.community, self.span.previous())

    @cached_property
    def answers(self) -> metrics.Responsiveness:
        return metrics.responsiveness(self.community, self.span)

    @cached_property
    def answers_before(self) -> metrics.Responsiveness:
        return metrics.responsiveness(self.community, self.span.previous())

    @cached_property
    def levels(self) -> metrics.Participation:
        return metrics.participation(self.community, self.span)

    def table(self, key: str) -> Table:
        community, span, access = self.community, self.span, self.access
        builders: dict[str, Callable[[], Table]] = {
            "summary": lambda: _summary(self.now, self.earlier, self.answers, self.answers_before),
            "kinds": lambda: _kinds_table(self.now, self.earlier),
            "activity": lambda: _activity_table(community, span),
            "levels": lambda: _levels_table(self.levels, today()),
            "flows": lambda: _flows_table(self.levels),
            "history": lambda: _levels_history(self.levels, today()),
            "contributors": lambda: _contributors(community, span)[0],
            "ladder": lambda: _ladder_table(community, span),
            "reached": lambda: _reached_table(self.levels),
            "engagement": lambda: _engagement_table(access, community, span, self.until),
            "responsiveness": lambda: _responsiveness_table(self.answers, self.answers_before),
            "retention": lambda: _retention_table(community, span),
            "knowledge": lambda: _knowledge_table(self.now, self.earlier, access, span, self.until),
        }
        if key not in builders:
            raise Http404
        return builders[key]()


def cockpit_table(actor: Actor, slug: str, key: str, period_key: str | None) -> SectionPage:
    """The sub-page that holds the table `key` (for its CSV download), or a 404."""
    if key not in TABLE_SECTIONS:
        raise Http404
    page = cockpit_section(actor, slug, TABLE_SECTIONS[key], period_key)
    page.tables = {key: page.tables[key]}
    return page


def _fmt(value: float | None, suffix: str = "") -> str:
    """A figure as the reader's language writes it: "12.5%" in English, "12,5 %" in French."""
    return numbers.fmt(value, suffix)


def _change(now: float | None, before: float | None) -> str:
    change = metrics.change(now, before)
    if change is None:
        return NOTHING
    return ("+" if change > 0 else "") + _fmt(change, "%")


def _comparison_headers() -> list[str]:
    return [
        _("Figure"),
        _("This period"),
        _("Period before"),
        pgettext("compared with the period before", "Change"),
    ]


def _comparison_rows(lines: list[tuple[str, float | None, float | None, str]]) -> list[list[Any]]:
    """Each figure of this period beside the period before, and the change."""
    return [
        [label, _fmt(value, suffix), _fmt(previous, suffix), _change(value, previous)]
        for label, value, previous, suffix in lines
    ]


def _summary(
    now: metrics.Activity,
    earlier: metrics.Activity,
    answers: metrics.Responsiveness,
    answers_before: metrics.Responsiveness,
) -> Table:
    lines: list[tuple[str, float | None, float | None, str]] = [
        (_("Members active in the period"), now.active_members, earlier.active_members, ""),
        (_("Members who contributed"), now.contributors, earlier.contributors, ""),
        (_("Daily active members (mean)"), now.dau, earlier.dau, ""),
        (_("Weekly active members (mean)"), now.wau, earlier.wau, ""),
        (_("Monthly active members (mean)"), now.mau, earlier.mau, ""),
        (_("Stickiness (daily / monthly active)"), now.stickiness, earlier.stickiness, "%"),
        (_("New members"), now.new_members, earlier.new_members, ""),
        (_("Members who left"), now.left_members, earlier.left_members, ""),
        (_("Questions asked"), answers.questions, answers_before.questions, ""),
        (_("Questions answered"), answers.answered_pct, answers_before.answered_pct, "%"),
    ]
    return Table(
        key="summary",
        caption=_("The period at a glance, beside the period before"),
        headers=_comparison_headers(),
        rows=_comparison_rows(lines),
    )


KIND_LABELS = {
    "topics": gettext_lazy("Topics started"),
    "questions": gettext_lazy("of which questions"),
    "answers": gettext_lazy("Answers"),
    "replies": gettext_lazy("Other replies"),
    "reactions": gettext_lazy("Reactions"),
    "knowledge": gettext_lazy("Articles and resources added"),
}


def _kinds_table(now: metrics.Activity, earlier: metrics.Activity) -> Table:
    """Contributions per day by kind, beside the period before."""
    return Table(
        key="kinds",
        caption=_("Contributions per day, by kind"),
        headers=_comparison_headers(),
        rows=_comparison_rows(
            [
                (str(KIND_LABELS[kind]), now.per_day[kind], earlier.per_day[kind], "")
                for kind in metrics.ACTIVITY_KINDS
            ]
        ),
    )


def _activity_table(community: Community, span: metrics.Period) -> Table:
    series = metrics.activity_series(community, span)
    weekly = span.days > 92
    return Table(
        key="activity",
        caption=_("Active members and actions, per week")
        if weekly
        else _("Active members and actions, per day"),
        headers=[
            _("Week of") if weekly else _("Day"),
            _("Active members"),
            _("Contributors"),
            _("Reacting (level 1)"),
            _("Taking part (level 2)"),
            _("Creating (level 3)"),
        ],
        rows=[
            [label, *(int(series.lines[line][index]) for line in series.lines)]
            for index, label in enumerate(series.labels)
        ],
        note=_("Per week, a member active on several days counts once a day.") if weekly else "",
        chart="line",
        chart_columns=[1, 2],
    )


def _levels_table(levels: metrics.Participation, on: date) -> Table:
    """The levels at the end of the period's last month; "so far" when that month is
    the current one (`on` is today), which has not ended."""
    rows = []
    for level in reversed(LEVEL_ORDER):
        reference = metrics.RULE_90_9_1.get(level)
        wenger = metrics.WENGER_SHARES.get(level)
        rows.append(
            [
                str(LEVEL_LABELS[level]),
                levels.counts.get(str(level), 0),
                _fmt(levels.shares.get(str(level)), "%"),
                _fmt(reference, "%") if reference is not None else NOTHING,
                _("%(low)d to %(high)d%%") % {"low": wenger[0], "high": wenger[1]}
                if wenger
                else NOTHING,
            ]
        )
    return Table(
        key="levels",
        caption=(
            _("Levels of participation in %(month)s so far")
            if levels.month >= counting.month_start(on)
            else _("Levels of participation at the end of %(month)s")
        )
        % {"month": date_format(levels.month, "F Y")},
        headers=[
            _("Level"),
            _("Members"),
            _("Share"),
            _("The 90-9-1 rule"),
            _("Wenger's shares"),
        ],
        rows=rows,
        chart="bar",
        chart_columns=[1],
    )


def _flows_table(levels: metrics.Participation) -> Table:
    rows = []
    for level in reversed(LEVEL_ORDER):
        moves = levels.flows.get(str(level), {})
        rows.append([str(LEVEL_LABELS[level]), *(moves.get(key, 0) for key in FLOW_LABELS)])
    new = levels.flows.get("new", {})
    return Table(
        key="flows",
        caption=_("Where last month's members went, by their level then"),
        headers=[_("Level last month"), *(str(label) for label in FLOW_LABELS.values())],
        rows=rows,
        note=_("Newcomers this month, by level: %(levels)s.")
        % {
            "levels": ", ".join(
                f"{LEVEL_LABELS[level]} {new.get(str(level), 0)}" for level in reversed(LEVEL_ORDER)
            )
        },
    )


def _levels_history(levels: metrics.Participation, on: date) -> Table:
    current = counting.month_start(on)
    return Table(
        key="history",
        caption=_("Levels of participation at the end of each month"),
        headers=[_("Month"), *(str(LEVEL_LABELS[level]) for level in reversed(LEVEL_ORDER))],
        rows=[
            [
                _("%(month)s (so far)") % {"month": month.strftime("%Y-%m")}
                if month >= current
                else month.strftime("%Y-%m"),
                *(counts[level] for level in reversed(LEVEL_ORDER)),
            ]
            for month, counts in levels.history
        ],
        note=_("The current month has not ended: its levels are those so far.")
        if any(month >= current for month, _counts in levels.history)
        else "",
        chart="bar" if len(levels.history) > 1 else "",
        chart_columns=[1, 2, 3],
    )


def _ladder_table(community: Community, span: metrics.Period) -> Table:
    series = metrics.ladder(community, span)
    return Table(
        key="ladder",
        caption=_("The engagement ladder: actions at each level, per week"),
        headers=[
            _("Week of"),
            _("Reacting (level 1)"),
            _("Taking part (level 2)"),
            _("Creating (level 3)"),
        ],
        rows=[
            [label, *(int(series.lines[line][index]) for line in series.lines)]
            for index, label in enumerate(series.labels)
        ],
        chart="bar",
        chart_columns=[1, 2, 3],
    )


def _reached_table(levels: metrics.Participation) -> Table:
    names = {
        "1": _("Reacting (level 1)"),
        "2": _("Taking part (level 2)"),
        "3": _("Creating (level 3)"),
    }
    return Table(
        key="reached",
        caption=_("Share of members who reached each level of engagement in the period"),
        headers=[_("Level of engagement"), _("Share of members")],
        rows=[[names[level], _fmt(share, "%")] for level, share in levels.reached.items()],
        note=_("Concentration of contributions: Gini %(gini)s, top 1%% of contributors %(top)s.")
        % {
            "gini": _fmt(levels.gini),
            "top": _fmt(
                round(levels.top1_share * 100, 1) if levels.top1_share is not None else None, "%"
            ),
        },
    )


def _responsiveness_table(now: metrics.Responsiveness, before: metrics.Responsiveness) -> Table:
    lines: list[tuple[str, float | None, float | None, str]] = [
        (_("Questions asked"), now.questions, before.questions, ""),
        (_("Answered"), now.answered_pct, before.answered_pct, "%"),
        (_("Solved (an answer accepted)"), now.solved_pct, before.solved_pct, "%"),
        (
            _("Time to first answer, median"),
            now.median_hours_first_answer,
            before.median_hours_first_answer,
            " h",
        ),
        (
            _("Time to first answer, 90th percentile"),
            now.p90_hours_first_answer,
            before.p90_hours_first_answer,
            " h",
        ),
        (
            _("Time to accepted answer, median"),
            now.median_hours_accepted,
            before.median_hours_accepted,
            " h",
        ),
        (
            _("Time to accepted answer, 90th percentile"),
            now.p90_hours_accepted,
            before.p90_hours_accepted,
            " h",
        ),
        (
            _("Still unanswered after 48 hours"),
            now.unanswered_after_48h,
            before.unanswered_after_48h,
            "",
        ),
    ]
    return Table(
        key="responsiveness",
        caption=_("Responsiveness: the questions asked in the period"),
        headers=_comparison_headers(),
        rows=_comparison_rows(lines),
    )


def _retention_table(community: Community, span: metrics.Period) -> Table:
    cohorts = metrics.retention(community, span, today())
    return Table(
        key="retention",
        caption=_("Retention: members who joined each month, still active later"),
        headers=[
            _("Joined in"),
            _("Members"),
            *(
                _("After %(months)d months") % {"months": offset}
                if offset > 1
                else _("After 1 month")
                for offset in metrics.RETENTION_OFFSETS
            ),
            _("Days to a first contribution (median)"),
        ],
        rows=[
            [
                cohort.month.strftime("%Y-%m"),
                cohort.size,
                *(_fmt(cohort.retained[offset], "%") for offset in metrics.RETENTION_OFFSETS),
                _fmt(cohort.first_contribution_days),
            ]
            for cohort in cohorts
        ],
        note=_(
            "Active: any activity in that month, a visit included. Days to a first "
            "contribution: over the newcomers who have contributed since."
        ),
    )


def _knowledge_table(
    now: metrics.Activity,
    earlier: metrics.Activity,
    access: permissions.CommunityAccess,
    span: metrics.Period,
    until: datetime | None = None,
) -> Table:
    """The counts cover the whole community; the articles it names are those the reader
    may read (staff included: a title in a space they may not read stays unknown).
    Nothing written after `until` (the time the figures were counted) is read."""
    from cercle.knowledge.models import Resource  # noqa: PLC0415 - apps load in order
    from cercle.wiki.models import Article  # noqa: PLC0415

    community = access.community
    since, end = counting.midnight(span.start), counting.midnight(span.end)
    if until is not None:
        end = min(end, until)
    articles = Article.objects.filter(
        community=community, created_at__gte=since, created_at__lt=end
    )
    captured = articles.exclude(source_topic=None).count()
    written = articles.count()
    resources = Resource.objects.filter(
        collection__community=community, created_at__gte=since, created_at__lt=end
    ).count()
    reused = list(
        Article.objects.filter(
            community=community,
            space__in=permissions.readable_spaces(access),
            created_at__lt=end,
        )
        .order_by("-revision_number", "-updated_at")
        .values_list("title", "revision_number")[:5]
    )
    return Table(
        key="knowledge",
        caption=_("Knowledge: what the community wrote down and collected"),
        headers=_comparison_headers(),
        rows=[
            [
                _("Articles and resources added"),
                now.totals["knowledge"],
                earlier.totals["knowledge"],
                _change(now.totals["knowledge"], earlier.totals["knowledge"]),
            ],
            [_("Wiki articles written"), written, NOTHING, NOTHING],
            [_("of which captured from conversations"), captured, NOTHING, NOTHING],
            [_("Library resources added"), resources, NOTHING, NOTHING],
        ],
        note=_("Most revised articles: %(articles)s.")
        % {"articles": ", ".join(f"{title} ({count})" for title, count in reused) or NOTHING},
    )


def _contributors(community: Community, span: metrics.Period) -> tuple[Table, int]:
    """The top contributors at the end of the period: the highest scores (weighted
    contributions over the window of the levels) of its last month. Members who asked
    not to be named are counted, never named."""
    ranked = (
        MemberLevel.objects.filter(
            community=community, month=counting.month_start(span.last_day), score__gt=0
        )
        .select_related("person")
        .order_by("-score", "person_id")[: TOP_CONTRIBUTORS * 3]
    )
    rows = list(ranked)
    hidden = set(
        Profile.objects.filter(
            person_id__in=[row.person_id for row in rows], named_in_analytics=False
        ).values_list("person_id", flat=True)
    )
    named: list[MemberLevel] = []
    unnamed = 0
    for row in rows:
        if len(named) == TOP_CONTRIBUTORS:
            break
        if row.person_id in hidden:
            unnamed += 1
        else:
            named.append(row)
    return (
        Table(
            key="contributors",
            caption=_("Top contributors (weighted contributions over the levels' window)"),
            headers=[_("Member"), _("Weighted contributions"), _("Level")],
            rows=[
                [row.person.display_name, row.score, str(LEVEL_LABELS[row.level])] for row in named
            ],
            note=ngettext(
                "%(count)d member among them asked not to be named.",
                "%(count)d members among them asked not to be named.",
                unnamed,
            )
            % {"count": unnamed}
            if unnamed
            else "",
        ),
        unnamed,
    )


def _engagement_table(
    access: permissions.CommunityAccess,
    community: Community,
    span: metrics.Period,
    until: datetime | None = None,
) -> Table:
    """The engagement rate of the period's most discussed topics: the members who
    replied or reacted (its author aside), over the members who could read it; nothing
    written after `until` (the time the figures were counted) is read."""
    end = counting.midnight(span.end) if until is None else min(counting.midnight(span.end), until)
    topics = list(
        Topic.objects.filter(
            community=community,
            created_at__gte=counting.midnight(span.start),
            created_at__lt=end,
            is_hidden=False,
            merged_into=None,
            space__in=permissions.readable_spaces(access),
        )
        .select_related("space")
        .order_by("-reply_count", "-created_at")[:ENGAGEMENT_TOPICS]
    )
    ids = [topic.pk for topic in topics]
    authors = {topic.pk: topic.author_id for topic in topics}
    interacted: dict[int, set[int]] = {topic: set() for topic in ids}
    for topic_id, person in (
        Post.objects.filter(topic_id__in=ids, position__gt=0, deleted_at=None, created_at__lt=end)
        .exclude(author=None)
        .values_list("topic_id", "author_id")
        .distinct()
    ):
        interacted[topic_id].add(person)
    for topic_id, person in (
        Reaction.objects.filter(post__topic_id__in=ids, created_at__lt=end)
        .values_list("post__topic_id", "person_id")
        .distinct()
    ):
        interacted[topic_id].add(person)
    members = overview.member_count(community, end)
    private = {topic.space_id for topic in topics if topic.space.is_private}
    listed = dict(
        SpaceMember.objects.filter(space_id__in=private)
        .values("space_id")
        .annotate(n=Count("person_id", distinct=True))
        .values_list("space_id", "n")
    )
    rows = []
    for topic in topics:
        people = interacted[topic.pk] - {authors[topic.pk]}
        audience = listed.get(topic.space_id, 0) if topic.space.is_private else members
        rate = round(len(people) / audience * 100, 1) if audience else None
        rows.append([topic.title, len(people), audience, _fmt(rate, "%")])
    return Table(
        key="engagement",
        caption=_("Engagement rate of the most discussed topics of the period"),
        headers=[
            _("Topic"),
            _("Members who interacted"),
            _("Members who could read it"),
            _("Engagement rate"),
        ],
        rows=rows,
        note=_("Interacting: replying or reacting; the topic's author does not count."),
    )


def _unanswered(access: permissions.CommunityAccess, community: Community) -> list[Topic]:
    """The oldest questions still unanswered after 48 hours, in spaces the reader reads."""
    limit = timezone.now() - metrics.ANSWER_WAIT
    waiting = QuestionLife.objects.filter(
        community=community, first_answer_at=None, asked_at__lte=limit
    ).values("topic_id")
    return list(
        Topic.objects.filter(
            pk__in=waiting,
            is_hidden=False,
            merged_into=None,
            space__in=permissions.readable_spaces(access),
        )
        .select_related("space", "community")
        .order_by("created_at")[:UNANSWERED_SHOWN]
    )


def participation_rule(community: Community) -> ParticipationRule:
    return counting.participation_rule(community.pk)


@dataclass
class MonthlyReport:
    community: Community
    access: permissions.CommunityAccess
    month: date
    period: metrics.Period
    stage: lifestage.LifeStage
    tables: dict[str, Table]
    previous_month: date
    next_month: date | None


def monthly_report(actor: Actor, slug: str, month: date) -> MonthlyReport:
    """One calendar month, against the month before: the page to print for sponsors."""
    community, access = cockpit_community(actor, slug)
    current = counting.month_start(today())
    if month > current:
        raise Http404
    following = counting.next_month(month)
    span = metrics.Period("month", month, min(following, today() + timedelta(days=1)))
    previous = counting.month_start(month - timedelta(days=1))
    before = metrics.Period("month", previous, month)
    now, earlier = metrics.activity(community, span), metrics.activity(community, before)
    answers = metrics.responsiveness(community, span)
    answers_before = metrics.responsiveness(community, before)
    levels = metrics.participation(community, span)
    tables = {
        table.key: table
        for table in (
            _summary(now, earlier, answers, answers_before),
            _levels_table(levels, today()),
            _flows_table(levels),
            _reached_table(levels),
            _responsiveness_table(answers, answers_before),
            _knowledge_table(now, earlier, access, span, counted_at() or timezone.now()),
        )
    }
    contributors, _unnamed = _contributors(community, span)
    tables[contributors.key] = contributors
    return MonthlyReport(
        community=community,
        access=access,
        month=month,
        period=span,
        stage=lifestage.life_stage(
            community,
            following if following <= today() else today(),
            # A finished month: its members at its end; the current one: today's.
            members_now=levels.members
            if following <= today()
            else overview.member_count(community, counted_at() or timezone.now()),
        ),
        tables=tables,
        previous_month=previous,
        next_month=following if following <= current else None,
    )
