"""Reads of polls, quizzes and challenges that pages share; every one goes through
`permissions.planning.visible` or `may_see`, so members never meet an activity
before it is published nor one in a space they do not read."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from django.core.paginator import Page, Paginator
from django.db.models import CharField, Count, F, Q, QuerySet, Value, Window
from django.db.models.functions import Coalesce, RowNumber
from django.http import Http404
from django.utils import timezone

from cercle import permissions
from cercle.activities.models import (
    AnswerOrder,
    Attempt,
    AttemptChoice,
    BallotChoice,
    Challenge,
    ChallengeAnswer,
    Closable,
    Poll,
    PollChoice,
    QuestionChoice,
    Quiz,
)
from cercle.communities.models import Space

C = TypeVar("C", bound=Closable)

MODELS: dict[str, type[Closable]] = {"poll": Poll, "quiz": Quiz, "challenge": Challenge}
# Names shown beside each choice of a named poll; the others are counted.
NAMES_PER_CHOICE = 30
LEADERBOARD_SIZE = 20
ACTIVITIES_PER_PAGE = 20
ANSWERS_PER_PAGE = 30


def item_for(
    actor: permissions.Actor, slug: str, model: type[C], pk: int
) -> tuple[C, permissions.CommunityAccess]:
    """A poll, quiz or challenge the actor may see, or a 404 that does not tell whether
    it exists (unpublished ones included, for everyone but the animators)."""
    community, access = permissions.community_for(actor, slug)
    item = (
        model._default_manager.filter(community=community, pk=pk)
        .select_related("space", "created_by")
        .first()
    )
    if item is None or not permissions.planning.may_see(item, access):
        raise Http404
    item.community = community
    item.space.community = community
    return item, access


def animated_spaces(access: permissions.CommunityAccess) -> list[Space]:
    """The spaces where the person may prepare activities (the creation forms' choice)."""
    return [space for space in permissions.readable_spaces(access) if access.may_animate(space)]


# --- Lists ------------------------------------------------------------------------------------


@dataclass
class Entry:
    kind: str
    item: Closable
    is_open: bool


def _entries(
    access: permissions.CommunityAccess, *, open_only: bool, now: datetime
) -> QuerySet[Any]:
    """One row (kind, pk, moment) per visible activity of the three kinds, newest first."""
    parts = []
    for kind, model in MODELS.items():
        queryset = permissions.planning.visible(model._default_manager.all(), access)
        if open_only:
            queryset = queryset.filter(published_at__isnull=False).filter(
                Q(**{f"{model.CLOSING_FIELD}__isnull": True})
                | Q(**{f"{model.CLOSING_FIELD}__gt": now})
            )
        parts.append(
            queryset.annotate(
                kind=Value(kind, output_field=CharField()),
                moment=Coalesce("published_at", "publish_at", "created_at"),
            ).values_list("kind", "pk", "moment")
        )
    first, *others = parts
    return first.union(*others, all=True).order_by("-moment", "-pk")


def _load(rows: Iterable[Sequence[Any]], now: datetime) -> list[Entry]:
    """The activities behind (kind, pk) rows, in their order: one query per kind present."""
    rows = list(rows)
    wanted: dict[str, list[int]] = defaultdict(list)
    for kind, pk, _moment in rows:
        wanted[kind].append(pk)
    loaded: dict[tuple[str, int], Closable] = {}
    for kind, pks in wanted.items():
        for item in (
            MODELS[kind]._default_manager.filter(pk__in=pks).select_related("space", "community")
        ):
            loaded[(kind, item.pk)] = item
    entries = []
    for kind, pk, _moment in rows:
        found = loaded.get((kind, pk))
        if found is not None:
            entries.append(Entry(kind=kind, item=found, is_open=found.is_open(now)))
    return entries


def activities_page(
    access: permissions.CommunityAccess, *, open_only: bool, page_number: Any
) -> tuple[Page[Any], list[Entry]]:
    now = timezone.now()
    page = Paginator(_entries(access, open_only=open_only, now=now), ACTIVITIES_PER_PAGE).get_page(
        page_number
    )
    return page, _load(page.object_list, now)


def open_activities(access: permissions.CommunityAccess, limit: int = 3) -> list[Entry]:
    """The newest open activities the person may see (the landing page shows three)."""
    if not access.reads_open_spaces():
        return []
    now = timezone.now()
    return _load(_entries(access, open_only=True, now=now)[:limit], now)


# --- Polls ------------------------------------------------------------------------------------


@dataclass
class ChoiceResult:
    choice: PollChoice
    count: int
    percent: int
    mine: bool
    voters: list[str] = field(default_factory=list)
    more: int = 0


@dataclass
class PollPage:
    poll: Poll
    access: permissions.CommunityAccess
    choices: Sequence[PollChoice]
    mine: set[int]
    may_vote: bool
    shows_results: bool
    voters: int = 0
    results: list[ChoiceResult] = field(default_factory=list)


def poll_page(poll: Poll, access: permissions.CommunityAccess) -> PollPage:
    actor = access.actor
    choices = list(poll.choices.annotate(votes=Count("picks")))
    mine: set[int] = set()
    if actor.is_authenticated:
        mine = set(
            BallotChoice.objects.filter(ballot__poll=poll, ballot__voter_id=actor.pk).values_list(
                "choice_id", flat=True
            )
        )
    now = timezone.now()
    data = PollPage(
        poll=poll,
        access=access,
        choices=choices,
        mine=mine,
        may_vote=poll.is_open(now) and access.may_take_part(poll.space),
        shows_results=permissions.activities.sees_poll_results(
            access, poll, voted=bool(mine), now=now
        ),
    )
    if not data.shows_results:
        return data
    data.voters = poll.ballots.count()
    names: dict[int, list[str]] = defaultdict(list)
    if not poll.anonymous:
        # The first names of each choice, in the order people voted; never for an
        # anonymous poll, whoever asks.
        ranked = (
            BallotChoice.objects.filter(ballot__poll=poll)
            .annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=[F("choice_id")],
                    order_by=[F("ballot__created_at").asc(), F("pk").asc()],
                )
            )
            .filter(rank__lte=NAMES_PER_CHOICE)
            .values_list("choice_id", "ballot__voter__display_name")
        )
        for choice_id, name in ranked:
            names[choice_id].append(name)
    for choice in choices:
        count: int = choice.votes
        shown = names.get(choice.pk, [])
        data.results.append(
            ChoiceResult(
                choice=choice,
                count=count,
                percent=round(count * 100 / data.voters) if data.voters else 0,
                mine=choice.pk in mine,
                voters=shown,
                more=max(0, count - len(shown)) if not poll.anonymous else 0,
            )
        )
    return data


# --- Quizzes ----------------------------------------------------------------------------------


@dataclass
class QuestionView:
    number: int
    text: str
    explanation: str
    choices: list[QuestionChoice]
    several: bool
    picked: set[int]
    right: set[int]

    @property
    def correct(self) -> bool:
        return self.picked == self.right


@dataclass
class QuizPage:
    quiz: Quiz
    access: permissions.CommunityAccess
    questions: list[QuestionView]
    attempt: Attempt | None
    may_answer: bool
    shows_answers: bool
    attempts: int = 0
    leaderboard: list[Attempt] = field(default_factory=list)
    rank: int | None = None


def quiz_page(quiz: Quiz, access: permissions.CommunityAccess) -> QuizPage:
    actor = access.actor
    now = timezone.now()
    attempt = None
    picked: set[int] = set()
    if actor.is_authenticated:
        attempt = Attempt.objects.filter(quiz=quiz, person_id=actor.pk).first()
        if attempt is not None:
            picked = set(
                AttemptChoice.objects.filter(attempt=attempt).values_list("choice_id", flat=True)
            )
    questions = []
    for number, question in enumerate(quiz.questions.prefetch_related("choices"), start=1):
        choices = list(question.choices.all())
        right = {choice.pk for choice in choices if choice.is_right}
        questions.append(
            QuestionView(
                number=number,
                text=question.text,
                explanation=question.explanation,
                choices=choices,
                several=len(right) > 1,
                picked={choice.pk for choice in choices if choice.pk in picked},
                right=right,
            )
        )
    data = QuizPage(
        quiz=quiz,
        access=access,
        questions=questions,
        attempt=attempt,
        may_answer=attempt is None and quiz.is_open(now) and access.may_take_part(quiz.space),
        # Right answers once one has answered, once nobody can answer any more, or to
        # the animators who wrote them.
        shows_answers=attempt is not None or quiz.is_closed(now) or access.may_animate(quiz.space),
    )
    if quiz.published_at is not None:
        data.attempts = quiz.attempts.count()
    if quiz.leaderboard and data.attempts:
        data.leaderboard = list(
            quiz.attempts.select_related("person").order_by("-score", "submitted_at", "pk")[
                :LEADERBOARD_SIZE
            ]
        )
        if attempt is not None:
            ahead = quiz.attempts.filter(
                Q(score__gt=attempt.score)
                | Q(score=attempt.score, submitted_at__lt=attempt.submitted_at)
                | Q(score=attempt.score, submitted_at=attempt.submitted_at, pk__lt=attempt.pk)
            ).count()
            data.rank = ahead + 1
    return data


# --- Challenges -------------------------------------------------------------------------------


@dataclass
class ChallengePage:
    challenge: Challenge
    access: permissions.CommunityAccess
    answers: Page[ChallengeAnswer]
    order: str
    mine: ChallengeAnswer | None
    may_answer: bool


def challenge_page(
    challenge: Challenge, access: permissions.CommunityAccess, *, order: str, page_number: Any
) -> ChallengePage:
    if order not in AnswerOrder.values:
        order = challenge.answer_order
    actor = access.actor
    mine = None
    if actor.is_authenticated:
        mine = ChallengeAnswer.objects.filter(challenge=challenge, author_id=actor.pk).first()
    sort = ("-created_at", "-pk") if order == AnswerOrder.NEWEST else ("created_at", "pk")
    answers = challenge.answers.select_related("author").order_by(*sort)
    page = Paginator(answers, ANSWERS_PER_PAGE).get_page(page_number)
    for answer in page.object_list:
        answer.challenge = challenge
    return ChallengePage(
        challenge=challenge,
        access=access,
        answers=page,
        order=order,
        mine=mine,
        may_answer=challenge.is_open() and access.may_take_part(challenge.space),
    )
