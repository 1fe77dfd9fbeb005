"""`cercle analytics figures`: the reference figures of a community (docs/metrics.md).

The statistics are checked on tiny inputs computed by hand; the figures on a
community built through the actions, against a count by hand; and on the two
shared Stack Exchange dumps, against the reference figures of their README,
computed from the raw XML by someone else. Each dump is imported once for the
module (and rolled back at the end), on SQLite or PostgreSQL as DATABASE_URL says.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.core.management import ManagementUtility, call_command
from django.db import transaction

from cercle.accounts.actions import do_delete_account
from cercle.accounts.models import User
from cercle.analytics import statistics
from cercle.communities.models import Community, Membership, Role
from cercle.conversations import actions
from cercle.conversations.models import Kind, Post, Topic
from cercle.importers.stackexchange import import_dump
from cercle.membership import actions as community_actions
from cercle.personas.actions import do_create_persona
from tests.communities import community, join
from tests.conftest import make_person
from tests.test_import_stackexchange import DATA

# The README's reference figures (shared/data/stackexchange/README.md), all of them.
REFERENCE: dict[str, dict[str, int | float]] = {
    "bicycles-meta": {
        "users": 2551,
        "questions": 453,
        "answers": 971,
        "authors": 234,
        "answered_pct": 91.2,
        "median_hours_first_answer": 2.35,
        "gini": 0.714,
        "top1_share": 0.292,
    },
    "conlang-meta": {
        "users": 272,
        "questions": 54,
        "answers": 115,
        "authors": 52,
        "answered_pct": 90.7,
        "median_hours_first_answer": 2.45,
        "gini": 0.563,
        "top1_share": 0.172,
    },
}


def figures(slug: str) -> dict[str, Any]:
    """What `cercle analytics figures SLUG` prints, read back as JSON."""
    out = io.StringIO()
    call_command("analytics", "figures", slug, stdout=out)
    printed: dict[str, Any] = json.loads(out.getvalue())
    return printed


# --- The statistics, on inputs small enough to compute by hand ----------------------------------


def test_the_median_of_an_odd_count_is_the_middle_value() -> None:
    assert statistics.median([4.0, 1.0, 2.5]) == 2.5


def test_the_median_of_an_even_count_is_the_mean_of_the_two_middle_values() -> None:
    assert statistics.median([3.0, 1.0, 1.5, 10.0]) == 2.25


def test_a_median_of_nothing_is_none() -> None:
    assert statistics.median([]) is None


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        # Sorted x1..xn: G = sum((2i - n - 1) xi) / (n sum x).
        ([5], 0.0),
        ([2, 2, 2], 0.0),
        ([1, 3], (-1 * 1 + 1 * 3) / (2 * 4)),  # 0.25: |1 - 3| twice / (2 * 2² * mean 2)
        ([3, 1, 2], (-2 * 1 + 0 * 2 + 2 * 3) / (3 * 6)),  # 2/9
        ([0, 0, 3], (0 + 0 + 2 * 3) / (3 * 3)),  # 2/3: one has everything
    ],
)
def test_the_gini_coefficient_of_tiny_inputs(counts: list[int], expected: float) -> None:
    assert statistics.gini(counts) == pytest.approx(expected, abs=1e-15)


def test_a_gini_coefficient_of_nothing_is_none_and_of_negative_counts_an_error() -> None:
    assert statistics.gini([]) is None
    assert statistics.gini([0, 0]) is None
    with pytest.raises(ValueError, match="negative"):
        statistics.gini([2, -1])


@pytest.mark.parametrize(
    ("n", "percent", "expected"),
    [(0, 1, 0), (1, 1, 1), (52, 1, 1), (100, 1, 1), (101, 1, 2), (234, 1, 3), (3, 50, 2)],
)
def test_the_top_percent_is_rounded_up(n: int, percent: int, expected: int) -> None:
    assert statistics.top_count(n, percent) == expected


def test_the_top_share_is_that_of_the_largest_counts() -> None:
    assert statistics.top_share([1, 6, 3]) == 6 / 10  # 1 % of 3 counts: the top one
    assert statistics.top_share([1, 6, 3], percent=50) == 9 / 10  # 50 % of 3: two
    assert statistics.top_share([4, 4, 4]) == 4 / 12
    assert statistics.top_share([]) is None


def test_a_percentage_is_of_the_whole_and_none_of_nothing() -> None:
    assert statistics.percent(2, 3) == pytest.approx(66.666666, abs=1e-6)
    assert statistics.percent(0, 0) is None


# --- A community built through the actions ------------------------------------------------------


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, 2, hour, minute, tzinfo=UTC)


@pytest.fixture
def cargo(coordinator: User, alice: User, bob: User, charlie: User) -> Community:
    """Claire coordinates; Alice, Bob and Charlie (who never writes) are members."""
    return community(coordinator, members=(alice, bob, charlie))


def ask(author: User, where: Community, when: datetime, title: str) -> Topic:
    with time_machine.travel(when, tick=False):
        return actions.do_start_topic(
            author,
            where.spaces.get(is_default=True),
            kind=Kind.QUESTION,
            title=title,
            body="Any advice welcome.",
        )


def answer(author: User, topic: Topic, when: datetime, **values: Any) -> Post:
    with time_machine.travel(when, tick=False):
        return actions.do_reply(author, topic, body="Here is what I do.", **values)


@pytest.mark.django_db
def test_a_communitys_own_questions_and_answers_give_the_figures_counted_by_hand(
    cargo: Community,
    coordinator: User,
    alice: User,
    bob: User,
    django_assert_num_queries: Any,
) -> None:
    dan = make_person("dan@example.org", "Dan Departed")
    join(dan, cargo)
    velia = do_create_persona(coordinator, cargo, name="Vélia", speakers=f"@{alice.handle}")

    brakes = ask(alice, cargo, at(9), "Disc or rim brakes for a cargo bike?")
    answer(bob, brakes, at(10, 30))  # the first answer: 1.5 h
    answer(coordinator, brakes, at(12))
    answer(alice, brakes, at(13), persona=velia)  # counts for Alice, its real writer
    tyres = ask(alice, cargo, at(10), "Which tyres for winter?")
    answer(dan, tyres, at(11))  # the first answer: 1 h, its author leaves Cercle below
    answer(bob, tyres, at(14))
    locks = ask(bob, cargo, at(11), "Where do you lock a long bike?")
    withdrawn = answer(alice, locks, at(11, 15))
    actions.do_delete_post(alice, withdrawn)  # a tombstone: locks has no answer left
    spam = ask(bob, cargo, at(12), "Cheap bikes here")
    actions.do_hide_post(coordinator, spam.posts.get(position=0))  # hidden: not counted
    chat = actions.do_start_topic(
        coordinator,
        cargo.spaces.get(is_default=True),
        kind=Kind.DISCUSSION,
        title="Saturday ride",
        body="Who comes?",
    )
    actions.do_reply(alice, chat, body="Me!")  # a discussion: neither question nor answer
    do_delete_account(dan)  # his answer stays, without an author; he is no member any more

    # Questions: brakes, tyres (Alice), locks (Bob). Answers: Bob, Claire, Alice as
    # Vélia; Dan's (no author), Bob. Per author: Alice 3, Bob 3, Claire 1 (of 7).
    # Answered: brakes after 1.5 h, tyres after 1 h, not locks.
    with django_assert_num_queries(5):  # the community, then four for the figures
        printed = figures("cargo")
    assert printed == {
        "community": "cargo",
        "users": 4,  # Claire, Alice, Bob, Charlie
        "questions": 3,
        "answers": 5,
        "authors": 3,
        "answered_pct": 66.7,  # 2 of 3
        "median_hours_first_answer": 1.25,  # (1 + 1.5) / 2
        "gini": 0.19,  # sorted 1, 3, 3: (-2 * 1 + 0 * 3 + 2 * 3) / (3 * 7) = 4/21
        "top1_share": 0.429,  # the top ceil(1 % of 3) = 1 author: 3 of 7
    }


@pytest.mark.django_db
def test_a_community_without_questions_has_no_ratios(coordinator: User) -> None:
    community(coordinator)
    assert figures("cargo") == {
        "community": "cargo",
        "users": 1,
        "questions": 0,
        "answers": 0,
        "authors": 0,
        "answered_pct": None,
        "median_hours_first_answer": None,
        "gini": None,
        "top1_share": None,
    }


# --- The command line ---------------------------------------------------------------------------


def run_from_command_line(
    *args: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    """`cercle ARGS...` in this process, on the test database: (exit code, out, err)."""
    # The command line closes the connections when it is done: not the test database's.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(["cercle", *args]).execute()
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


@pytest.mark.django_db
def test_an_unknown_community_is_told_plainly_with_a_non_zero_exit(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_from_command_line(
        "analytics", "figures", "nowhere", monkeypatch=monkeypatch, capsys=capsys
    )
    assert code == 1
    assert out == ""
    assert "No community has the address 'nowhere'" in err


def test_the_command_explains_itself(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = run_from_command_line(
        "analytics", "--help", monkeypatch=monkeypatch, capsys=capsys
    )
    assert code == 0
    assert "figures" in out
    assert "SUBCOMMAND --help" in out
    code, out, _err = run_from_command_line(
        "analytics", "figures", "--help", monkeypatch=monkeypatch, capsys=capsys
    )
    assert code == 0
    for words in ["SLUG", "answered_pct", "median_hours_first_answer", "gini", "top1_share"]:
        assert words in out
    code, _out, err = run_from_command_line("analytics", monkeypatch=monkeypatch, capsys=capsys)
    assert code == 2
    assert "SUBCOMMAND" in err


# --- The shared Stack Exchange dumps ------------------------------------------------------------


@pytest.fixture(scope="module", params=sorted(REFERENCE))
def imported(
    request: pytest.FixtureRequest, django_db_setup: Any, django_db_blocker: Any
) -> Iterator[Community]:
    """The dump imported into a community that then holds exactly the dump's people:
    the coordinator who ran the import hands over to one of them and leaves. Once for
    the module, rolled back after."""
    folder = str(request.param)
    with django_db_blocker.unblock(), transaction.atomic():
        coordinator = make_person("claire@example.org", "Claire Coord")
        where = community(coordinator, slug=folder)
        import_dump(DATA / folder, where)
        successor = (
            Membership.objects.filter(community=where).exclude(person=coordinator).earliest("pk")
        )
        community_actions.do_change_role(coordinator, successor, Role.COORDINATOR)
        community_actions.do_leave(coordinator, where)
        try:
            yield where
        finally:
            transaction.set_rollback(True)


@pytest.mark.django_db
def test_an_imported_dump_gives_exactly_the_readmes_reference_figures(
    imported: Community,
) -> None:
    assert figures(imported.slug) == {"community": imported.slug, **REFERENCE[imported.slug]}
