"""The cockpit as a dashboard (issue 14): an overview that reads at a glance (the life
stage and its reasons, figure tiles with their change and sparkline, the first three
next actions), sub-pages with the detailed tables, their charts and CSV, and figures
that never contradict each other, on a one-day-old community above all."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from cercle.accounts.models import User
from cercle.analytics import counting, lifestage, metrics, queries
from cercle.communities.models import Community, Membership, Status
from cercle.conversations import actions as talk
from cercle.conversations.models import Kind
from tests.communities import client_for, community, html, join
from tests.conftest import make_person
from tests.test_analytics_counting import log

# Today, at a fixed time: the community is created this morning (a Monday, 7 December).
TODAY = datetime(2026, 12, 7, 5, 0, tzinfo=UTC)
MEMBERS = ("Ann", "Ben", "Cat", "Dan")


def text_of(page: str) -> str:
    """The page's visible words, tags removed and spaces joined."""
    without_tags = re.sub(r"<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", without_tags.replace("\u00a0", " ").replace("\u202f", " "))


def tile(page: str, key: str) -> str:
    found = re.search(rf'<li class="cockpit-tile" id="tile-{key}">(.*?)</li>', page, re.S)
    assert found, key
    return text_of(found.group(1))


def tile_value(page: str, key: str) -> str:
    found = re.search(rf'id="tile-{key}">.*?<p class="cockpit-tile__value">([^<]*)</p>', page, re.S)
    assert found, key
    return found.group(1).strip()


@pytest.fixture
def young(db: None) -> tuple[Community, dict[str, User]]:
    """A community created today, with five members (its coordinator among them), a
    question answered, a discussion and a few replies: its figures counted at 05:20."""
    with time_machine.travel(TODAY, tick=False):
        claire = make_person("claire@example.org", "Claire Coord")
        where = community(claire, slug="young")
        people = {"Claire": claire}
        for name in MEMBERS:
            people[name] = make_person(f"{name.lower()}@example.org", name)
            join(people[name], where)
        space = where.spaces.get(is_default=True)
    with time_machine.travel(TODAY + timedelta(minutes=5), tick=False):
        question = talk.do_start_topic(
            people["Ann"], space, kind=Kind.QUESTION, title="Which chain oil?", body="For rain."
        )
        talk.do_reply(people["Ben"], question, body="Wax, rather.")
        chat = talk.do_start_topic(
            people["Cat"], space, kind=Kind.DISCUSSION, title="Winter routes", body="Share."
        )
        talk.do_reply(people["Dan"], chat, body="Along the canal.")
    with time_machine.travel(TODAY + timedelta(minutes=20), tick=False):
        counting.fill()
    return where, people


def overview_url(slug: str, period: str = "") -> str:
    url = reverse("analytics:cockpit", args=[slug])
    return f"{url}?period={period}" if period else url


# --- The overview -----------------------------------------------------------------------------


def test_the_overview_shows_the_stage_eight_tiles_and_the_next_actions(
    young: tuple[Community, dict[str, User]],
) -> None:
    _where, people = young
    with time_machine.travel(TODAY + timedelta(minutes=30), tick=False):
        page = html(client_for(people["Claire"]), overview_url("young"))
    words = text_of(page)
    assert "Life stage Potential" in words
    assert "It has 5 members." in words
    assert len(re.findall(r'class="cockpit-tile"', page)) == 8
    for label in ("Members", "Active members", "Topics started", "Stickiness"):
        assert f">{label}</a></h3>" in page
    # Each tile has its sparkline or its place, drawn on the server, hidden from screen
    # readers (the figures are in the text).
    assert page.count('class="cockpit-spark') == 8
    assert '<svg class="cockpit-spark" viewBox="0 0 100 28"' in page
    # The first next actions: the newcomers nobody welcomed yet, each with its button.
    next_actions = re.search(
        r'<section class="cockpit-panel cockpit-next".*?</section>', page, re.S
    )
    assert next_actions
    items = re.findall(r'<li class="cockpit-next__item">', next_actions.group(0))
    assert 1 <= len(items) <= 3
    assert "Newcomers not yet welcomed" in next_actions.group(0)
    assert "Welcome them" in next_actions.group(0)
    # No detailed table on the overview: they have their own pages.
    assert "<table" not in page
    for section in queries.SECTIONS:
        assert reverse("analytics:section", args=["young", section]) in page


def test_a_tile_says_its_change_against_the_period_before_with_an_arrow_and_in_words(
    coordinator: User,
) -> None:
    where = community(coordinator, slug="trend")
    ann = make_person("ann@example.org", "Ann")
    join(ann, where)
    now = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    # Two topics in the 30 days before the period, five in the period.
    for back in (40, 45):
        log(where, ann, "topic.started.discussion", now - timedelta(days=back), 3)
    for back in range(1, 6):
        log(where, ann, "topic.started.discussion", now - timedelta(days=back), 3)
    counting.fill()
    page = html(client_for(coordinator), overview_url("trend", "30d"))
    topics = tile(page, "topics")
    assert tile_value(page, "topics") == "5"
    assert "+3" in topics
    assert "Up 3 against the period before (2)." in topics
    assert 'cockpit-tile__change--good"' in page
    assert '<svg class="lucide lucide-arrow-up' in page or "arrow-up" in page


def test_the_overview_reads_a_fixed_number_of_queries(coordinator: User) -> None:
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

    client = client_for(coordinator)
    busy(3)
    with CaptureQueriesContext(connection) as few:
        html(client, overview_url("busy", "12m"))
    counted = len(few)
    busy(200)
    with CaptureQueriesContext(connection) as many:
        html(client, overview_url("busy", "12m"))
    # Pinned: the same whatever the activity; the figures read the count tables in a
    # few queries (the clock, the member count, the life stage, the days and the
    # questions of both periods), the rest is the session, the reader's access and
    # the six kinds of next actions, and the community navigation of every community page
    # (cercle/ui/navigation.py).
    assert len(many) == counted == 30 + 3  # the navigation: spaces, membership, unread


# --- The sub-pages ------------------------------------------------------------------------------


def test_each_sub_page_shows_its_tables_with_their_chart_and_csv(
    young: tuple[Community, dict[str, User]],
) -> None:
    _where, people = young
    client = client_for(people["Claire"])
    for section, (_title, tables) in queries.SECTIONS.items():
        page = html(client, reverse("analytics:section", args=["young", section]))
        assert 'aria-current="page"' in page
        for key in tables:
            assert f'<table id="table-{key}">' in page, (section, key)
            assert f"/cockpit/csv/{key}/?period=90d" in page, (section, key)
            response = client.get(reverse("analytics:csv", args=["young", key]))
            assert response.status_code == 200, key
            rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
            assert rows[0], key
    activity = html(client, reverse("analytics:section", args=["young", "activity"]))
    assert 'id="chart-activity"' in activity
    assert "cockpit-charts" in activity


def test_a_member_who_may_not_see_the_cockpit_is_refused_everywhere(
    young: tuple[Community, dict[str, User]],
) -> None:
    _where, people = young
    client = client_for(people["Ann"])
    assert client.get(overview_url("young")).status_code == 404
    for section in queries.SECTIONS:
        url = reverse("analytics:section", args=["young", section])
        assert client.get(url).status_code == 404, section
    assert client.get(reverse("analytics:csv", args=["young", "summary"])).status_code == 404
    assert client.get("/c/young/cockpit/nothing/").status_code == 404


# --- A one-day-old community: no contradiction --------------------------------------------------


def test_a_one_day_old_community_has_consistent_figures(
    young: tuple[Community, dict[str, User]],
) -> None:
    where, people = young
    client = client_for(people["Claire"])
    with time_machine.travel(TODAY + timedelta(minutes=30), tick=False):
        page = html(client, overview_url("young"))
        activity = text_of(html(client, reverse("analytics:section", args=["young", "activity"])))
        participation = text_of(
            html(client, reverse("analytics:section", args=["young", "participation"]))
        )
        directory = html(client, reverse("community_people", args=["young"]))
    words = text_of(page)
    # One source for the member count: the stage's reason, the tile and the members' list.
    members = Membership.objects.filter(community=where, status=Status.ACTIVE).count()
    assert members == 5
    assert "It has 0 members" not in words
    assert "It has 5 members." in words
    assert tile_value(page, "members") == "5"
    for name in ("Claire Coord", *MEMBERS):
        assert name in directory
    # Actives never exceed members.
    assert int(tile_value(page, "active")) <= members
    # Stickiness is a figure or a dash with its reason, never 100% of nobody.
    stickiness = tile_value(page, "stickiness")
    assert stickiness == "\u2013" or stickiness.endswith("%")
    if stickiness == "\u2013":
        assert "Undefined" in tile(page, "stickiness")
    summary = re.search(r"Stickiness \(daily / monthly active\) (\S+)", activity)
    assert summary
    monthly = re.search(r"Monthly active members \(mean\) (\S+)", activity)
    assert monthly
    if monthly.group(1) == "0":
        assert summary.group(1) == "\u2013"
    # The month has not ended: its levels are "so far", never "at the end of December".
    assert "at the end of December 2026" not in participation
    assert "Levels of participation in December 2026 so far" in participation


def test_stickiness_is_undefined_when_no_one_is_monthly_active() -> None:
    # One member active one day out of 90: 0.0 daily and monthly actives as shown.
    assert metrics.stickiness(1 / 90, 1 / 90) is None
    assert metrics.stickiness(3.0, 6.0) == 50.0


def test_the_figures_are_bounded_by_the_time_they_were_counted(
    young: tuple[Community, dict[str, User]],
) -> None:
    where, people = young
    space = where.spaces.get(is_default=True)
    # Written at 05:31, after the count of 05:20.
    with time_machine.travel(TODAY + timedelta(minutes=31), tick=False):
        late = talk.do_start_topic(
            people["Ben"], space, kind=Kind.DISCUSSION, title="Written after the count", body="."
        )
        talk.do_reply(people["Cat"], late, body="Me too.")
        client = client_for(people["Claire"])
        engagement = html(client, reverse("analytics:section", args=["young", "engagement"]))
        page = html(client, overview_url("young"))
    # 05:20 UTC, 06:20 in Paris (the instance's time zone).
    assert "Figures counted on 7 December 2026, 06:20" in text_of(engagement)
    assert "Winter routes" in engagement
    assert "Written after the count" not in engagement
    assert tile_value(page, "topics") == "2"


def test_the_monthly_report_of_the_current_month_says_so_far(
    young: tuple[Community, dict[str, User]],
) -> None:
    _where, people = young
    with time_machine.travel(TODAY + timedelta(minutes=30), tick=False):
        report = text_of(
            html(
                client_for(people["Claire"]),
                reverse("analytics:report", args=["young", 2026, 12]),
            )
        )
    assert "at the end of December 2026" not in report
    assert "so far" in report


# --- French numbers ---------------------------------------------------------------------------


def test_french_sentences_write_numbers_as_french_tables_do() -> None:
    measured = lifestage.Trends(
        age_months=12,
        members=100,
        members_before=98,
        activity=3255,
        activity_before=3000,
        knowledge=10,
        knowledge_before=10,
        core=10,
        core_before=10,
        core_renewal=50.4,
    )
    with translation.override("fr"):
        steady = lifestage.estimate(measured)
        grown = lifestage.estimate(
            lifestage.Trends(**{**measured.__dict__, "members": 151, "members_before": 100})
        )
    assert steady.reasons[0].replace("\u00a0", " ") == (
        "Le nombre de membres et les contributions sont stables (2,0 % et 8,5 %)."
    )
    joined = " ".join(grown.reasons).replace("\u00a0", " ")
    assert "51,0 %" in joined
    assert "50,4 %" in joined
    assert "50.4" not in joined
    assert "51.0" not in joined


def test_the_french_overview_writes_percentages_the_french_way(
    young: tuple[Community, dict[str, User]],
) -> None:
    where, people = young
    space = where.spaces.get(is_default=True)
    with time_machine.travel(TODAY + timedelta(minutes=40), tick=False):
        for title in ("Which tyres?", "Which lights?"):
            talk.do_start_topic(people["Cat"], space, kind=Kind.QUESTION, title=title, body=".")
    with time_machine.travel(TODAY + timedelta(minutes=50), tick=False):
        counting.fill()
        client = client_for(people["Claire"])
        page = client.get(overview_url("young"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    words = text_of(page)
    assert 'lang="fr"' in page
    # One of three questions answered.
    assert tile_value(page, "answered").replace("\u202f", " ").replace("\u00a0", " ") == "33,3 %"
    assert "33.3" not in words
    assert not re.search(r"\d\.\d %", words)
    assert date(2026, 12, 7).strftime("%Y") in words
