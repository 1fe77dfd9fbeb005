"""Polls, quizzes and challenges in Chromium: a member votes on a poll and sees the
results, answers a quiz and a challenge; an animator opens every form. axe-core runs on
every page of the app."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cercle.accounts.models import User
from cercle.activities import actions
from cercle.activities.actions import ChallengeFields, PollFields, QuizFields
from cercle.activities.models import Ballot, Challenge, Poll, Quiz
from cercle.activities.quiztext import parse
from cercle.communities.models import Community, Space
from cercle.membership import actions as community_actions
from tests.communities import community
from tests.conftest import make_person
from tests.e2e.conftest import assert_accessible
from tests.e2e.journeys import log_in

QUESTIONS = """
? Which tyre pressure suits a loaded cargo bike?
- 1 bar
+ 3 bar
- 8 bar
> Soft enough to grip, hard enough not to pinch.

? Which of these carry children safely?
+ A box bike with belts
+ A longtail with a seat
- A shopping basket
"""


@pytest.fixture
def activities(db: None) -> tuple[Poll, Quiz, Challenge]:
    claire = make_person("claire@example.org", "Claire Coord")
    cargo: Community = community(claire, slug="cargo", name="Cargo Riders")
    alice = make_person("alice@example.org", "Alice Martin")
    community_actions.do_join(alice, cargo)
    bob = make_person("bob@example.org", "Bob Leroy")
    community_actions.do_join(bob, cargo)
    general: Space = cargo.spaces.get(is_default=True)
    poll = actions.do_create_poll(
        claire,
        general,
        PollFields(
            title="Which cargo bike do you ride?",
            description="Tell us, it helps plan the **group rides**.",
            choices=["Box bike", "Longtail", "Trike"],
            closes_at=timezone.now() + timedelta(days=7),
        ),
    )
    actions.do_vote(bob, poll, [poll.choices.get(label="Box bike").pk])
    quiz = actions.do_create_quiz(
        claire,
        general,
        QuizFields(title="Cargo bike basics", questions=parse(QUESTIONS), leaderboard=True),
    )
    challenge = actions.do_create_challenge(
        claire,
        general,
        ChallengeFields(
            title="Your best tip for rainy rides",
            prompt="Share **one** tip before Sunday.",
            deadline=timezone.now() + timedelta(days=5),
        ),
    )
    actions.do_answer_challenge(bob, challenge, "Mudguards, *always*.")
    return poll, quiz, challenge


def test_a_member_votes_on_a_poll_sees_the_results_and_takes_part(
    page: Page, live_server: Any, activities: tuple[Poll, Quiz, Challenge]
) -> None:
    poll, quiz, challenge = activities
    base = live_server.url
    log_in(page, base, "alice@example.org")

    page.goto(f"{base}/c/cargo/")
    expect(page.get_by_role("heading", name="Take part")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{base}/c/cargo/activities/")
    expect(page.locator("h1")).to_have_text("Activities")
    assert_accessible(page)

    page.get_by_role("link", name=poll.title).click()
    expect(page.locator("h1")).to_have_text(poll.title)
    expect(page.get_by_text("The results are shown once you have voted.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Longtail").check()
    page.get_by_role("button", name="Vote").click()
    expect(page.locator(".messages")).to_contain_text("Your vote is counted")
    results = page.locator(".poll-results")
    expect(results).to_contain_text("2 members voted.")
    expect(results).to_contain_text("Longtail: 1 vote (50%)")
    expect(results).to_contain_text("Box bike: 1 vote (50%)")
    expect(page.get_by_role("button", name="Change my vote")).to_be_visible()
    assert_accessible(page)
    alice = User.objects.get(email="alice@example.org")
    assert Ballot.objects.filter(poll=poll, voter=alice).count() == 1

    page.goto(f"{base}{quiz.get_absolute_url()}")
    assert_accessible(page)
    page.get_by_label("3 bar").check()
    page.get_by_label("A box bike with belts").check()
    page.get_by_label("A longtail with a seat").check()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.locator(".quiz-score")).to_contain_text("Your score: 2 out of 2.")
    expect(page.get_by_role("heading", name="Leaderboard")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{base}{challenge.get_absolute_url()}")
    assert_accessible(page)
    page.get_by_label("Your answer").fill("A **cape** that covers the handlebars.")
    page.get_by_role("button", name="Share my answer").click()
    expect(page.locator(".challenge-answer")).to_have_count(2)
    expect(page.get_by_role("button", name="Update my answer")).to_be_visible()
    assert_accessible(page)


def test_an_animator_prepares_activities_on_accessible_forms(
    page: Page, live_server: Any, activities: tuple[Poll, Quiz, Challenge]
) -> None:
    poll, quiz, challenge = activities
    base = live_server.url
    log_in(page, base, "claire@example.org")
    page.goto(f"{base}/c/cargo/polls/new/?publish_at=2031-03-01T09:00&space=general")
    expect(page.locator("#id_publish_at")).to_have_value("2031-03-01T09:00")
    assert_accessible(page)
    page.locator("#id_title").fill("Where shall we ride in March?")
    page.locator("#id_choices").fill("Along the river\nUp the hill")
    page.get_by_role("button", name="Create").click()
    expect(page.locator("h1")).to_have_text("Where shall we ride in March?")
    expect(page.locator(".activity-status")).to_contain_text("Not published")
    assert_accessible(page)
    for url in (
        "/c/cargo/quizzes/new/",
        "/c/cargo/challenges/new/",
        f"/c/cargo/polls/{poll.pk}/edit/",
        f"/c/cargo/quizzes/{quiz.pk}/edit/",
        f"/c/cargo/challenges/{challenge.pk}/edit/",
        f"/c/cargo/polls/{poll.pk}/delete/",
        poll.get_absolute_url(),
        quiz.get_absolute_url(),
    ):
        page.goto(f"{base}{url}")
        expect(page.locator("h1")).to_be_visible()
        assert_accessible(page)
