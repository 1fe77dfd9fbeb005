"""Quizzes and challenges (level 2): the quiz editor's text format, scoring, one attempt
per member, the leaderboard; challenge answers until the deadline, listed together."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from cercle.accounts.models import User
from cercle.activities import actions
from cercle.activities.actions import QuizFields
from cercle.activities.models import (
    Attempt,
    Challenge,
    ChallengeAnswer,
    Question,
    QuestionChoice,
    Quiz,
)
from cercle.activities.quiztext import QuestionDraft, QuizTextError, parse, write
from cercle.activity.models import ActivityEvent, EngagementLevel
from cercle.communities.models import Community, Role, Space
from cercle.errors import ActionRefused
from cercle.membership import actions as community_actions
from tests.communities import client_for, community, html
from tests.test_activities import QUIZ_TEXT, make_challenge, make_member, make_quiz


@pytest.fixture
def cargo(coordinator: User, alice: User, bob: User) -> Community:
    """A public community on Paris's clock: Claire coordinates, Alice and Bob are members."""
    return community(coordinator, time_zone="Europe/Paris", members=(alice, bob))


def picks(quiz: Quiz, *answers: tuple[str, ...]) -> dict[int, list[int]]:
    """The choices labelled `answers[n]` for question n."""
    chosen: dict[int, list[int]] = {}
    for question, labels in zip(quiz.questions.all(), answers, strict=True):
        chosen[question.pk] = [c.pk for c in question.choices.all() if c.label in labels]
    return chosen


RIGHT = (("3 bar",), ("A box bike with belts", "A longtail with a seat"))


# --- The editor's text ------------------------------------------------------------------------


def test_the_quiz_text_reads_questions_choices_and_explanations() -> None:
    questions = parse(QUIZ_TEXT)
    assert [q.text for q in questions] == [
        "Which tyre pressure suits a loaded cargo bike?",
        "Which of these carry children safely?",
    ]
    assert questions[0].choices == [("1 bar", False), ("3 bar", True), ("8 bar", False)]
    assert questions[0].explanation == "Soft enough to grip, hard enough not to pinch."
    assert questions[1].right_count == 2
    assert parse(write(questions)) == [
        QuestionDraft(q.text, q.choices, q.explanation, line=n)
        for q, n in zip(questions, (1, 7), strict=True)
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Write at least one question"),
        ("+ 3 bar", "Line 1: start with a question"),
        ("? Pressure?\n+ 3 bar\n* 8 bar", "Line 3: start the line with ?, +, - or >."),
        ("? Pressure?\n+ 3 bar", "Question 1 needs between 2 and 10 choices."),
        ("? Pressure?\n- 3 bar\n- 8 bar", "Question 1 needs at least one right choice"),
        ("? Pressure?\n+ 3 bar\n- 3 BAR", "Question 1 has the same choice twice."),
        ("?\n+ a\n- b", "Line 1: write the question after the “?”."),
        ("? Q\n+\n- b\n- c", "Line 2: write the choice after the sign."),
        ("? Q\n" + "\n".join(f"- {n}" for n in range(10)) + "\n+ right", "between 2 and 10"),
    ],
)
def test_the_quiz_text_says_what_is_wrong_and_where(text: str, message: str) -> None:
    with pytest.raises(QuizTextError) as error:
        parse(text)
    assert any(message in found for found in error.value.messages), error.value.messages


def test_the_quiz_form_refuses_bad_questions_and_creates_nothing(
    cargo: Community, coordinator: User, general: Space
) -> None:
    client = client_for(coordinator)
    data = {"space": general.pk, "title": "Basics", "questions": "? Only one\n+ yes"}
    response = client.post("/c/cargo/quizzes/new/", data)
    assert response.status_code == 400
    assert "Question 1 needs between 2 and 10 choices." in response.content.decode()
    assert not Quiz.objects.exists()
    assert not Question.objects.exists()
    with pytest.raises(ActionRefused, match="at least one right choice"):
        actions.do_create_quiz(
            coordinator,
            general,
            QuizFields(
                title="Basics", questions=[QuestionDraft("Q", [("a", False), ("b", False)])]
            ),
        )
    assert not Quiz.objects.exists()

    data["questions"] = QUIZ_TEXT
    response = client.post("/c/cargo/quizzes/new/", data)
    quiz = Quiz.objects.get()
    assert response["Location"] == quiz.get_absolute_url()
    assert quiz.questions.count() == 2
    assert QuestionChoice.objects.count() == 6
    # Published: only the description and the closing date may change.
    page = html(client, f"/c/cargo/quizzes/{quiz.pk}/edit/")
    assert 'name="questions"' not in page
    assert 'name="leaderboard"' in page
    # Before publication the editor gives the same text back.
    planned = make_quiz(coordinator, general, publish_at=timezone.now() + timedelta(days=1))
    page = html(client, f"/c/cargo/quizzes/{planned.pk}/edit/")
    assert "? Which tyre pressure suits a loaded cargo bike?\n- 1 bar\n+ 3 bar" in page


# --- Answering --------------------------------------------------------------------------------


def test_a_member_answers_once_and_gets_a_score_then_sees_answers_and_explanations(
    cargo: Community, coordinator: User, alice: User, general: Space
) -> None:
    quiz = make_quiz(coordinator, general)
    client = client_for(alice)
    page = html(client, quiz.get_absolute_url())
    assert "Right answer" not in page
    assert "Soft enough to grip" not in page
    assert 'type="checkbox" name="question-' in page  # the question with two right answers
    assert "Several choices are right" in page

    # Only one of the two right choices: the second question is wrong.
    chosen = picks(quiz, ("3 bar",), ("A box bike with belts",))
    data = {f"question-{pk}": ids for pk, ids in chosen.items()}
    response = client.post(f"{quiz.get_absolute_url()}answer/", data, follow=True)
    page = response.content.decode()
    assert "Your score: 1 out of 2." in page
    assert "Right answer" in page
    assert "Soft enough to grip" in page
    assert 'name="question-' not in page
    attempt = Attempt.objects.get()
    assert (attempt.score, attempt.total) == (1, 2)
    event = ActivityEvent.objects.get(verb="quiz.answered")
    assert (event.actor, event.level) == (alice, EngagementLevel.TAKE_PART)

    with pytest.raises(ActionRefused, match="already answered"):
        actions.do_answer_quiz(alice, quiz, picks(quiz, *RIGHT))
    client.post(f"{quiz.get_absolute_url()}answer/", data)
    assert Attempt.objects.count() == 1
    assert ActivityEvent.objects.filter(verb="quiz.answered").count() == 1


def test_a_question_with_several_right_answers_is_right_only_with_exactly_those(
    cargo: Community, coordinator: User, general: Space
) -> None:
    quiz = make_quiz(coordinator, general)
    cases = [
        (RIGHT, 2),
        ((("3 bar",), ("A box bike with belts", "A longtail with a seat", "A shopping basket")), 1),
        ((("1 bar",), ("A longtail with a seat", "A box bike with belts")), 1),
        ((("8 bar",), ("A shopping basket",)), 0),
    ]
    for n, (answers, score) in enumerate(cases):
        member = make_member(cargo, f"Quizzer{n} Name")
        assert actions.do_answer_quiz(member, quiz, picks(quiz, *answers)).score == score


def test_quiz_answers_must_be_complete_and_belong_to_their_question(
    cargo: Community, coordinator: User, alice: User, general: Space
) -> None:
    quiz = make_quiz(coordinator, general)
    other = make_quiz(coordinator, general, title="Other")
    chosen = picks(quiz, *RIGHT)
    first, second = list(chosen)
    with pytest.raises(ActionRefused, match=r"Answer every question \(left: 2\)"):
        actions.do_answer_quiz(alice, quiz, {first: chosen[first]})
    with pytest.raises(ActionRefused, match="takes one answer"):
        actions.do_answer_quiz(alice, quiz, picks(quiz, ("1 bar", "3 bar"), RIGHT[1]))
    elsewhere = QuestionChoice.objects.filter(question__quiz=other).values_list("pk", flat=True)
    with pytest.raises(ActionRefused, match="not in the quiz"):
        actions.do_answer_quiz(alice, quiz, {first: [elsewhere[0]], second: chosen[second]})
    # The page keeps what was picked and says what is missing.
    client = client_for(alice)
    only_first = {f"question-{first}": chosen[first]}
    response = client.post(f"{quiz.get_absolute_url()}answer/", only_first)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Answer every question (left: 2)." in page
    assert f'value="{chosen[first][0]}" id="choice-{chosen[first][0]}" checked' in page
    assert not Attempt.objects.exists()


def test_a_quiz_takes_no_answer_before_publication_after_closing_or_from_non_members(
    cargo: Community, coordinator: User, alice: User, charlie: User, general: Space, lab: Space
) -> None:
    closes = timezone.now() + timedelta(days=1)
    planned = make_quiz(coordinator, general, publish_at=timezone.now() + timedelta(hours=2))
    closing = make_quiz(coordinator, general, title="Closing", closes_at=closes)
    private = make_quiz(coordinator, lab, title="Lab quiz")
    with pytest.raises(ActionRefused) as refusal:
        actions.do_answer_quiz(alice, planned, picks(planned, *RIGHT))
    assert refusal.value.not_found
    with pytest.raises(ActionRefused, match="not published yet"):
        actions.do_answer_quiz(coordinator, planned, picks(planned, *RIGHT))
    with pytest.raises(ActionRefused, match="Only members"):
        actions.do_answer_quiz(charlie, closing, picks(closing, *RIGHT))
    bob = User.objects.get(email="bob@example.org")
    with pytest.raises(ActionRefused) as refusal:
        actions.do_answer_quiz(bob, private, picks(private, *RIGHT))
    assert refusal.value.not_found
    data = {f"question-{pk}": ids for pk, ids in picks(private, *RIGHT).items()}
    assert client_for(bob).post(f"{private.get_absolute_url()}answer/", data).status_code == 404
    assert client_for(bob).get(private.get_absolute_url()).status_code == 404
    with time_machine.travel(closes + timedelta(seconds=1)):
        with pytest.raises(ActionRefused, match="closed"):
            actions.do_answer_quiz(alice, closing, picks(closing, *RIGHT))
        # Once closed, everyone who reads the quiz sees the right answers.
        assert "Right answer" in html(client_for(charlie), closing.get_absolute_url())
    assert not Attempt.objects.exists()


def test_the_leaderboard_ranks_by_score_then_by_who_answered_first(
    cargo: Community, coordinator: User, alice: User, bob: User, general: Space
) -> None:
    quiz = make_quiz(coordinator, general, leaderboard=True)
    dana = make_member(cargo, "Dana Rider")
    start = timezone.now()
    with time_machine.travel(start + timedelta(minutes=1)):
        actions.do_answer_quiz(bob, quiz, picks(quiz, ("3 bar",), ("A shopping basket",)))
    with time_machine.travel(start + timedelta(minutes=2)):
        actions.do_answer_quiz(dana, quiz, picks(quiz, *RIGHT))
    with time_machine.travel(start + timedelta(minutes=3)):
        actions.do_answer_quiz(alice, quiz, picks(quiz, ("1 bar",), ("A shopping basket",)))
    with time_machine.travel(start + timedelta(minutes=4)):
        actions.do_answer_quiz(
            make_member(cargo, "Eve Late"), quiz, picks(quiz, ("3 bar",), ("A shopping basket",))
        )
    page = html(client_for(bob), quiz.get_absolute_url())
    assert "You rank 2 of 4 members." in page
    page = page[page.index('id="leaderboard-title"') :]
    order = [page.index(name) for name in ("Dana Rider", "Bob Leroy", "Eve Late", "Alice Martin")]
    assert order == sorted(order)
    quiz.leaderboard = False
    quiz.save()
    assert "Leaderboard" not in html(client_for(bob), quiz.get_absolute_url())


# --- Challenges -------------------------------------------------------------------------------


def test_members_answer_a_challenge_once_and_edit_until_the_deadline(
    cargo: Community, coordinator: User, alice: User, bob: User, general: Space
) -> None:
    deadline = timezone.now() + timedelta(days=7)
    challenge = make_challenge(coordinator, general, deadline=deadline)
    client = client_for(alice)
    response = client.post(
        f"{challenge.get_absolute_url()}answer/", {"body": "Mudguards, *always*."}
    )
    answer = ChallengeAnswer.objects.get()
    assert response["Location"] == f"{challenge.get_absolute_url()}#answer-{answer.pk}"
    assert answer.body_html.strip() == "<p>Mudguards, <em>always</em>.</p>"
    page = html(client, challenge.get_absolute_url())
    assert "Update my answer" in page
    assert "Mudguards, *always*." in page
    client.post(f"{challenge.get_absolute_url()}answer/", {"body": "Mudguards and a cape."})
    answer.refresh_from_db()
    assert answer.body == "Mudguards and a cape."
    assert ChallengeAnswer.objects.count() == 1
    events = ActivityEvent.objects.filter(object_type="activities.challenge")
    assert events.get(verb="challenge.answered").level == EngagementLevel.TAKE_PART
    assert events.get(verb="challenge.answer_edited").level is None
    actions.do_answer_challenge(bob, challenge, "Dry bags for the kids' things.")

    with time_machine.travel(deadline + timedelta(seconds=1)):
        with pytest.raises(ActionRefused, match="closed"):
            actions.do_answer_challenge(make_member(cargo), challenge, "Too late")
        with pytest.raises(ActionRefused, match="closed"):
            actions.do_answer_challenge(alice, challenge, "Changed my mind")
        response = client.post(f"{challenge.get_absolute_url()}answer/", {"body": "Late"})
        assert "This activity is closed." in response.content.decode()
        page = html(client, challenge.get_absolute_url())
        assert "The deadline has passed: no new answers." in page
        assert "Mudguards and a cape." in page
        assert "Dry bags" in page
    assert ChallengeAnswer.objects.count() == 2


def test_challenge_answers_are_listed_oldest_or_newest_first(
    cargo: Community, coordinator: User, alice: User, bob: User, general: Space
) -> None:
    challenge = make_challenge(coordinator, general)
    actions.do_answer_challenge(alice, challenge, "First tip from Alice")
    actions.do_answer_challenge(bob, challenge, "Second tip from Bob")
    reader = client_for(coordinator)
    page = html(reader, challenge.get_absolute_url())
    assert "2 answers" in page
    assert page.index("First tip") < page.index("Second tip")
    page = html(reader, f"{challenge.get_absolute_url()}?order=newest")
    assert page.index("Second tip") < page.index("First tip")
    newest = make_challenge(coordinator, general, title="Newest", answer_order="newest")
    actions.do_answer_challenge(alice, newest, "Early")
    actions.do_answer_challenge(bob, newest, "Late")
    page = html(reader, newest.get_absolute_url())
    assert page.index("Late") < page.index("Early")


def test_authors_and_moderators_remove_answers_and_no_one_else(
    cargo: Community, coordinator: User, alice: User, bob: User, general: Space
) -> None:
    challenge = make_challenge(coordinator, general)
    mine = actions.do_answer_challenge(alice, challenge, "Alice's tip")
    theirs = actions.do_answer_challenge(bob, challenge, "Bob's tip")
    url = f"{challenge.get_absolute_url()}answers/{theirs.pk}/remove/"
    assert client_for(alice).post(url).status_code == 403
    assert ChallengeAnswer.objects.count() == 2
    moderator = make_member(cargo, "Mona Moderator")
    membership = cargo.memberships.get(person=moderator)
    community_actions.do_change_role(coordinator, membership, Role.MODERATOR)
    assert client_for(moderator).post(url).status_code == 302
    response = client_for(alice).post(f"{challenge.get_absolute_url()}answers/{mine.pk}/remove/")
    assert response.status_code == 302
    assert not ChallengeAnswer.objects.exists()


def test_a_challenge_needs_a_prompt_and_a_deadline_after_its_publication(
    cargo: Community, coordinator: User, general: Space
) -> None:
    client = client_for(coordinator)
    base: dict[str, Any] = {
        "space": general.pk,
        "title": "Best tip",
        "description": "Share it",
        "deadline": "",
        "answer_order": "oldest",
        "publish_at": "",
    }
    assert client.post("/c/cargo/challenges/new/", base).status_code == 400
    base["deadline"] = "2090-01-01T10:00"
    base["publish_at"] = "2090-02-01T10:00"
    response = client.post("/c/cargo/challenges/new/", base)
    assert "The closing date must come after the publication." in response.content.decode()
    assert not Challenge.objects.exists()
    base["publish_at"] = ""
    assert client.post("/c/cargo/challenges/new/", base).status_code == 302
    assert Challenge.objects.get().deadline.year == 2090


def test_a_challenge_in_a_private_space_is_a_404_for_those_not_listed(
    cargo: Community, coordinator: User, alice: User, bob: User, charlie: User, lab: Space
) -> None:
    challenge = make_challenge(coordinator, lab)
    answer = actions.do_answer_challenge(alice, challenge, "Lab tip")
    for person in (bob, charlie):
        client = client_for(person)
        assert client.get(challenge.get_absolute_url()).status_code == 404
        response = client.post(f"{challenge.get_absolute_url()}answer/", {"body": "Mine"})
        assert response.status_code == 404
        remove = f"{challenge.get_absolute_url()}answers/{answer.pk}/remove/"
        assert client.post(remove).status_code == 404
        with pytest.raises(ActionRefused) as refusal:
            actions.do_answer_challenge(person, challenge, "Mine")
        assert refusal.value.not_found
    assert list(ChallengeAnswer.objects.values_list("body", flat=True)) == ["Lab tip"]
    assert not ActivityEvent.objects.filter(
        actor__in=[bob, charlie], verb__startswith="challenge"
    ).exists()
