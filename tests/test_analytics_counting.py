"""The count tables and the metrics read from them, on small communities whose right
answers are worked out by hand in each test (docs/metrics.md defines every rule)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cercle import permissions
from cercle.accounts.models import User
from cercle.activity.models import ActivityEvent
from cercle.analytics import counting, lifestage, metrics, queries
from cercle.analytics.actions import do_change_participation_rule
from cercle.analytics.models import (
    CommunityDay,
    CommunityMonth,
    MemberDay,
    MemberLevel,
    MemberMonth,
    QuestionLife,
    SpaceDay,
)
from cercle.communities.models import Community
from cercle.conversations import actions as talk
from cercle.conversations.models import Kind
from cercle.importers import bulk
from cercle.membership import actions as community_actions
from tests.communities import NAVIGATION_QUERIES, client_for, community, html, join
from tests.conftest import make_person

JAN = datetime(2026, 1, 5, 10, tzinfo=UTC)


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00+00:00")


def log(
    where: Community,
    person: User | None,
    verb: str,
    when: datetime,
    level: int | None = None,
    target: Model | None = None,
) -> None:
    """An activity event as an action records it, at the time given."""
    with bulk.original_times():
        ActivityEvent.objects.create(
            community=where,
            actor=person,
            verb=verb,
            level=level,
            object_type=target._meta.label_lower if target is not None else "",
            object_id=target.pk if target is not None else None,
            created_at=when,
        )


def levels(where: Community, month: str) -> dict[str, str]:
    return {
        row.person.display_name: row.level
        for row in MemberLevel.objects.filter(
            community=where, month=date.fromisoformat(f"{month}-01")
        ).select_related("person")
    }


def month_row(where: Community, month: str) -> CommunityMonth:
    return CommunityMonth.objects.get(community=where, month=date.fromisoformat(f"{month}-01"))


@pytest.fixture
def circle(db: None) -> tuple[Community, dict[str, User]]:
    """Claire founds the circle on 1 January 2026; five members join on 5 January,
    and Eve leaves on 20 March."""
    with time_machine.travel(at("2026-01-01"), tick=False):
        claire = make_person("claire@example.org", "Claire")
        where = community(claire, slug="circle")
    people = {"Claire": claire}
    with time_machine.travel(JAN, tick=False):
        for name in ("Ann", "Ben", "Cat", "Dan", "Eve"):
            people[name] = make_person(f"{name.lower()}@example.org", name)
            join(people[name], where)
    with time_machine.travel(at("2026-03-20"), tick=False):
        community_actions.do_leave(people["Eve"], where)
    return where, people


def tell_the_months(where: Community, people: dict[str, User]) -> None:
    """January: Ann opens five topics (3 points each), Ben posts two answers (1 each)
    and answers an event (2), Cat visits, Eve opens three topics. February: Ben opens a
    topic, Dan reacts. March: Cat visits. Nothing after."""
    ann, ben, cat, dan, eve = (people[n] for n in ("Ann", "Ben", "Cat", "Dan", "Eve"))
    for day in range(5):
        log(where, ann, "topic.started.discussion", at(f"2026-01-{12 + day}"), 3)
    log(where, ben, "answer.posted", at("2026-01-13"), 1)
    log(where, ben, "answer.posted", at("2026-01-14"), 1)
    log(where, ben, "event.rsvp.going", at("2026-01-20"), 2)
    log(where, cat, "community.visited", at("2026-01-21"))
    for day in range(3):
        log(where, eve, "topic.started.question", at(f"2026-01-{22 + day}"), 3)
    log(where, ben, "topic.started.discussion", at("2026-02-10"), 3)
    log(where, dan, "reaction.thanks", at("2026-02-11"), 1)
    log(where, cat, "community.visited", at("2026-03-03"))


def test_levels_follow_the_window_and_the_thresholds(
    circle: tuple[Community, dict[str, User]],
) -> None:
    where, people = circle
    tell_the_months(where, people)
    counting.fill(today=date(2026, 4, 15))
    # Window of 3 months; core from 15 points, active from 6, peripheral from 1 day.
    # Joining is being there: everyone has a day in January.
    assert levels(where, "2026-01") == {
        "Ann": "core",  # 15
        "Eve": "active",  # 9
        "Ben": "peripheral",  # 4
        "Cat": "peripheral",  # joined, visited
        "Dan": "peripheral",  # joined
        "Claire": "peripheral",  # founded the community
    }
    assert levels(where, "2026-02") == {
        "Ann": "core",  # 15 still in the window
        "Ben": "active",  # 4 + 3
        "Eve": "active",
        "Cat": "peripheral",
        "Dan": "peripheral",
        "Claire": "peripheral",
    }
    # Eve left on 20 March: no longer a member at the end of March.
    assert levels(where, "2026-03") == {
        "Ann": "core",
        "Ben": "active",
        "Cat": "peripheral",
        "Dan": "peripheral",
        "Claire": "peripheral",
    }
    # April's window (February to April) no longer sees January: Ann and Claire are
    # inactive (not stored), Ben has 3 points, Cat a March visit, Dan 1 point.
    assert levels(where, "2026-04") == {
        "Ben": "peripheral",
        "Cat": "peripheral",
        "Dan": "peripheral",
    }
    january = month_row(where, "2026-01")
    counts = (january.members, january.core, january.active, january.peripheral)
    assert (*counts, january.inactive) == (6, 1, 1, 4, 0)
    assert (january.contributions, january.contributors, january.active_members) == (28, 3, 6)
    assert january.new_members == 6
    assert (january.reached1, january.reached2, january.reached3) == (1, 1, 2)  # Ben; Ben; Ann, Eve
    # Concentration of January's window scores (Ann 15, Eve 9, Ben 4): Gini = sum of
    # |xi - xj| over all pairs / (2 n^2 mean) = 2 (6 + 11 + 5) / (2 * 9 * 28/3) = 0.262.
    assert round(january.gini or 0, 3) == 0.262
    assert (
        january.top1_share == round(15 / 28, 10) or abs((january.top1_share or 0) - 15 / 28) < 1e-9
    )
    april = month_row(where, "2026-04")
    counts = (april.members, april.core, april.active, april.peripheral)
    assert (*counts, april.inactive) == (5, 0, 0, 3, 2)


def test_flows_between_levels_month_over_month(
    circle: tuple[Community, dict[str, User]],
) -> None:
    where, people = circle
    tell_the_months(where, people)
    counting.fill(today=date(2026, 4, 15))
    zero = {"up": 0, "stayed": 0, "down": 0, "gone": 0}
    nobody_new = {"core": 0, "active": 0, "peripheral": 0, "inactive": 0}
    assert month_row(where, "2026-02").flows == {
        "core": {**zero, "stayed": 1},  # Ann
        "active": {**zero, "stayed": 1},  # Eve
        "peripheral": {**zero, "up": 1, "stayed": 3},  # Ben up; Cat, Dan, Claire stayed
        "inactive": zero,
        "new": nobody_new,
    }
    assert month_row(where, "2026-03").flows == {
        "core": {**zero, "stayed": 1},
        "active": {**zero, "stayed": 1, "gone": 1},  # Ben stayed, Eve left
        "peripheral": {**zero, "stayed": 3},
        "inactive": zero,
        "new": nobody_new,
    }
    assert month_row(where, "2026-04").flows == {
        "core": {**zero, "down": 1},  # Ann: inactive
        "active": {**zero, "down": 1},  # Ben: peripheral
        "peripheral": {**zero, "stayed": 2, "down": 1},  # Cat, Dan stayed; Claire down
        "inactive": zero,
        "new": nobody_new,
    }
    # The founding month: everyone is new.
    assert month_row(where, "2026-01").flows["new"] == {
        "core": 1,
        "active": 1,
        "peripheral": 4,
        "inactive": 0,
    }


def test_a_coordinator_changes_the_thresholds_and_the_levels_follow(
    circle: tuple[Community, dict[str, User]],
) -> None:
    where, people = circle
    tell_the_months(where, people)
    counting.fill(today=date(2026, 4, 15))
    with time_machine.travel(at("2026-04-15"), tick=False):
        do_change_participation_rule(
            people["Claire"],
            where,
            window_months=1,
            core_score=10,
            active_score=2,
            peripheral_days=1,
        )
    # One month only: February alone counts for February.
    assert levels(where, "2026-02") == {"Ben": "active", "Dan": "peripheral"}
    assert levels(where, "2026-01")["Eve"] == "active"
    assert ActivityEvent.objects.filter(verb="analytics.rule_changed").count() == 1


def test_cohorts_and_time_to_first_contribution(
    circle: tuple[Community, dict[str, User]],
) -> None:
    where, people = circle
    tell_the_months(where, people)
    counting.fill(today=date(2026, 4, 15))
    span = metrics.Period("custom", date(2026, 1, 1), date(2026, 2, 1))
    [january] = metrics.retention(where, span, today=date(2026, 4, 15))
    assert january.size == 6
    # Active a month later: Ben and Dan (2 of 6); two months later: Cat (1 of 6: Eve's
    # leaving is not activity); three and six months later are not over yet.
    assert january.retained == {1: 33.3, 2: 16.7, 3: None, 6: None}
    # First contributions: Ann on 12 January (7 days after joining on the 5th), Ben on
    # the 13th (8), Eve on the 22nd (17), Dan on 11 February (37); Cat and Claire
    # never contributed. Median of 7, 8, 17, 37 = 12.5.
    assert january.first_contribution_days == 12.5
    # A late first contribution of an older newcomer is counted when it comes.
    log(where, people["Cat"], "reaction.thanks", at("2026-04-10"), 1)
    counting.fill(today=date(2026, 4, 15))
    [january] = metrics.retention(where, span, today=date(2026, 4, 15))
    assert january.first_contribution_days == 17.0  # 7, 8, 17, 37 and Cat's 95


def test_daily_tables_count_distinct_members_over_7_and_30_days(db: None) -> None:
    claire = make_person("claire@example.org", "Claire")
    with time_machine.travel(at("2026-01-01"), tick=False):
        where = community(claire, slug="daily")
    ann, ben = make_person("ann@example.org", "Ann"), make_person("ben@example.org", "Ben")
    log(where, ann, "community.visited", at("2026-02-01"))
    log(where, ann, "reaction.thanks", at("2026-02-01", 15), 1)
    log(where, ben, "community.visited", at("2026-02-05"))
    log(where, ann, "community.visited", at("2026-02-20"))
    log(where, None, "reaction.helpful", at("2026-02-20"), 1)  # a vote without a voter
    counting.fill(today=date(2026, 3, 15))
    days = {
        row.day.isoformat(): (row.active, row.contributors, row.active_7, row.active_30)
        for row in CommunityDay.objects.filter(community=where)
    }
    assert days["2026-02-01"] == (1, 1, 1, 1)
    span_row = CommunityDay.objects.get(community=where, day=date(2026, 3, 15))
    # 90 days back reach 16 December: Claire (founded on 1 January), Ann and Ben; Ann
    # alone contributed (1 February), more than 30 days back.
    assert (span_row.active_90, span_row.contributors_90, span_row.contributors_30) == (3, 1, 0)
    assert days["2026-02-05"] == (1, 0, 2, 2)
    assert days["2026-02-07"] == (0, 0, 2, 2)
    assert days["2026-02-08"] == (0, 0, 1, 2)  # Ann's 1 February is 8 days back
    assert days["2026-02-20"] == (1, 0, 1, 2)
    assert days["2026-03-03"] == (0, 0, 0, 2)  # 5 and 20 February: within 30 days
    assert days["2026-03-07"] == (0, 0, 0, 1)  # 5 February is now 31 days back
    sums = CommunityDay.objects.get(community=where, day=date(2026, 2, 20))
    # The community's sums count every event, with or without an actor.
    assert (sums.events, sums.visits, sums.level1, sums.reactions) == (2, 1, 1, 1)
    assert MemberDay.objects.filter(community=where).count() == 4
    ann_day = MemberDay.objects.get(community=where, person=ann, day=date(2026, 2, 1))
    assert (ann_day.events, ann_day.visits, ann_day.level1, ann_day.reactions) == (2, 1, 1, 1)
    assert MemberMonth.objects.get(community=where, person=ann).days == 2


def test_questions_answers_and_responsiveness(
    circle: tuple[Community, dict[str, User]],
) -> None:
    where, people = circle
    space = where.spaces.get()
    asked: list[Any] = []
    # Three questions: answered after 2 h then accepted after 5 h; answered after
    # 10 h; never answered (asked 3 days before the end).
    with time_machine.travel(at("2026-03-02", 9), tick=False):
        first = talk.do_start_topic(
            people["Ann"], space, title="How to lock?", body="Any idea?", kind=Kind.QUESTION
        )
        second = talk.do_start_topic(
            people["Ann"], space, title="Which rack?", body="Any idea?", kind=Kind.QUESTION
        )
        asked += [first, second]
    with time_machine.travel(at("2026-03-02", 11), tick=False):
        answer = talk.do_reply(people["Ben"], first, body="A U-lock.")
    with time_machine.travel(at("2026-03-02", 14), tick=False):
        talk.do_accept_answer(people["Ann"], first, answer)
    with time_machine.travel(at("2026-03-02", 19), tick=False):
        talk.do_reply(people["Cat"], second, body="A wall rack.")
        talk.do_reply(people["Dan"], second, body="Or a stand.")
    with time_machine.travel(at("2026-03-28", 9), tick=False):
        talk.do_start_topic(
            people["Ben"], space, title="Winter tyres?", body="Any idea?", kind=Kind.QUESTION
        )
    counting.fill(today=date(2026, 3, 31))
    lives = {life.topic_id: life for life in QuestionLife.objects.filter(community=where)}
    assert len(lives) == 3
    assert lives[first.pk].first_answer_at == at("2026-03-02", 11)
    assert lives[first.pk].accepted_at == at("2026-03-02", 14)
    assert (lives[second.pk].answers, lives[second.pk].accepted_at) == (2, None)
    span = metrics.Period("custom", date(2026, 3, 1), date(2026, 4, 1))
    result = metrics.responsiveness(where, span, now=at("2026-03-31"))
    assert result.questions == 3
    assert result.answered_pct == 66.7
    assert result.solved_pct == 33.3
    assert result.median_hours_first_answer == 6.0  # median of 2 and 10
    assert result.p90_hours_first_answer == 10.0  # nearest rank
    assert result.median_hours_accepted == 5.0
    assert result.unanswered_after_48h == 1
    assert SpaceDay.objects.filter(space=space, day=date(2026, 3, 2)).get().answers == 3


def test_filling_twice_changes_nothing_and_a_rebuild_gives_the_same_tables(
    circle: tuple[Community, dict[str, User]],
) -> None:
    where, people = circle
    tell_the_months(where, people)

    def tables() -> list[Any]:
        return [
            sorted(
                tuple(v for k, v in row.items() if k != "id")
                for row in model.objects.filter(community=where).values()
            )
            for model in (
                MemberDay,
                SpaceDay,
                CommunityDay,
                MemberMonth,
                MemberLevel,
                CommunityMonth,
            )
        ]

    first = counting.fill(today=date(2026, 4, 15))
    assert first.events == ActivityEvent.objects.count()
    filled = tables()
    assert counting.fill(today=date(2026, 4, 15)).events == 0
    assert tables() == filled
    counting.rebuild(today=date(2026, 4, 15))
    assert tables() == filled
    # Late events with an old time (an import) are counted on their own day.
    log(where, people["Dan"], "topic.started.discussion", at("2026-01-30"), 3)
    log(where, people["Dan"], "topic.started.question", at("2026-01-30", 11), 3)
    report = counting.fill(today=date(2026, 4, 15))
    assert report.communities == {where.pk: date(2026, 1, 30)}
    assert levels(where, "2026-01")["Dan"] == "active"  # 6 points
    assert MemberDay.objects.get(person=people["Dan"], day=date(2026, 1, 30)).topics == 2


def test_life_stages_from_trends() -> None:
    def trend(**values: Any) -> lifestage.Trends:
        base: dict[str, Any] = {
            "age_months": 24,
            "members": 100,
            "members_before": 100,
            "activity": 300,
            "activity_before": 300,
            "knowledge": 10,
            "knowledge_before": 10,
            "core": 10,
            "core_before": 10,
            "core_renewal": 10.0,
        }
        return lifestage.Trends(**{**base, **values})

    assert lifestage.estimate(trend(age_months=1, members=4)).stage == "potential"
    assert lifestage.estimate(trend(members=8)).stage == "potential"
    young = lifestage.estimate(trend(age_months=5, members=60, members_before=40))
    assert young.stage == "coalescing"
    assert "Membership grew by 50.0% over the last three months." in young.reasons
    assert lifestage.estimate(trend(members=130)).stage == "maturing"
    assert lifestage.estimate(trend(activity=400)).stage == "maturing"
    steady = lifestage.estimate(trend(activity=310, members=102))
    assert steady.stage == "stewardship"
    assert steady.reasons[0] == "Membership and contributions are steady (2.0% and 3.3%)."
    falling = lifestage.estimate(trend(activity=150))
    assert falling.stage == "transformation"
    assert falling.reasons == ["Contributions fell by 50.0% over the last three months."]
    assert lifestage.estimate(trend(core=5)).stage == "transformation"


def test_life_stage_reads_the_community_months(
    circle: tuple[Community, dict[str, User]],
) -> None:
    where, _people = circle
    counting.fill(today=date(2026, 8, 15))
    CommunityMonth.objects.filter(community=where).delete()
    for month, members, contributions in (
        ("2026-02", 10, 40),
        ("2026-03", 12, 40),
        ("2026-04", 15, 40),
        ("2026-05", 20, 60),
        ("2026-06", 30, 60),
        ("2026-07", 40, 60),
    ):
        CommunityMonth.objects.create(
            community=where,
            month=date.fromisoformat(f"{month}-01"),
            members=members,
            contributions=contributions,
        )
    trends = lifestage.trends(where, date(2026, 8, 15))
    assert (trends.members, trends.members_before) == (40, 15)
    assert (trends.activity, trends.activity_before) == (180, 120)
    assert trends.age_months == 7
    stage = lifestage.life_stage(where, date(2026, 8, 15))
    assert stage.stage == "coalescing"


@pytest.mark.django_db
def test_the_cockpit_reads_a_bounded_number_of_queries_whatever_the_activity(
    coordinator: User,
) -> None:
    where = community(coordinator, slug="busy")
    crowd = [make_person(f"m{n}@example.org", f"Member {n}") for n in range(6)]
    for person in crowd:
        join(person, where)
    today = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)

    def busy(days: int) -> None:
        for back in range(days):
            for person in crowd:
                log(where, person, "community.visited", today - timedelta(days=back))
                log(where, person, "reaction.thanks", today - timedelta(days=back), 1)
        counting.fill()

    # Every page of the cockpit: the overview (tests/test_cockpit_dashboard.py pins its
    # count exactly) and each sub-page.
    urls = [reverse("analytics:cockpit", args=["busy"])] + [
        reverse("analytics:section", args=["busy", section]) for section in queries.SECTIONS
    ]
    client = client_for(coordinator)
    busy(5)
    pages, counts = [], []
    for url in urls:
        with CaptureQueriesContext(connection) as few:
            pages.append(html(client, url + "?period=12m"))
        counts.append(len(few))  # now: the next request empties Django's log of queries
    busy(120)
    for url, count in zip(urls, counts, strict=True):
        with CaptureQueriesContext(connection) as many:
            html(client, url + "?period=12m")
        assert 5 < len(many) == count <= 30 + NAVIGATION_QUERIES, url
    assert "Member 1" in "".join(pages)  # a top contributor, named


def test_engagement_rate_of_a_topic(circle: tuple[Community, dict[str, User]]) -> None:
    where, people = circle
    space = where.spaces.get()
    now = datetime.now(UTC)
    topic = talk.do_start_topic(
        people["Ann"], space, title="Our winter routes", body="Share yours.", kind=Kind.DISCUSSION
    )
    talk.do_reply(people["Ben"], topic, body="Along the canal.")
    reply = talk.do_reply(people["Cat"], topic, body="Through the park.")
    talk.do_reply(people["Ben"], topic, body="And back by the river.")
    talk.do_toggle_reaction(people["Dan"], reply, "thanks")
    talk.do_toggle_reaction(people["Ann"], reply, "thanks")  # the author: not counted
    access = permissions.community_access(people["Claire"], where)
    span = metrics.Period("custom", now.date() - timedelta(days=1), now.date() + timedelta(days=1))
    table = queries._engagement_table(access, where, span)
    # Ben, Cat and Dan interacted; Claire, Ann, Ben, Cat and Dan are members (Eve left).
    assert table.rows == [["Our winter routes", 3, 5, "60%"]]


def test_contributions_per_day_by_kind(circle: tuple[Community, dict[str, User]]) -> None:
    where, people = circle
    tell_the_months(where, people)
    counting.fill(today=date(2026, 4, 15))
    # January (31 days): Ann's five topics and Eve's three questions, Ben's two answers,
    # no reaction; February (28 days): Ben's topic and Dan's reaction.
    january = metrics.activity(where, metrics.Period("m", date(2026, 1, 1), date(2026, 2, 1)))
    assert january.totals == {
        "topics": 8,
        "questions": 3,
        "answers": 2,
        "replies": 0,
        "reactions": 0,
        "knowledge": 0,
    }
    assert january.per_day["topics"] == round(8 / 31, 2)
    february = metrics.activity(where, metrics.Period("m", date(2026, 2, 1), date(2026, 3, 1)))
    table = queries._kinds_table(february, january)
    assert table.rows[0] == ["Topics started", "0.04", "0.26", "-84.6%"]
    assert table.rows[4] == ["Reactions", "0.04", "0", "\u2013"]
