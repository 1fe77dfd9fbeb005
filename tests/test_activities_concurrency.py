"""Many members voting on one poll at the same moment, each in their own thread and
database connection (PostgreSQL: `DATABASE_URL=postgres://... pytest` this file), and the
same member submitting twice at once: the counts are exact, one ballot per member."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count

from cercle.accounts.models import User
from cercle.activities import actions
from cercle.activities.actions import PollFields
from cercle.activities.models import Attempt, Ballot, BallotChoice, Poll, Quiz
from cercle.activities.quiztext import parse
from cercle.activity.models import ActivityEvent, EngagementLevel
from cercle.communities.models import Community
from cercle.errors import ActionRefused
from tests.communities import client_for, community, html, join
from tests.concurrency import retrying, run_together
from tests.conftest import make_person
from tests.test_activities import QUIZ_TEXT, make_quiz

MEMBERS = 20


def vote(
    person: User, poll_id: int, labels: tuple[str, ...], waits: list[str]
) -> Callable[[], object]:
    def action() -> object:
        poll = Poll.objects.select_related("community", "space").get(pk=poll_id)
        ids = list(poll.choices.filter(label__in=labels).values_list("pk", flat=True))
        return actions.do_vote(person, poll, ids)

    return retrying(action, waits)


@pytest.fixture
def crowd(coordinator: User) -> tuple[Community, list[User]]:
    where = community(coordinator)
    members = [make_person(f"voter{n}@example.org", f"Voter {n}") for n in range(MEMBERS)]
    for member in members:
        join(member, where)
    return where, members


@pytest.mark.django_db(transaction=True)
def test_concurrent_votes_give_exact_counts(
    crowd: tuple[Community, list[User]], coordinator: User
) -> None:
    where, members = crowd
    poll = actions.do_create_poll(
        coordinator,
        where.spaces.get(),
        PollFields(title="Ride on Sunday?", choices=["Yes", "No", "Maybe"]),
    )
    waits: list[str] = []
    # Everyone votes at the same moment: the first half yes, the others no.
    jobs = [
        vote(member, poll.pk, ("Yes",) if n < MEMBERS // 2 else ("No",), waits)
        for n, member in enumerate(members)
    ]
    assert run_together(jobs) == []
    assert Ballot.objects.filter(poll=poll).count() == MEMBERS
    counts = dict(
        BallotChoice.objects.values("choice__label")
        .annotate(votes=Count("pk"))
        .values_list("choice__label", "votes")
    )
    assert counts == {"Yes": MEMBERS // 2, "No": MEMBERS // 2}

    # Then everyone submits twice at once, "Maybe" and "No" racing each other and
    # everyone else's: one ballot each, holding exactly one of the two.
    jobs = [
        vote(member, poll.pk, labels, waits)
        for member in members
        for labels in (("Maybe",), ("No",))
    ]
    assert run_together(jobs) == []
    if connection.vendor == "postgresql":
        assert waits == []
    assert Ballot.objects.filter(poll=poll).count() == MEMBERS
    assert BallotChoice.objects.filter(ballot__poll=poll).count() == MEMBERS
    per_ballot = set(
        Ballot.objects.filter(poll=poll).values_list("picks__choice__label", flat=True)
    )
    assert per_ballot <= {"Maybe", "No"}
    events = ActivityEvent.objects.filter(object_type="activities.poll", object_id=poll.pk)
    assert events.filter(verb="poll.voted", level=EngagementLevel.REACT).count() == MEMBERS
    assert events.filter(verb="poll.vote_changed").count() == 2 * MEMBERS

    page = html(client_for(coordinator), poll.get_absolute_url())
    assert f"{MEMBERS} members voted." in page
    shown = sum(
        int(page.split(f"<strong>{label}</strong>: ", 1)[1].split(" ", 1)[0])
        for label in ("Yes", "No", "Maybe")
    )
    assert shown == MEMBERS


@pytest.mark.django_db(transaction=True)
def test_a_double_submitted_quiz_counts_one_attempt(
    crowd: tuple[Community, list[User]], coordinator: User
) -> None:
    where, members = crowd
    quiz = make_quiz(coordinator, where.spaces.get(), questions=parse(QUIZ_TEXT))
    waits: list[str] = []

    def answer(person: User) -> Callable[[], object]:
        def action() -> Any:
            found = Quiz.objects.select_related("community", "space").get(pk=quiz.pk)
            chosen = {
                question.pk: [c.pk for c in question.choices.all() if c.is_right]
                for question in found.questions.prefetch_related("choices")
            }
            try:
                return actions.do_answer_quiz(person, found, chosen)
            except ActionRefused as refusal:
                assert "already answered" in refusal.message  # noqa: PT017 - in a thread
                return None

        return retrying(action, waits)

    jobs = [answer(member) for member in members[:10] for _click in range(2)]
    assert run_together(jobs) == []
    assert Attempt.objects.filter(quiz=quiz).count() == 10
    assert set(Attempt.objects.values_list("score", flat=True)) == {2}
    assert ActivityEvent.objects.filter(verb="quiz.answered").count() == 10
