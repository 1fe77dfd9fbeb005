"""Filling the count tables from the activity log (docs/metrics.md, "Count tables").

The log (`ActivityEvent`) is the single source. `fill()` reads the events written
since its watermark (`FillState`), finds which communities they touch and from which
day, and recomputes that community's tables from that day on, in one transaction
with the new watermark: running it twice changes nothing, an interrupted fill leaves
the tables as they were, and events written late with an old time (an import) are
counted on their own day. `rebuild()` empties every table and counts the whole log
again.

The recomputation, per community and from a day D:
1. the daily tables (`MemberDay`, `SpaceDay`, `CommunityDay`'s sums) are grouped by
   the database from the events of D and later, in one INSERT ... SELECT each;
2. `CommunityDay`'s distinct counts (active that day, in 7 and in 30 days) read the
   member days once, in order of days;
3. `MemberMonth` is grouped from the member days of D's month and later;
4. the participation levels (`MemberLevel`) and the community's months
   (`CommunityMonth`: levels, flows between levels, concentration) follow from the
   member months and the memberships;
5. `QuestionLife` is written again for the questions asked, answered or solved since D.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from cercle.activity import verbs
from cercle.activity.models import ActivityEvent
from cercle.activity.verbs import Tally, verbs_counting
from cercle.analytics import statistics
from cercle.analytics.models import (
    LEVEL_ORDER,
    CommunityDay,
    CommunityMonth,
    FillState,
    Level,
    MemberDay,
    MemberLevel,
    MemberMonth,
    ParticipationRule,
    QuestionLife,
    SpaceDay,
)
from cercle.bulkcopy import Table
from cercle.communities.models import Membership
from cercle.conversations.models import Post, Topic

FILL_STATE = "counts"
POST_TYPE = "conversations.post"
TOPIC_TYPE = "conversations.topic"


def _verb_in(names: Iterable[str]) -> str:
    """A condition on the event's verb: one of `names`, declared verbs, whose names are
    lowercase words and dots (`verbs.declare` checks it), safe to write as they are."""
    listed = ", ".join(f"'{verbs.declared(name).name}'" for name in names)
    return f"verb IN ({listed})" if listed else "1 = 0"


# What each tally column counts: a condition on the event (docs/metrics.md). The
# verbs of each are those declared to count toward it (`cercle.activity.verbs`).
TALLY: dict[str, str] = {
    "events": "1 = 1",
    Tally.VISITS.value: _verb_in(verbs_counting(Tally.VISITS)),
    "level1": "level = 1",
    "level2": "level = 2",
    "level3": "level = 3",
    **{
        tally.value: _verb_in(verbs_counting(tally))
        for tally in (
            Tally.TOPICS,
            Tally.QUESTIONS,
            Tally.ANSWERS,
            Tally.REPLIES,
            Tally.REACTIONS,
            Tally.KNOWLEDGE,
            Tally.JOINED,
            Tally.LEFT,
        )
    },
}
WEIGHTS = {"level1": 1, "level2": 2, "level3": 3}
# Above this many events in one fill, the count tables are analyzed as they are written.
ANALYZE_AFTER = 50_000


@dataclass
class FillReport:
    events: int = 0
    communities: dict[int, date] = field(default_factory=dict)  # community -> from day
    last_event_id: int = 0


def fill(*, batch: int = 500_000, today: date | None = None) -> FillReport:
    """Count the events written since the last fill; return what was done."""
    report = FillReport()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Grouping millions of events wants more memory than the default 4 MB,
            # for this transaction only.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = '256MB'")
        state, _created = FillState.objects.select_for_update().get_or_create(name=FILL_STATE)
        start = state.last_event_id
        while True:
            high = _batch_end(start, batch)
            if high is None:
                break
            touched = (
                ActivityEvent.objects.filter(pk__gt=start, pk__lte=high)
                .exclude(community=None)
                .values("community_id")
                .annotate(first=Min("created_at"), n=Count("pk"))
                .order_by()
            )
            for row in touched:
                day = _utc_day(row["first"])
                known = report.communities.get(row["community_id"])
                report.communities[row["community_id"]] = min(day, known) if known else day
                report.events += row["n"]
            start = high
        # Many events: the tables about to be read have changed a lot, and the planner
        # must know it (on PostgreSQL, fresh rows have no statistics until analyzed).
        analyze = report.events > ANALYZE_AFTER
        for community_id, first_day in sorted(report.communities.items()):
            recount(community_id, first_day, today=today, analyze=analyze)
        state.last_event_id = start
        state.save(update_fields=["last_event_id", "updated_at"])
        report.last_event_id = start
    return report


def rebuild(*, today: date | None = None) -> FillReport:
    """Empty every count table and count the whole log again."""
    with transaction.atomic():
        for model in (
            MemberDay,
            SpaceDay,
            CommunityDay,
            MemberMonth,
            MemberLevel,
            CommunityMonth,
            QuestionLife,
        ):
            model.objects.all().delete()
        FillState.objects.filter(name=FILL_STATE).delete()
        return fill(batch=5_000_000, today=today)


def _batch_end(start: int, batch: int) -> int | None:
    ids = ActivityEvent.objects.filter(pk__gt=start).order_by("pk").values_list("pk", flat=True)
    last = ids[batch - 1 : batch].first()
    if last is not None:
        return last
    return (
        ActivityEvent.objects.filter(pk__gt=start)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )


def _utc_day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def midnight(day: date) -> datetime:
    """The start of a UTC day."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def months_between(first: date, last: date) -> Iterator[date]:
    month = month_start(first)
    while month <= last:
        yield month
        month = next_month(month)


# --- Recounting one community from a day ---------------------------------------------------


def recount(
    community_id: int, first_day: date, *, today: date | None = None, analyze: bool = False
) -> None:
    """Recompute every table of one community from `first_day` on (inside the
    caller's transaction)."""
    today = today or timezone.now().astimezone(UTC).date()
    since = midnight(first_day)
    MemberDay.objects.filter(community_id=community_id, day__gte=first_day).delete()
    SpaceDay.objects.filter(community_id=community_id, day__gte=first_day).delete()
    CommunityDay.objects.filter(community_id=community_id, day__gte=first_day).delete()
    _group_events("analytics_memberday", ["community_id", "person_id"], community_id, since)
    _group_events("analytics_spaceday", ["space_id", "community_id"], community_id, since)
    if analyze:
        _analyze(
            "analytics_activityevent",
            "analytics_memberday",
            "analytics_spaceday",
            "communities_membership",
            "conversations_topic",
            "conversations_post",
        )
    sums = _event_sums(community_id, since)
    last_day = max([today, *sums])
    _write_community_days(community_id, first_day, last_day, sums)
    first_month = month_start(first_day)
    _write_member_months(community_id, first_month)
    if analyze:
        _analyze("analytics_communityday", "analytics_membermonth")
    _write_levels(community_id, first_month, month_start(last_day))
    _write_question_lives(community_id, since)


def recount_levels(community_id: int, *, today: date | None = None) -> None:
    """Compute the levels and months of a community again (after its rule changed)."""
    today = today or timezone.now().astimezone(UTC).date()
    first = MemberMonth.objects.filter(community_id=community_id).order_by("month").first()
    if first is not None:
        _write_levels(community_id, first.month, month_start(today))


def _analyze(*tables: str) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(tables)}")


def _day_sql() -> str:
    if connection.vendor == "postgresql":
        return "(created_at AT TIME ZONE 'UTC')::date"
    return "date(created_at)"


def _tally_sql() -> str:
    return ", ".join(f"SUM(CASE WHEN {rule} THEN 1 ELSE 0 END)" for rule in TALLY.values())


def _group_events(table: str, keys: list[str], community_id: int, since: datetime) -> None:
    """INSERT the day rows of `table`, grouped by `keys` and the day, from the events."""
    quote = connection.ops.quote_name
    sources = {"person_id": "actor_id"}
    chosen = [sources.get(key, key) for key in keys]
    present = " AND ".join(f"{column} IS NOT NULL" for column in chosen)
    if "actor_id" in chosen:
        # Leaving is not being there: a member's days do not count it.
        present += f" AND NOT {_verb_in(verbs.not_member_days())}"
    columns = ", ".join(quote(name) for name in [*keys, "day", *TALLY])
    sql = (
        f"INSERT INTO {quote(table)} ({columns}) "  # noqa: S608 - our own names
        f"SELECT {', '.join(chosen)}, {_day_sql()}, {_tally_sql()} "
        f"FROM analytics_activityevent WHERE community_id = %s AND created_at >= %s "
        f"AND {present} GROUP BY {', '.join(chosen)}, {_day_sql()}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [community_id, _db_time(since)])


def _db_time(moment: datetime) -> Any:
    """A time as a raw query must pass it (naive UTC text on SQLite)."""
    return connection.ops.adapt_datetimefield_value(moment)


def _event_sums(community_id: int, since: datetime) -> dict[date, tuple[int, ...]]:
    """The community's tallies per day (every event, with or without an actor)."""
    sql = (
        f"SELECT {_day_sql()}, {_tally_sql()} FROM analytics_activityevent "  # noqa: S608
        f"WHERE community_id = %s AND created_at >= %s GROUP BY {_day_sql()}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [community_id, since])
        rows = cursor.fetchall()
    return {_as_date(row[0]): tuple(int(value or 0) for value in row[1:]) for row in rows}


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


WINDOWS = (7, 30, 90, 365)


def _write_community_days(
    community_id: int, first_day: date, last_day: date, sums: dict[date, tuple[int, ...]]
) -> None:
    """One row per day from `first_day` to `last_day`. The distinct counts come from
    the member days: `active` and `contributors` by a GROUP BY; `active_N` by counting,
    for each member day, the days it is the member's latest active day within N days:
    from that day until the member's next active day or N days later. Those spans never
    overlap for one member, so starts minus stops, summed in order, is the number of
    distinct members (`contributors_N` the same over contributing days)."""
    window_start = first_day - timedelta(days=max(WINDOWS) - 1)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT day, COUNT(*), SUM(CASE WHEN level1 + level2 + level3 > 0 THEN 1 ELSE 0 END) "
            "FROM analytics_memberday WHERE community_id = %s AND day >= %s GROUP BY day",
            [community_id, _db_date(first_day)],
        )
        daily = {_as_date(day): (int(n), int(c or 0)) for day, n, c in cursor.fetchall()}
        changes = {
            "active": _span_changes(cursor, community_id, window_start, contributing=False),
            "contributors": _span_changes(cursor, community_id, window_start, contributing=True),
        }
    running = {(kind, days): 0 for kind in changes for days in WINDOWS}
    names = list(TALLY)
    empty = (0,) * len(names)
    rows = []
    day = window_start
    while day <= last_day:
        for kind, days in running:
            running[kind, days] += changes[kind][days][day]
        if day >= first_day:
            active, contributors = daily.get(day, (0, 0))
            spans = [running[kind, days] for kind in ("active", "contributors") for days in WINDOWS]
            rows.append((community_id, day, active, contributors, *spans, *sums.get(day, empty)))
        day += timedelta(days=1)
    span_columns = [f"{kind}_{days}" for kind in ("active", "contributors") for days in WINDOWS]
    Table(
        CommunityDay, ["community_id", "day", "active", "contributors", *span_columns, *names]
    ).write(rows)


def _span_changes(
    cursor: Any, community_id: int, window_start: date, *, contributing: bool
) -> dict[int, Counter[date]]:
    """For each window of N days: +1 on each member day, -1 where its span ends."""
    condition = " AND level1 + level2 + level3 > 0" if contributing else ""
    materialized = "MATERIALIZED " if connection.vendor == "postgresql" else ""
    stops = " UNION ALL ".join(_stop_sql(days) for days in WINDOWS)
    cursor.execute(
        f"WITH spans AS {materialized}("  # noqa: S608 - our own SQL
        "SELECT day, LEAD(day) OVER (PARTITION BY person_id ORDER BY day) AS next_day "
        f"FROM analytics_memberday WHERE community_id = %s AND day >= %s{condition}) "
        f"SELECT 0, day, COUNT(*) FROM spans GROUP BY day UNION ALL {stops}",
        [community_id, _db_date(window_start)],
    )
    changes: dict[int, Counter[date]] = {days: Counter() for days in WINDOWS}
    for days, moment, count in cursor.fetchall():
        if days == 0:
            for window in WINDOWS:
                changes[window][_as_date(moment)] += int(count)
        else:
            changes[int(days)][_as_date(moment)] -= int(count)
    return changes


def _stop_sql(days: int) -> str:
    """Where the spans of a window of `days` days end, grouped."""
    until = _plus_days("day", days)
    stop = _least(until, f"COALESCE(next_day, {until})")
    return f"SELECT {days}, {stop}, COUNT(*) FROM spans GROUP BY 2"  # noqa: S608 - our SQL


def _db_date(day: date) -> Any:
    return connection.ops.adapt_datefield_value(day)


def _plus_days(column: str, days: int) -> str:
    if connection.vendor == "postgresql":
        return f"({column} + {days})"
    return f"date({column}, '+{days} days')"


def _least(first: str, second: str) -> str:
    return (
        f"LEAST({first}, {second})"
        if connection.vendor == "postgresql"
        else (f"min({first}, {second})")
    )


def _write_member_months(community_id: int, first_month: date) -> None:
    MemberMonth.objects.filter(community_id=community_id, month__gte=first_month).delete()
    if connection.vendor == "postgresql":
        month = "date_trunc('month', day)::date"
    else:
        month = "date(day, 'start of month')"
    sql = (
        "INSERT INTO analytics_membermonth (community_id, person_id, month, days, visits, "  # noqa: S608
        "level1, level2, level3, questions, answers) "
        f"SELECT community_id, person_id, {month}, COUNT(*), SUM(visits), SUM(level1), "
        "SUM(level2), SUM(level3), SUM(questions), SUM(answers) FROM analytics_memberday "
        f"WHERE community_id = %s AND day >= %s GROUP BY community_id, person_id, {month}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [community_id, connection.ops.adapt_datefield_value(first_month)])


def participation_rule(community_id: int) -> ParticipationRule:
    """The community's rule, or the defaults (not saved) when it never changed them."""
    rule = ParticipationRule.objects.filter(community_id=community_id).first()
    return rule or ParticipationRule(community_id=community_id)


@dataclass
class _Membership:
    person: int
    joined: date
    ended: date | None


RETENTION_OFFSETS = (1, 2, 3, 6)


def _write_levels(community_id: int, first_month: date, last_month: date) -> None:
    """Levels at the end of each month from `first_month` to `last_month`, and the
    community's months (which also need the month before `first_month` for flows,
    and the six before it for the retention of their newcomers)."""
    rule = participation_rule(community_id)
    earliest = first_month
    for _step in range(max(rule.window_months, *RETENTION_OFFSETS)):
        earliest = month_start(earliest - timedelta(days=1))
    months: dict[date, dict[int, tuple[int, int, int, int, int]]] = defaultdict(dict)
    for person, month, days, level1, level2, level3 in MemberMonth.objects.filter(
        community_id=community_id, month__gte=earliest
    ).values_list("person_id", "month", "days", "level1", "level2", "level3"):
        months[month][person] = (days, level1, level2, level3, 0)
    memberships = [
        _Membership(person, _utc_day(joined), _utc_day(ended) if ended else None)
        for person, joined, ended in Membership.objects.filter(
            community_id=community_id, joined_at__isnull=False
        ).values_list("person_id", "joined_at", "ended_at")
        if joined is not None
    ]
    firsts = _first_contributions(community_id, earliest)
    previous_levels = _levels_at(
        community_id, month_start(first_month - timedelta(days=1)), rule, months, memberships
    )
    MemberLevel.objects.filter(community_id=community_id, month__gte=first_month).delete()
    CommunityMonth.objects.filter(community_id=community_id, month__gte=first_month).delete()
    knowledge: Counter[date] = Counter()
    for day, count in (
        CommunityDay.objects.filter(community_id=community_id, day__gte=first_month)
        .values_list("day", "knowledge")
        .order_by()
    ):
        knowledge[month_start(day)] += count
    level_rows: list[tuple[Any, ...]] = []
    month_rows: list[CommunityMonth] = []
    for month in months_between(first_month, last_month):
        levels = _levels_at(community_id, month, rule, months, memberships)
        counts = Counter(level for level, _score, _days in levels.values())
        level_rows += [
            (community_id, person, month, level, score, days)
            for person, (level, score, days) in levels.items()
            if level != Level.INACTIVE
        ]
        own = months.get(month, {})
        scores = [_score(values) for values in own.values()]
        window_scores = [score for _level, score, _days in levels.values() if score > 0]
        month_rows.append(
            CommunityMonth(
                community_id=community_id,
                month=month,
                members=len(levels),
                new_members=len(_newcomers(memberships, month)),
                active_members=sum(1 for values in own.values() if values[0]),
                core=counts[Level.CORE],
                active=counts[Level.ACTIVE],
                peripheral=counts[Level.PERIPHERAL],
                inactive=counts[Level.INACTIVE],
                flows=flows(previous_levels, levels),
                contributions=sum(scores),
                contributors=sum(1 for score in scores if score),
                level1=sum(values[1] for values in own.values()),
                level2=sum(values[2] for values in own.values()),
                level3=sum(values[3] for values in own.values()),
                reached1=sum(1 for values in own.values() if values[1]),
                reached2=sum(1 for values in own.values() if values[2]),
                reached3=sum(1 for values in own.values() if values[3]),
                gini=statistics.gini(window_scores),
                top1_share=statistics.top_share(window_scores),
                knowledge=knowledge[month],
                retained=_retained(memberships, months, month, last_month),
                first_contribution_days=_first_contribution_days(memberships, firsts, month),
            )
        )
        previous_levels = levels
    Table(MemberLevel, ["community_id", "person_id", "month", "level", "score", "days"]).write(
        level_rows
    )
    CommunityMonth.objects.bulk_create(month_rows, batch_size=1000)
    # The newcomers of the months before: their later months may have changed.
    older = list(
        CommunityMonth.objects.filter(
            community_id=community_id, month__gte=earliest, month__lt=first_month
        )
    )
    for row in older:
        row.retained = _retained(memberships, months, row.month, last_month)
        row.first_contribution_days = _first_contribution_days(memberships, firsts, row.month)
    CommunityMonth.objects.bulk_update(older, ["retained", "first_contribution_days"])


def _newcomers(memberships: Iterable[_Membership], month: date) -> list[_Membership]:
    end = next_month(month)
    return [m for m in memberships if month <= m.joined < end]


def _retained(
    memberships: Iterable[_Membership],
    months: dict[date, dict[int, tuple[int, int, int, int, int]]],
    month: date,
    last_month: date,
) -> dict[str, int]:
    """How many of the month's newcomers were active k months later, for the months
    counted so far."""
    people = [m.person for m in _newcomers(memberships, month)]
    result: dict[str, int] = {}
    for offset in RETENTION_OFFSETS:
        later = month
        for _step in range(offset):
            later = next_month(later)
        if later > last_month:
            break
        seen = months.get(later, {})
        result[str(offset)] = sum(1 for person in people if seen.get(person, (0,))[0])
    return result


def _first_contributions(community_id: int, since: date) -> dict[int, date]:
    """The first contributing day of the members who joined since `since`."""
    joined = Membership.objects.filter(
        community_id=community_id, joined_at__gte=midnight(since)
    ).values("person_id")
    return dict(
        MemberDay.objects.filter(community_id=community_id, person_id__in=joined)
        .filter(Q(level1__gt=0) | Q(level2__gt=0) | Q(level3__gt=0))
        .values("person_id")
        .annotate(first=Min("day"))
        .values_list("person_id", "first")
        .order_by()
    )


def _first_contribution_days(
    memberships: Iterable[_Membership], firsts: dict[int, date], month: date
) -> float | None:
    delays = sorted(
        float(max(0, (firsts[m.person] - m.joined).days))
        for m in _newcomers(memberships, month)
        if m.person in firsts
    )
    return statistics.median(delays)


def _score(values: tuple[int, int, int, int, int]) -> int:
    _days, level1, level2, level3, _rest = values
    return level1 * WEIGHTS["level1"] + level2 * WEIGHTS["level2"] + level3 * WEIGHTS["level3"]


def _levels_at(
    community_id: int,
    month: date,
    rule: ParticipationRule,
    months: dict[date, dict[int, tuple[int, int, int, int, int]]],
    memberships: Iterable[_Membership],
) -> dict[int, tuple[Level, int, int]]:
    """Each member's level at the end of `month` (members then: joined before the
    month ended and not gone before it ended): level, score and days in the window."""
    end = next_month(month)
    members = {
        m.person for m in memberships if m.joined < end and (m.ended is None or m.ended >= end)
    }
    window = [month]
    for _step in range(rule.window_months - 1):
        window.append(month_start(window[-1] - timedelta(days=1)))
    score: Counter[int] = Counter()
    days: Counter[int] = Counter()
    for each in window:
        for person, values in months.get(each, {}).items():
            if person in members:
                score[person] += _score(values)
                days[person] += values[0]
    return {
        person: (rule.level(score[person], days[person]), score[person], days[person])
        for person in members
    }


def flows(
    before: dict[int, tuple[Level, int, int]], after: dict[int, tuple[Level, int, int]]
) -> dict[str, dict[str, int]]:
    """Where the members of each level went from one month end to the next: up, stayed,
    down, or gone (no longer members); and the levels of those who were not members
    before ("new")."""
    rank = {level: position for position, level in enumerate(LEVEL_ORDER)}
    table: dict[str, dict[str, int]] = {
        level: {"up": 0, "stayed": 0, "down": 0, "gone": 0} for level in LEVEL_ORDER
    }
    table["new"] = dict.fromkeys(LEVEL_ORDER, 0)
    for person, (level, _score, _days) in before.items():
        now = after.get(person)
        if now is None:
            table[level]["gone"] += 1
        elif rank[now[0]] > rank[level]:
            table[level]["up"] += 1
        elif rank[now[0]] < rank[level]:
            table[level]["down"] += 1
        else:
            table[level]["stayed"] += 1
    for person, (level, _score, _days) in after.items():
        if person not in before:
            table["new"][level] += 1
    return table


def _write_question_lives(community_id: int, since: datetime) -> None:
    """The questions asked, answered or solved since `since`, written again whole."""
    questions = ActivityEvent.objects.filter(
        community_id=community_id,
        verb__in=verbs_counting(Tally.QUESTIONS),
        object_type=TOPIC_TYPE,
    )
    answer_posts = ActivityEvent.objects.filter(
        community_id=community_id, verb__in=verbs_counting(Tally.ANSWERS), object_type=POST_TYPE
    ).values("object_id")
    touched: set[int] = {
        topic
        for topic in questions.filter(created_at__gte=since).values_list("object_id", flat=True)
        if topic is not None
    }
    touched |= set(
        Post.objects.filter(pk__in=answer_posts.filter(created_at__gte=since))
        .values_list("topic_id", flat=True)
        .distinct()
    )
    touched |= set(
        Topic.objects.filter(community_id=community_id, solved_at__gte=since).values_list(
            "pk", flat=True
        )
    )
    ordered = sorted(touched)
    for offset in range(0, len(ordered), 5000):
        chunk = ordered[offset : offset + 5000]
        QuestionLife.objects.filter(topic_id__in=chunk).delete()
        asked = {
            topic: (actor, moment)
            for topic, actor, moment in questions.filter(object_id__in=chunk)
            .order_by("pk")
            .values_list("object_id", "actor_id", "created_at")
        }
        answered = {
            row["topic_id"]: (row["first"], row["n"])
            for row in Post.objects.filter(topic_id__in=chunk, pk__in=answer_posts)
            .values("topic_id")
            .annotate(first=Min("created_at"), n=Count("pk"))
            .order_by()
        }
        solved = dict(
            Topic.objects.filter(pk__in=chunk)
            .filter(~Q(accepted_answer=None))
            .values_list("pk", "solved_at")
        )
        Table(
            QuestionLife,
            [
                "community_id",
                "topic_id",
                "asker_id",
                "asked_at",
                "first_answer_at",
                "answers",
                "accepted_at",
            ],
        ).write(
            (
                community_id,
                topic,
                actor,
                moment,
                answered.get(topic, (None, 0))[0],
                answered.get(topic, (None, 0))[1],
                solved.get(topic),
            )
            for topic, (actor, moment) in asked.items()
            if topic is not None
        )
