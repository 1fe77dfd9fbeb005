"""Polls (level 1) and what polls, quizzes and challenges share: who creates and sees
them, planning and publishing, the activities page and the landing page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from cercle.accounts.models import User
from cercle.activities import actions, demo
from cercle.activities.actions import ChallengeFields, PollFields, QuizFields
from cercle.activities.models import Ballot, BallotChoice, Challenge, Poll, Quiz, ResultsShown
from cercle.activities.quiztext import parse
from cercle.activity.models import ActivityEvent, EngagementLevel
from cercle.animation import planning
from cercle.communities.models import Community, Space, Visibility
from cercle.errors import ActionRefused
from cercle.notifications.models import Kind, Notification
from tests.communities import NAVIGATION_QUERIES, client_for, community, html, join
from tests.conftest import make_person

QUIZ_TEXT = """
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
def cargo(coordinator: User, alice: User, bob: User) -> Community:
    """A public community on Paris's clock: Claire coordinates, Alice and Bob are members."""
    return community(coordinator, time_zone="Europe/Paris", members=(alice, bob))


def make_poll(
    animator: User,
    space: Space,
    *,
    choices: tuple[str, ...] = ("Box", "Longtail", "Trike"),
    **values: Any,
) -> Poll:
    values.setdefault("title", "Which cargo bike do you ride?")
    return actions.do_create_poll(animator, space, PollFields(choices=choices, **values))


def make_quiz(animator: User, space: Space, **values: Any) -> Quiz:
    values.setdefault("title", "Cargo bike basics")
    values.setdefault("questions", parse(QUIZ_TEXT))
    return actions.do_create_quiz(animator, space, QuizFields(**values))


def make_challenge(animator: User, space: Space, **values: Any) -> Challenge:
    values.setdefault("title", "Your best tip for rainy rides")
    values.setdefault("prompt", "Share **one** tip this week.")
    values.setdefault("deadline", timezone.now() + timedelta(days=7))
    return actions.do_create_challenge(animator, space, ChallengeFields(**values))


def choice_ids(poll: Poll, *labels: str) -> list[int]:
    return [choice.pk for choice in poll.choices.all() if choice.label in labels]


def post_poll(client: Client, slug: str = "cargo", **overrides: Any) -> Any:
    data = {
        "space": "",
        "title": "Which cargo bike do you ride?",
        "description": "",
        "choices": "Box\nLongtail\nTrike",
        "anonymous": "on",
        "results_shown": ResultsShown.AFTER_VOTING,
        "closes_at": "",
        "publish_at": "",
    }
    data.update(overrides)
    return client.post(f"/c/{slug}/polls/new/", data)


# --- Creating ---------------------------------------------------------------------------------


def test_an_animator_creates_a_poll_that_goes_out_at_once_and_tells_the_members(
    cargo: Community, coordinator: User, alice: User, bob: User, general: Space
) -> None:
    response = post_poll(client_for(coordinator), space=str(general.pk))
    poll = Poll.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/c/cargo/polls/{poll.pk}/"
    assert poll.is_published
    assert poll.space == general
    assert poll.created_by == coordinator
    assert [c.label for c in poll.choices.all()] == ["Box", "Longtail", "Trike"]
    assert poll.anonymous
    assert not poll.multiple
    told = Notification.objects.filter(kind=Kind.NEW_ACTIVITY)
    assert {n.recipient_id for n in told} == {alice.pk, bob.pk}
    assert {n.url for n in told} == {poll.get_absolute_url()}
    assert set(ActivityEvent.objects.values_list("verb", flat=True)) >= {
        "poll.created",
        "poll.published",
    }


def test_the_form_refuses_bad_polls_and_writes_nothing(
    cargo: Community, coordinator: User, general: Space
) -> None:
    client = client_for(coordinator)
    cases = {
        "Give at least two choices": {"choices": "Only one"},
        "20 choices at most": {"choices": "\n".join(f"Choice {n}" for n in range(21))},
        "Two choices are the same": {"choices": "Box\nbox"},
        "between 2 and the number of choices": {
            "multiple": "on",
            "max_choices": "3",
            "choices": "A\nB",
        },
        "must come after the publication": {"closes_at": "2000-01-01T10:00"},
        "This field is required": {"title": ""},
    }
    for message, overrides in cases.items():
        response = post_poll(client, space=str(general.pk), **overrides)
        assert response.status_code == 400, message
        assert message in response.content.decode(), message
    assert not Poll.objects.exists()
    assert not Notification.objects.filter(kind=Kind.NEW_ACTIVITY).exists()


def test_moments_are_typed_on_the_community_clock_and_the_form_can_be_prefilled(
    cargo: Community, coordinator: User, lab: Space
) -> None:
    client = client_for(coordinator)
    page = html(client, "/c/cargo/polls/new/?publish_at=2030-05-01T09:30&space=lab")
    assert 'value="2030-05-01T09:30"' in page
    assert f'<option value="{lab.pk}" selected>' in page
    assert "Europe/Paris" in page
    post_poll(
        client, space=str(lab.pk), publish_at="2030-05-01T09:30", closes_at="2030-05-08T18:00"
    )
    poll = Poll.objects.get()
    # Paris is two hours ahead of UTC in May.
    assert poll.publish_at == datetime(2030, 5, 1, 7, 30, tzinfo=UTC)
    assert poll.closes_at == datetime(2030, 5, 8, 16, 0, tzinfo=UTC)
    assert not poll.is_published
    page = html(client, poll.get_absolute_url())
    assert "Publishes on" in page
    assert "(Europe/Paris)" in page
    edit = html(client, f"/c/cargo/polls/{poll.pk}/edit/")
    assert 'value="2030-05-01T09:30"' in edit
    assert 'value="2030-05-08T18:00"' in edit


def test_members_visitors_and_outsiders_create_nothing(
    cargo: Community, alice: User, charlie: User, general: Space
) -> None:
    for person in (alice, charlie):
        client = client_for(person)
        for kind in ("polls", "quizzes", "challenges"):
            assert client.get(f"/c/cargo/{kind}/new/").status_code == 403
        assert post_poll(client, space=str(general.pk)).status_code == 403
    assert client_for(None).get("/c/cargo/polls/new/").status_code == 302  # to log in
    with pytest.raises(ActionRefused):
        make_poll(alice, general)
    assert not Poll.objects.exists()


def test_an_animator_offers_only_spaces_they_animate(
    cargo: Community, coordinator: User, general: Space
) -> None:
    other = community(make_person("olga@example.org", "Olga"), slug="other")
    elsewhere = other.spaces.get()
    response = post_poll(client_for(coordinator), space=str(elsewhere.pk))
    assert response.status_code == 400
    with pytest.raises(ActionRefused, match="animators"):
        make_poll(coordinator, elsewhere)
    assert not Poll.objects.exists()


# --- Seeing -----------------------------------------------------------------------------------


def test_an_unpublished_poll_is_invisible_to_members_everywhere_until_its_time(
    cargo: Community, coordinator: User, alice: User, general: Space
) -> None:
    later = timezone.now() + timedelta(days=1)
    poll = make_poll(coordinator, general, publish_at=later)
    member = client_for(alice)
    assert member.get(poll.get_absolute_url()).status_code == 404
    assert (
        member.post(
            f"{poll.get_absolute_url()}vote/", {"choice": choice_ids(poll, "Box")}
        ).status_code
        == 404
    )
    assert poll.title not in html(member, "/c/cargo/activities/")
    assert poll.title not in html(member, "/c/cargo/")
    assert not Notification.objects.filter(kind=Kind.NEW_ACTIVITY).exists()
    with pytest.raises(ActionRefused) as refusal:
        actions.do_vote(alice, poll, choice_ids(poll, "Box"))
    assert refusal.value.not_found
    assert not Ballot.objects.exists()
    # The animator sees it, marked.
    page = html(client_for(coordinator), "/c/cargo/activities/")
    assert poll.title in page
    assert "Not published" in page

    assert planning.publish_due(later + timedelta(minutes=1)) == 1
    assert poll.title in html(member, "/c/cargo/activities/")
    assert poll.title in html(member, "/c/cargo/")
    assert Notification.objects.filter(recipient=alice, kind=Kind.NEW_ACTIVITY).exists()


def test_a_poll_in_a_private_space_is_a_404_for_those_not_listed(
    cargo: Community, coordinator: User, alice: User, bob: User, charlie: User, lab: Space
) -> None:
    poll = make_poll(coordinator, lab)
    assert {n.recipient_id for n in Notification.objects.filter(kind=Kind.NEW_ACTIVITY)} == {
        alice.pk
    }
    for person in (bob, charlie, None):
        client = client_for(person)
        assert client.get(poll.get_absolute_url()).status_code == 404
        assert client.get(f"/c/cargo/polls/{poll.pk}/edit/").status_code in {404, 302}
        response = client.post(
            f"{poll.get_absolute_url()}vote/", {"choice": choice_ids(poll, "Box")}
        )
        assert response.status_code in {404, 302}
        assert poll.title not in client.get("/c/cargo/activities/").content.decode()
    for person in (bob, charlie):
        with pytest.raises(ActionRefused) as refusal:
            actions.do_vote(person, poll, choice_ids(poll, "Box"))
        assert refusal.value.not_found
    assert not Ballot.objects.exists()
    assert not ActivityEvent.objects.filter(verb="poll.voted").exists()
    actions.do_vote(alice, poll, choice_ids(poll, "Box"))
    assert Ballot.objects.count() == 1


def test_a_members_only_community_hides_its_polls_from_outsiders(
    coordinator: User, alice: User, charlie: User
) -> None:
    closed = community(coordinator, slug="closed", visibility=Visibility.MEMBERS)
    join(alice, closed)
    poll = make_poll(coordinator, closed.spaces.get())
    assert client_for(charlie).get(poll.get_absolute_url()).status_code == 404
    assert client_for(charlie).get("/c/closed/activities/").status_code == 404
    assert client_for(alice).get(poll.get_absolute_url()).status_code == 200


def test_a_visitor_of_a_public_community_reads_a_poll_but_only_members_vote(
    cargo: Community, coordinator: User, charlie: User, general: Space
) -> None:
    poll = make_poll(coordinator, general)
    page = html(client_for(charlie), poll.get_absolute_url())
    assert "Only members of the community vote." in page
    assert 'name="choice"' not in page
    with pytest.raises(ActionRefused) as refusal:
        actions.do_vote(charlie, poll, choice_ids(poll, "Box"))
    assert not refusal.value.not_found
    client_for(charlie).post(f"{poll.get_absolute_url()}vote/", {"choice": choice_ids(poll, "Box")})
    assert not Ballot.objects.exists()


# --- Voting -----------------------------------------------------------------------------------


def test_a_member_votes_once_and_may_change_the_vote_until_closing(
    cargo: Community, coordinator: User, alice: User, general: Space
) -> None:
    closes = timezone.now() + timedelta(days=2)
    poll = make_poll(coordinator, general, closes_at=closes)
    client = client_for(alice)
    response = client.post(
        f"{poll.get_absolute_url()}vote/", {"choice": choice_ids(poll, "Box")}, follow=True
    )
    page = response.content.decode()
    assert "Your vote is counted. You may change it until the poll closes." in page
    assert "Change my vote" in page
    client.post(f"{poll.get_absolute_url()}vote/", {"choice": choice_ids(poll, "Trike")})
    ballot = Ballot.objects.get()
    assert list(ballot.choices.values_list("label", flat=True)) == ["Trike"]
    events = ActivityEvent.objects.filter(object_type="activities.poll", object_id=poll.pk)
    assert list(events.filter(verb="poll.voted").values_list("level", flat=True)) == [
        EngagementLevel.REACT
    ]
    assert events.filter(verb="poll.vote_changed", level=None).count() == 1

    with time_machine.travel(closes + timedelta(seconds=1)):
        with pytest.raises(ActionRefused, match="closed"):
            actions.do_vote(alice, poll, choice_ids(poll, "Box"))
        page = client.post(
            f"{poll.get_absolute_url()}vote/", {"choice": choice_ids(poll, "Box")}, follow=True
        ).content.decode()
        assert "This activity is closed." in page
        assert 'name="choice"' not in page
    assert list(Ballot.objects.get().choices.values_list("label", flat=True)) == ["Trike"]


def test_choices_must_belong_to_the_poll_and_respect_its_limits(
    cargo: Community, coordinator: User, alice: User, general: Space
) -> None:
    single = make_poll(coordinator, general)
    several = make_poll(
        coordinator,
        general,
        title="What do you carry?",
        choices=("Kids", "Groceries", "Tools", "Dogs"),
        multiple=True,
        max_choices=2,
    )
    with pytest.raises(ActionRefused, match="only one"):
        actions.do_vote(alice, single, choice_ids(single, "Box", "Trike"))
    with pytest.raises(ActionRefused, match="not in the poll"):
        actions.do_vote(alice, single, choice_ids(several, "Kids"))
    with pytest.raises(ActionRefused, match="Pick a choice"):
        actions.do_vote(alice, single, [])
    with pytest.raises(ActionRefused, match="2 choices at most"):
        actions.do_vote(alice, several, choice_ids(several, "Kids", "Tools", "Dogs"))
    response = client_for(alice).post(
        f"{single.get_absolute_url()}vote/", {"choice": "x"}, follow=True
    )
    assert "This choice is not in the poll." in response.content.decode()
    assert not Ballot.objects.exists()
    actions.do_vote(alice, several, choice_ids(several, "Kids", "Tools"))
    assert BallotChoice.objects.count() == 2


def test_results_show_after_voting_or_after_closing_as_the_animator_chose(
    cargo: Community, coordinator: User, alice: User, bob: User, general: Space
) -> None:
    closes = timezone.now() + timedelta(days=1)
    after_voting = make_poll(coordinator, general, multiple=True)
    after_closing = make_poll(
        coordinator,
        general,
        title="Best brand?",
        closes_at=closes,
        results_shown=ResultsShown.AFTER_CLOSING,
    )
    actions.do_vote(alice, after_voting, choice_ids(after_voting, "Box", "Trike"))
    actions.do_vote(bob, after_voting, choice_ids(after_voting, "Box"))
    actions.do_vote(alice, after_closing, choice_ids(after_closing, "Box"))

    page = html(client_for(make_member(cargo)), after_voting.get_absolute_url())
    assert "The results are shown once you have voted." in page
    assert "2 members voted." not in page
    page = html(client_for(bob), after_voting.get_absolute_url())
    # Counts and percentages in words; the bars only repeat them.
    assert "<strong>Box</strong>: 2 votes (100%)" in page
    assert "<strong>Trike</strong>: 1 vote (50%)" in page
    assert "<strong>Longtail</strong>: 0 votes (0%)" in page
    assert "2 members voted." in page
    assert 'aria-hidden="true">100%</progress>' in page

    page = html(client_for(alice), after_closing.get_absolute_url())
    assert "The results are shown when the poll closes, on" in page
    assert "1 member voted." not in page
    assert "1 member voted." in html(client_for(coordinator), after_closing.get_absolute_url())
    with time_machine.travel(closes + timedelta(minutes=1)):
        page = html(client_for(bob), after_closing.get_absolute_url())
        assert "<strong>Box</strong>: 1 vote (100%)" in page
        assert "Closed" in page


def make_member(where: Community, name: str = "Dana Rider") -> User:
    person = make_person(f"{name.split(maxsplit=1)[0].lower()}@example.org", name)
    join(person, where)
    return person


def test_an_anonymous_poll_never_shows_who_voted_not_even_to_animators(
    cargo: Community, coordinator: User, alice: User, bob: User, general: Space
) -> None:
    anonymous = make_poll(coordinator, general)
    named = make_poll(
        coordinator, general, title="Who comes on Sunday?", anonymous=False, choices=("Yes", "No")
    )
    for person in (alice, bob):
        actions.do_vote(person, anonymous, choice_ids(anonymous, "Box"))
        actions.do_vote(person, named, choice_ids(named, "Yes"))
    for reader in (coordinator, alice, bob):
        page = html(client_for(reader), anonymous.get_absolute_url())
        assert "<strong>Box</strong>: 2 votes (100%)" in page
        for name in ("Alice Martin", "Bob Leroy"):
            if reader.display_name != name:
                assert name not in page, (reader, name)
        assert "Voted for it" not in page
    page = html(client_for(coordinator), named.get_absolute_url())
    assert "Voted for it: Alice Martin, Bob Leroy" in page


def test_named_polls_list_a_bounded_number_of_names(
    cargo: Community, coordinator: User, general: Space, settings: Any
) -> None:
    poll = make_poll(coordinator, general, anonymous=False)
    for n in range(33):
        actions.do_vote(make_member(cargo, f"Rider{n} Name"), poll, choice_ids(poll, "Box"))
    page = html(client_for(coordinator), poll.get_absolute_url())
    assert "Rider0 Name" in page
    assert "Rider29 Name" in page
    assert "Rider30 Name" not in page
    assert "and 3 others" in page


# --- Editing and deleting ---------------------------------------------------------------------


def test_before_publication_everything_changes_after_only_description_and_closing(
    cargo: Community, coordinator: User, alice: User, general: Space, lab: Space
) -> None:
    later = timezone.now() + timedelta(days=3)
    poll = make_poll(coordinator, general, publish_at=later)
    client = client_for(coordinator)
    response = client.post(
        f"/c/cargo/polls/{poll.pk}/edit/",
        {
            "space": lab.pk,
            "title": "Which bike, really?",
            "choices": "A\nB",
            "results_shown": ResultsShown.AFTER_CLOSING,
            "publish_at": "",
            "closes_at": "",
            "description": "Be honest",
        },
    )
    assert response.status_code == 302
    poll.refresh_from_db()
    assert poll.title == "Which bike, really?"
    assert poll.space == lab
    assert [c.label for c in poll.choices.all()] == ["A", "B"]
    assert poll.is_published  # no moment: out at once
    assert not poll.anonymous  # the box was left unticked

    page = html(client, f"/c/cargo/polls/{poll.pk}/edit/")
    assert 'name="choices"' not in page
    assert 'name="description"' in page
    closes = timezone.now() + timedelta(days=5)
    response = client.post(
        f"/c/cargo/polls/{poll.pk}/edit/",
        {
            "description": "Honest **answers** only",
            "closes": closes.astimezone(cargo.zone).strftime("%Y-%m-%dT%H:%M"),
            "title": "Hacked",
            "choices": "X\nY",
        },
    )
    assert response.status_code == 302
    poll.refresh_from_db()
    assert poll.title == "Which bike, really?"
    assert [c.label for c in poll.choices.all()] == ["A", "B"]
    assert "<strong>answers</strong>" in poll.description_html
    assert poll.closes_at is not None
    assert abs((poll.closes_at - closes).total_seconds()) < 60
    with pytest.raises(ActionRefused, match="published meanwhile"):
        actions.do_edit_poll(coordinator, poll, general, PollFields(title="X", choices=["A", "B"]))
    # Members neither edit nor delete.
    member = client_for(alice)
    assert member.get(f"/c/cargo/polls/{poll.pk}/edit/").status_code == 403
    assert member.post(f"/c/cargo/polls/{poll.pk}/delete/").status_code == 403
    assert Poll.objects.filter(pk=poll.pk).exists()


def test_an_animator_deletes_a_poll_with_its_votes(
    cargo: Community, coordinator: User, alice: User, general: Space
) -> None:
    poll = make_poll(coordinator, general)
    actions.do_vote(alice, poll, choice_ids(poll, "Box"))
    client = client_for(coordinator)
    assert "This cannot be undone" in html(client, f"/c/cargo/polls/{poll.pk}/delete/")
    response = client.post(f"/c/cargo/polls/{poll.pk}/delete/")
    assert response.status_code == 302
    assert response["Location"] == "/c/cargo/activities/"
    assert not Poll.objects.exists()
    assert not Ballot.objects.exists()
    assert ActivityEvent.objects.filter(verb="poll.deleted", object_id=poll.pk).exists()


# --- Lists ------------------------------------------------------------------------------------


def test_the_activities_page_lists_the_three_kinds_and_filters_open_ones(
    cargo: Community, coordinator: User, alice: User, general: Space
) -> None:
    closes = timezone.now() + timedelta(hours=1)
    poll = make_poll(coordinator, general, closes_at=closes)
    quiz = make_quiz(coordinator, general)
    challenge = make_challenge(coordinator, general)
    client = client_for(alice)
    page = html(client, "/c/cargo/activities/")
    for item in (poll, quiz, challenge):
        assert f'href="{item.get_absolute_url()}"' in page
    assert page.index(challenge.title) < page.index(quiz.title) < page.index(poll.title)
    with time_machine.travel(closes + timedelta(minutes=1)):
        page = html(client, "/c/cargo/activities/?show=open")
        assert poll.title not in page
        assert quiz.title in page
        assert poll.title in html(client, "/c/cargo/activities/")


def test_the_landing_page_shows_at_most_three_open_activities(
    cargo: Community, coordinator: User, alice: User, charlie: User, general: Space, lab: Space
) -> None:
    for n in range(4):
        make_poll(coordinator, general, title=f"Poll number {n}")
    make_poll(coordinator, lab, title="Lab secret poll")
    page = html(client_for(alice), "/c/cargo/")
    assert "Take part" in page
    assert "Lab secret poll" in page  # Alice is listed in the lab
    assert page.count("Poll number") == 2
    visitor = html(client_for(charlie), "/c/cargo/")
    assert "Lab secret poll" not in visitor
    assert visitor.count("Poll number") == 3


# Queries of each page of the app, whatever the amount of data (sessions, user,
# membership, listed spaces and messages included).
LIST_QUERIES = 11
POLL_QUERIES = 10
QUIZ_QUERIES = 13
CHALLENGE_QUERIES = 10


def test_list_and_detail_pages_do_not_grow_their_queries_with_the_data(
    cargo: Community,
    coordinator: User,
    alice: User,
    general: Space,
    django_assert_max_num_queries: Any,
) -> None:
    def add(count: int) -> tuple[Poll, Quiz, Challenge]:
        made = []
        for n in range(count):
            made = [
                make_poll(coordinator, general, title=f"Poll {n}", anonymous=False),
                make_quiz(coordinator, general, title=f"Quiz {n}", leaderboard=True),
                make_challenge(coordinator, general, title=f"Challenge {n}"),
            ]
        poll, quiz, challenge = made
        assert isinstance(poll, Poll)
        assert isinstance(quiz, Quiz)
        assert isinstance(challenge, Challenge)
        return poll, quiz, challenge

    def take_part(count: int, prefix: str) -> None:
        for n in range(count):
            member = make_member(cargo, f"{prefix}{n} Name")
            actions.do_vote(member, poll, choice_ids(poll, "Box", "Trike")[n % 2 :][:1])
            actions.do_answer_quiz(member, quiz, right_answers(quiz))
            actions.do_answer_challenge(member, challenge, f"Tip number {n} from {prefix}")

    client = client_for(alice)
    poll, quiz, challenge = add(2)
    actions.do_vote(alice, poll, choice_ids(poll, "Trike"))
    actions.do_answer_quiz(alice, quiz, right_answers(quiz))
    actions.do_answer_challenge(alice, challenge, "Alice's tip")
    landing = "/c/cargo/"
    with django_assert_max_num_queries(60) as captured:
        html(client, landing)
    landing_budget = len(captured.captured_queries)

    for round_, (count, prefix) in enumerate([(2, "Few"), (25, "Many")]):
        if round_:
            add(12)
        take_part(count, prefix)
        for url in ("/c/cargo/activities/", "/c/cargo/activities/?show=open"):
            with django_assert_max_num_queries(LIST_QUERIES + NAVIGATION_QUERIES):
                page = html(client, url)
        with django_assert_max_num_queries(POLL_QUERIES + NAVIGATION_QUERIES):
            page = html(client, poll.get_absolute_url())
        assert "Voted for it:" in page
        with django_assert_max_num_queries(QUIZ_QUERIES + NAVIGATION_QUERIES):
            page = html(client, quiz.get_absolute_url())
        assert "Leaderboard" in page
        with django_assert_max_num_queries(CHALLENGE_QUERIES + NAVIGATION_QUERIES):
            page = html(client, challenge.get_absolute_url())
        assert "Tip number 1 from" in page
        with django_assert_max_num_queries(landing_budget):
            page = html(client, landing)
        assert page.count("Take part") == 1
    assert html(client, "/c/cargo/activities/").count('class="card activity-row"') == 20


def right_answers(quiz: Quiz) -> dict[int, list[int]]:
    return {
        question.pk: [choice.pk for choice in question.choices.all() if choice.is_right]
        for question in quiz.questions.prefetch_related("choices")
    }


def test_the_demo_prepares_a_poll_a_quiz_and_a_challenge_with_participation(
    cargo: Community, coordinator: User, alice: User, bob: User
) -> None:
    members = [alice, bob, make_member(cargo)]
    demo.populate(cargo, coordinator, members)
    assert Poll.objects.filter(published_at__isnull=False).count() == 1
    assert Poll.objects.filter(published_at=None).count() == 1  # planned for next week
    assert Ballot.objects.count() == 3
    quiz = Quiz.objects.get()
    assert sorted(quiz.attempts.values_list("score", flat=True)) == [2, 2, 3]
    assert Challenge.objects.get().answers.count() == 3
    page = html(client_for(alice), "/c/cargo/activities/")
    assert "Quel rituel voulez-vous pour la rentrée ?" in page
    assert "Quel créneau pour la prochaine rencontre ?" not in page
