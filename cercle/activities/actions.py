"""Every change to polls, quizzes and challenges (views never save by hand).

Who may do what, in terms of `cercle.permissions.CommunityAccess`:
- see an activity: `permissions.planning.may_see` (its space is readable, and it is
  published unless the person may animate the space);
- create, edit, delete: `may_animate(space)`. Before publication everything may change;
  after it only the description and the closing moment (members have already answered
  the questions as they were);
- vote, answer a quiz or a challenge: `may_take_part(space)`, while the activity is
  published and not closed;
- change one's challenge answer: `may_edit_challenge_answer`; remove it:
  `may_remove_challenge_answer` (moderators too).
Refusals raise `ActionRefused` (with `not_found` when the person may not see the
activity) and write nothing.

Counting is exact under any concurrency because each participation is one row under a
unique constraint (one ballot, attempt or answer per member) and results are counted
from those rows, never kept in a counter.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cercle import permissions
from cercle.accounts.models import User
from cercle.activities.models import (
    MAX_POLL_CHOICES,
    MIN_POLL_CHOICES,
    AnswerOrder,
    Attempt,
    AttemptChoice,
    Ballot,
    BallotChoice,
    Challenge,
    ChallengeAnswer,
    Closable,
    Poll,
    PollChoice,
    Question,
    QuestionChoice,
    Quiz,
    ResultsShown,
)
from cercle.activities.quiztext import QuestionDraft, problems
from cercle.activity import verbs
from cercle.activity.log import record_event
from cercle.animation import planning
from cercle.communities.models import Membership, Space, Status
from cercle.errors import ActionRefused
from cercle.notifications.actions import notify_about
from cercle.notifications.models import Kind
from cercle.richtext import render_markdown

MAX_TITLE = 200
MAX_DESCRIPTION = 20_000
MAX_CHOICE_LABEL = 200
MAX_ANSWER = 20_000

C = TypeVar("C", bound=Closable)


@dataclass
class PollFields:
    title: str
    choices: Sequence[str]
    description: str = ""
    multiple: bool = False
    max_choices: int | None = None
    anonymous: bool = True
    results_shown: str = ResultsShown.AFTER_VOTING
    closes_at: datetime | None = None
    publish_at: datetime | None = None


@dataclass
class QuizFields:
    title: str
    questions: Sequence[QuestionDraft]
    description: str = ""
    leaderboard: bool = False
    closes_at: datetime | None = None
    publish_at: datetime | None = None


@dataclass
class ChallengeFields:
    title: str
    prompt: str
    deadline: datetime | None
    answer_order: str = AnswerOrder.OLDEST
    publish_at: datetime | None = None


# --- Checks -----------------------------------------------------------------------------------


def _access(actor: User, item_or_space: Closable | Space) -> permissions.CommunityAccess:
    return permissions.community_access(actor, item_or_space.community)


def _require_animator(access: permissions.CommunityAccess, space: Space) -> None:
    if space.community_id != access.community.pk or not access.reads(space):
        raise ActionRefused(_("This space does not exist."), not_found=True)
    if not access.may_animate(space):
        raise ActionRefused(_("Only the community's animators may prepare activities."))


def _require_visible(access: permissions.CommunityAccess, item: Closable) -> None:
    if not permissions.planning.may_see(item, access):
        raise ActionRefused(_("This activity does not exist."), not_found=True)


def _require_participant(access: permissions.CommunityAccess, item: Closable) -> None:
    """May take part in `item` now: it is visible, published, open, and the person a member."""
    _require_visible(access, item)
    if not access.may_take_part(item.space):
        raise ActionRefused(_("Only members of the community may take part."))
    if item.published_at is None:
        raise ActionRefused(_("This activity is not published yet."))
    if item.is_closed():
        raise ActionRefused(_("This activity is closed."))


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ActionRefused(_("Give it a title."))
    if len(title) > MAX_TITLE:
        raise ActionRefused(
            _("The title is too long: %(count)d characters at most.") % {"count": MAX_TITLE}
        )
    return title


def _clean_text(text: str, *, required: str = "") -> str:
    text = (text or "").strip()
    if required and not text:
        raise ActionRefused(required)
    if len(text) > MAX_DESCRIPTION:
        raise ActionRefused(
            _("This text is too long: %(count)d characters at most.") % {"count": MAX_DESCRIPTION}
        )
    return text


def _check_closing(
    closes: datetime | None, publish_at: datetime | None, *, required: bool = False
) -> None:
    """A closing moment comes after the publication (now, when it goes out at once)."""
    if closes is None:
        if required:
            raise ActionRefused(_("Set a deadline."))
        return
    start = max(publish_at or timezone.now(), timezone.now())
    if closes <= start:
        raise ActionRefused(_("The closing date must come after the publication."))


def clean_poll_choices(choices: Sequence[str]) -> list[str]:
    """2 to 20 different, non-empty choices."""
    cleaned = [" ".join(choice.split()) for choice in choices]
    cleaned = [choice for choice in cleaned if choice]
    if len(cleaned) < MIN_POLL_CHOICES:
        raise ActionRefused(_("Give at least two choices, one per line."))
    if len(cleaned) > MAX_POLL_CHOICES:
        raise ActionRefused(
            _("A poll has %(count)d choices at most.") % {"count": MAX_POLL_CHOICES}
        )
    if any(len(choice) > MAX_CHOICE_LABEL for choice in cleaned):
        raise ActionRefused(
            _("A choice is too long: %(count)d characters at most.") % {"count": MAX_CHOICE_LABEL}
        )
    if len({choice.casefold() for choice in cleaned}) != len(cleaned):
        raise ActionRefused(_("Two choices are the same."))
    return cleaned


def _check_poll(fields: PollFields) -> tuple[str, list[str], int | None]:
    title = _clean_title(fields.title)
    choices = clean_poll_choices(fields.choices)
    if fields.results_shown not in ResultsShown.values:
        raise ActionRefused(_("Choose when the results are shown."))
    max_choices = fields.max_choices if fields.multiple else None
    if max_choices is not None and not 2 <= max_choices <= len(choices):
        raise ActionRefused(
            _("The most choices per member must be between 2 and the number of choices.")
        )
    _check_closing(fields.closes_at, fields.publish_at)
    return title, choices, max_choices


def _lock_unpublished(model: type[C], item: C) -> C:
    """The row, locked against the publishing worker; refused once it is out."""
    locked = model._default_manager.select_for_update().get(pk=item.pk)
    if locked.published_at is not None:
        raise ActionRefused(
            _("It was published meanwhile: only its description and closing date may change now.")
        )
    return locked


# --- Publishing -------------------------------------------------------------------------------


def announce(item: Closable) -> None:
    """Tell the members who may read the space that `item` is out (called once, when
    it is published, inside the publishing transaction: `ActivitiesConfig.ready`)."""
    members = Membership.objects.filter(
        community_id=item.community_id, status=Status.ACTIVE
    ).values_list("person_id", flat=True)
    notify_about(
        Kind.NEW_ACTIVITY,
        list(members),
        actor=item.created_by,
        community=item.community,
        subject=item.title,
        url=item.get_absolute_url(),
        space=item.space,
    )


def _created(actor: User, item: Closable) -> None:
    record_event(
        verbs.ACTIVITY_CREATED[item.KIND], actor=actor, community=item.community, target=item
    )
    planning.schedule(item)


def do_delete(actor: User, item: Closable) -> None:
    """Delete a poll, quiz or challenge with everything members gave to it."""
    access = _access(actor, item)
    _require_visible(access, item)
    _require_animator(access, item.space)
    with transaction.atomic():
        record_event(
            verbs.ACTIVITY_DELETED[item.KIND], actor=actor, community=item.community, target=item
        )
        item.delete()


def do_amend(
    actor: User,
    item: C,
    *,
    description: str,
    closes: datetime | None,
    leaderboard: bool | None = None,
) -> C:
    """What may still change once an activity is out: its description (a challenge's
    prompt), its closing moment (a past one closes it now) and whether a quiz shows its
    leaderboard."""
    access = _access(actor, item)
    _require_visible(access, item)
    _require_animator(access, item.space)
    description = _clean_text(
        description,
        required=_("Write the prompt.") if isinstance(item, Challenge) else "",
    )
    if isinstance(item, Challenge) and closes is None:
        raise ActionRefused(_("Set a deadline."))
    with transaction.atomic():
        setattr(item, item.CLOSING_FIELD, closes)
        item.description = description
        item.description_html = render_markdown(description)
        changed = ["description", "description_html", item.CLOSING_FIELD]
        if isinstance(item, Quiz) and leaderboard is not None:
            item.leaderboard = leaderboard
            changed.append("leaderboard")
        item.save(update_fields=changed)
        record_event(
            verbs.ACTIVITY_EDITED[item.KIND], actor=actor, community=item.community, target=item
        )
    return item


# --- Polls ------------------------------------------------------------------------------------


def _save_poll_choices(poll: Poll, choices: Sequence[str]) -> None:
    poll.choices.all().delete()
    PollChoice.objects.bulk_create(
        [PollChoice(poll=poll, label=label, position=n) for n, label in enumerate(choices)]
    )


def do_create_poll(actor: User, space: Space, fields: PollFields) -> Poll:
    access = _access(actor, space)
    _require_animator(access, space)
    title, choices, max_choices = _check_poll(fields)
    description = _clean_text(fields.description)
    with transaction.atomic():
        poll = Poll.objects.create(
            community=space.community,
            space=space,
            title=title,
            created_by=actor,
            description=description,
            description_html=render_markdown(description),
            multiple=fields.multiple,
            max_choices=max_choices,
            anonymous=fields.anonymous,
            results_shown=fields.results_shown,
            closes_at=fields.closes_at,
            publish_at=fields.publish_at,
        )
        _save_poll_choices(poll, choices)
        _created(actor, poll)
    return poll


def do_edit_poll(actor: User, poll: Poll, space: Space, fields: PollFields) -> Poll:
    """Change everything about a poll that is not out yet (and perhaps its moment)."""
    access = _access(actor, poll)
    _require_visible(access, poll)
    _require_animator(access, poll.space)
    _require_animator(access, space)
    title, choices, max_choices = _check_poll(fields)
    description = _clean_text(fields.description)
    with transaction.atomic():
        poll = _lock_unpublished(Poll, poll)
        poll.space = space
        poll.title = title
        poll.description = description
        poll.description_html = render_markdown(description)
        poll.multiple = fields.multiple
        poll.max_choices = max_choices
        poll.anonymous = fields.anonymous
        poll.results_shown = fields.results_shown
        poll.closes_at = fields.closes_at
        poll.publish_at = fields.publish_at
        poll.save()
        _save_poll_choices(poll, choices)
        record_event(verbs.POLL_EDITED, actor=actor, community=poll.community, target=poll)
        planning.schedule(poll)
    return poll


def do_vote(actor: User, poll: Poll, choice_ids: Collection[int]) -> Ballot:
    """Vote, or change one's vote while the poll is open. The first vote is a level-1
    participation; a change replaces the choices of the same ballot."""
    access = _access(actor, poll)
    _require_participant(access, poll)
    picked = set(choice_ids)
    if not picked:
        raise ActionRefused(_("Pick a choice first."))
    if len(picked) > poll.choice_limit:
        if poll.choice_limit == 1:
            raise ActionRefused(_("Pick only one choice."))
        raise ActionRefused(
            ngettext(
                "Pick %(count)d choice at most.",
                "Pick %(count)d choices at most.",
                poll.choice_limit,
            )
            % {"count": poll.choice_limit}
        )
    known = set(PollChoice.objects.filter(poll=poll, pk__in=picked).values_list("pk", flat=True))
    if known != picked:
        raise ActionRefused(_("This choice is not in the poll."))
    with transaction.atomic():
        try:
            with transaction.atomic():
                ballot = Ballot.objects.create(poll=poll, voter=actor)
            first = True
        except IntegrityError:
            # A ballot exists (perhaps committed a moment ago by the same person's other
            # click): lock it, and this vote replaces its choices.
            ballot = Ballot.objects.select_for_update().get(poll=poll, voter=actor)
            ballot.picks.all().delete()
            ballot.save(update_fields=["updated_at"])
            first = False
        BallotChoice.objects.bulk_create(
            [BallotChoice(ballot=ballot, choice_id=pk) for pk in sorted(picked)]
        )
        record_event(
            verbs.POLL_VOTED if first else verbs.POLL_VOTE_CHANGED,
            actor=actor,
            community=poll.community,
            target=poll,
        )
    return ballot


# --- Quizzes ----------------------------------------------------------------------------------


def _check_quiz(fields: QuizFields) -> str:
    title = _clean_title(fields.title)
    found = problems(fields.questions)
    if found:
        raise ActionRefused(found[0])
    _check_closing(fields.closes_at, fields.publish_at)
    return title


def _save_questions(quiz: Quiz, drafts: Sequence[QuestionDraft]) -> None:
    quiz.questions.all().delete()
    questions = Question.objects.bulk_create(
        [
            Question(
                quiz=quiz,
                position=n,
                text=" ".join(draft.text.split()),
                explanation=draft.explanation.strip(),
            )
            for n, draft in enumerate(drafts)
        ]
    )
    QuestionChoice.objects.bulk_create(
        [
            QuestionChoice(question=question, position=n, label=label, is_right=right)
            for question, draft in zip(questions, drafts, strict=True)
            for n, (label, right) in enumerate(draft.choices)
        ]
    )


def do_create_quiz(actor: User, space: Space, fields: QuizFields) -> Quiz:
    access = _access(actor, space)
    _require_animator(access, space)
    title = _check_quiz(fields)
    description = _clean_text(fields.description)
    with transaction.atomic():
        quiz = Quiz.objects.create(
            community=space.community,
            space=space,
            title=title,
            created_by=actor,
            description=description,
            description_html=render_markdown(description),
            leaderboard=fields.leaderboard,
            closes_at=fields.closes_at,
            publish_at=fields.publish_at,
        )
        _save_questions(quiz, fields.questions)
        _created(actor, quiz)
    return quiz


def do_edit_quiz(actor: User, quiz: Quiz, space: Space, fields: QuizFields) -> Quiz:
    access = _access(actor, quiz)
    _require_visible(access, quiz)
    _require_animator(access, quiz.space)
    _require_animator(access, space)
    title = _check_quiz(fields)
    description = _clean_text(fields.description)
    with transaction.atomic():
        quiz = _lock_unpublished(Quiz, quiz)
        quiz.space = space
        quiz.title = title
        quiz.description = description
        quiz.description_html = render_markdown(description)
        quiz.leaderboard = fields.leaderboard
        quiz.closes_at = fields.closes_at
        quiz.publish_at = fields.publish_at
        quiz.save()
        _save_questions(quiz, fields.questions)
        record_event(verbs.QUIZ_EDITED, actor=actor, community=quiz.community, target=quiz)
        planning.schedule(quiz)
    return quiz


def do_answer_quiz(actor: User, quiz: Quiz, picks: Mapping[int, Collection[int]]) -> Attempt:
    """Submit one's answers, once: the attempt is scored at once. A question is right
    when exactly its right choices are picked."""
    access = _access(actor, quiz)
    _require_participant(access, quiz)
    if Attempt.objects.filter(quiz=quiz, person=actor).exists():
        raise ActionRefused(_("You have already answered this quiz."))
    questions = list(quiz.questions.prefetch_related("choices"))
    score = 0
    unanswered: list[str] = []
    chosen: list[int] = []
    for number, question in enumerate(questions, start=1):
        picked = set(picks.get(question.pk, ()))
        choices = list(question.choices.all())
        if not picked:
            unanswered.append(str(number))
            continue
        if not picked <= {choice.pk for choice in choices}:
            raise ActionRefused(_("This choice is not in the quiz."))
        right = {choice.pk for choice in choices if choice.is_right}
        if len(right) == 1 and len(picked) > 1:
            raise ActionRefused(_("Question %(number)d takes one answer.") % {"number": number})
        score += picked == right
        chosen.extend(sorted(picked))
    if unanswered:
        raise ActionRefused(
            _("Answer every question (left: %(numbers)s).") % {"numbers": ", ".join(unanswered)}
        )
    with transaction.atomic():
        try:
            with transaction.atomic():
                attempt = Attempt.objects.create(
                    quiz=quiz, person=actor, score=score, total=len(questions)
                )
        except IntegrityError as error:
            raise ActionRefused(_("You have already answered this quiz.")) from error
        AttemptChoice.objects.bulk_create(
            [AttemptChoice(attempt=attempt, choice_id=pk) for pk in chosen]
        )
        record_event(
            verbs.QUIZ_ANSWERED,
            actor=actor,
            community=quiz.community,
            target=quiz,
        )
    return attempt


# --- Challenges -------------------------------------------------------------------------------


def _check_challenge(fields: ChallengeFields) -> tuple[str, str, datetime]:
    title = _clean_title(fields.title)
    prompt = _clean_text(fields.prompt, required=_("Write the prompt."))
    if fields.answer_order not in AnswerOrder.values:
        raise ActionRefused(_("Choose how the answers are listed."))
    _check_closing(fields.deadline, fields.publish_at, required=True)
    if fields.deadline is None:  # for mypy: _check_closing refused it
        raise ActionRefused(_("Set a deadline."))
    return title, prompt, fields.deadline


def do_create_challenge(actor: User, space: Space, fields: ChallengeFields) -> Challenge:
    access = _access(actor, space)
    _require_animator(access, space)
    title, prompt, deadline = _check_challenge(fields)
    with transaction.atomic():
        challenge = Challenge.objects.create(
            community=space.community,
            space=space,
            title=title,
            created_by=actor,
            description=prompt,
            description_html=render_markdown(prompt),
            deadline=deadline,
            answer_order=fields.answer_order,
            publish_at=fields.publish_at,
        )
        _created(actor, challenge)
    return challenge


def do_edit_challenge(
    actor: User, challenge: Challenge, space: Space, fields: ChallengeFields
) -> Challenge:
    access = _access(actor, challenge)
    _require_visible(access, challenge)
    _require_animator(access, challenge.space)
    _require_animator(access, space)
    title, prompt, deadline = _check_challenge(fields)
    with transaction.atomic():
        challenge = _lock_unpublished(Challenge, challenge)
        challenge.space = space
        challenge.title = title
        challenge.description = prompt
        challenge.description_html = render_markdown(prompt)
        challenge.deadline = deadline
        challenge.answer_order = fields.answer_order
        challenge.publish_at = fields.publish_at
        challenge.save()
        record_event(
            verbs.CHALLENGE_EDITED, actor=actor, community=challenge.community, target=challenge
        )
        planning.schedule(challenge)
    return challenge


def do_answer_challenge(actor: User, challenge: Challenge, body: str) -> ChallengeAnswer:
    """Answer, or change one's answer until the deadline (one answer per member)."""
    access = _access(actor, challenge)
    _require_participant(access, challenge)
    body = (body or "").strip()
    if not body:
        raise ActionRefused(_("Write your answer first."))
    if len(body) > MAX_ANSWER:
        raise ActionRefused(
            _("This answer is too long: %(count)d characters at most.") % {"count": MAX_ANSWER}
        )
    body_html = render_markdown(body)
    with transaction.atomic():
        first = False
        answer = (
            ChallengeAnswer.objects.select_for_update()
            .filter(challenge=challenge, author=actor)
            .first()
        )
        if answer is None:
            try:
                with transaction.atomic():
                    answer = ChallengeAnswer.objects.create(
                        challenge=challenge, author=actor, body=body, body_html=body_html
                    )
                first = True
            except IntegrityError:
                # The same person's other click got there first: this one edits it.
                answer = ChallengeAnswer.objects.select_for_update().get(
                    challenge=challenge, author=actor
                )
        if not first:
            answer.body, answer.body_html = body, body_html
            answer.save(update_fields=["body", "body_html", "updated_at"])
        record_event(
            verbs.CHALLENGE_ANSWERED if first else verbs.CHALLENGE_ANSWER_EDITED,
            actor=actor,
            community=challenge.community,
            target=challenge,
        )
    return answer


def do_remove_challenge_answer(actor: User, answer: ChallengeAnswer) -> None:
    challenge = answer.challenge
    access = _access(actor, challenge)
    _require_visible(access, challenge)
    if not permissions.activities.may_remove_challenge_answer(access, challenge, answer.author_id):
        raise ActionRefused(_("You may not remove this answer."))
    with transaction.atomic():
        record_event(
            verbs.CHALLENGE_ANSWER_REMOVED,
            actor=actor,
            community=challenge.community,
            target=challenge,
        )
        answer.delete()
