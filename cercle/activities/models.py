"""Polls (level 1), quizzes and challenges (level 2): activities an animator prepares,
plans on the calendar and publishes in a space (`cercle.animation.models.Plannable`).

Participation rows carry one database constraint each, so that no timing, double
click or second browser tab can count a person twice: one ballot per member and poll,
one attempt per member and quiz, one answer per member and challenge.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cercle.activity.models import EngagementLevel
from cercle.animation.models import Plannable

MIN_POLL_CHOICES = 2
MAX_POLL_CHOICES = 20
MIN_QUIZ_CHOICES = 2
MAX_QUIZ_CHOICES = 10
MAX_QUIZ_QUESTIONS = 50


class ResultsShown(models.TextChoices):
    AFTER_VOTING = "after_voting", _("To each member once they have voted")
    AFTER_CLOSING = "after_closing", _("To everyone once the poll is closed")


class Closable(Plannable):
    """An activity that takes part until a moment (None: open until deleted)."""

    # The field that says until when members take part.
    CLOSING_FIELD: ClassVar[str] = "closes_at"

    description = models.TextField(_("description"), blank=True)
    description_html = models.TextField(blank=True, editable=False)

    class Meta(Plannable.Meta):
        abstract = True

    def get_absolute_url(self) -> str:
        raise NotImplementedError

    def closing_moment(self) -> datetime | None:
        value: datetime | None = getattr(self, self.CLOSING_FIELD)
        return value

    def is_closed(self, now: datetime | None = None) -> bool:
        moment = self.closing_moment()
        return moment is not None and moment <= (now or timezone.now())

    def is_open(self, now: datetime | None = None) -> bool:
        """Published and not yet closed: members may take part."""
        return self.published_at is not None and not self.is_closed(now)


# --- Polls ------------------------------------------------------------------------------------


class Poll(Closable):
    """A question with 2 to 20 choices that members vote on (level 1: reacting)."""

    KIND: ClassVar[str] = "poll"
    LEVEL: ClassVar[EngagementLevel] = EngagementLevel.REACT

    multiple = models.BooleanField(
        _("several choices allowed"),
        default=False,
        help_text=_("Let each member pick more than one choice."),
    )
    max_choices = models.PositiveSmallIntegerField(
        _("most choices per member"),
        null=True,
        blank=True,
        help_text=_("With several choices allowed: how many at most (empty: no limit)."),
    )
    anonymous = models.BooleanField(
        _("anonymous"),
        default=True,
        help_text=_(
            "Nobody, animators included, sees who voted for what; otherwise the names of "
            "the voters are shown beside each choice."
        ),
    )
    closes_at = models.DateTimeField(
        _("closes at"),
        null=True,
        blank=True,
        help_text=_("Leave empty to keep the poll open; times are in the community's time zone."),
    )
    results_shown = models.CharField(
        _("results shown"),
        max_length=20,
        choices=ResultsShown.choices,
        default=ResultsShown.AFTER_VOTING,
    )

    class Meta(Closable.Meta):
        verbose_name = _("poll")
        verbose_name_plural = _("polls")

    def get_absolute_url(self) -> str:
        return reverse("activities:poll", args=[self.community.slug, self.pk])

    @property
    def choice_limit(self) -> int:
        """How many choices one ballot may hold."""
        if not self.multiple:
            return 1
        return self.max_choices or MAX_POLL_CHOICES


class PollChoice(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="choices")
    label = models.CharField(_("choice"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["position", "pk"]

    def __str__(self) -> str:
        return self.label


class Ballot(models.Model):
    """One member's vote on one poll. For an anonymous poll `voter` is kept only so
    that nobody votes twice and each member can change their own vote: no page, list
    or notification ever shows it."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ballots")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    choices: models.ManyToManyField[PollChoice, BallotChoice] = models.ManyToManyField(
        PollChoice, through="BallotChoice", related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["poll", "voter"], name="activities_one_ballot"),
        ]

    def __str__(self) -> str:
        return f"ballot {self.pk} on poll {self.poll_id}"


class BallotChoice(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="picks")
    choice = models.ForeignKey(PollChoice, on_delete=models.CASCADE, related_name="picks")

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["ballot", "choice"], name="activities_one_pick"),
        ]

    def __str__(self) -> str:
        return f"{self.ballot_id}: {self.choice_id}"


# --- Quizzes ----------------------------------------------------------------------------------


class Quiz(Closable):
    """Questions with right answers; each member answers once and gets a score
    (level 2: taking part)."""

    KIND: ClassVar[str] = "quiz"
    LEVEL: ClassVar[EngagementLevel] = EngagementLevel.TAKE_PART

    closes_at = models.DateTimeField(
        _("closes at"),
        null=True,
        blank=True,
        help_text=_("Leave empty to keep the quiz open; times are in the community's time zone."),
    )
    leaderboard = models.BooleanField(
        _("show a leaderboard"),
        default=False,
        help_text=_("Rank the members who answered by score, then by who answered first."),
    )

    class Meta(Closable.Meta):
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")

    def get_absolute_url(self) -> str:
        return reverse("activities:quiz", args=[self.community.slug, self.pk])


class Question(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("question"), max_length=500)
    explanation = models.TextField(_("explanation"), blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


class QuestionChoice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(_("choice"), max_length=300)
    is_right = models.BooleanField(default=False)

    class Meta:
        ordering: ClassVar[list[str]] = ["position", "pk"]

    def __str__(self) -> str:
        return self.label


class Attempt(models.Model):
    """A member's one and only go at a quiz, scored when submitted."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(default=0)
    total = models.PositiveSmallIntegerField(default=0)
    submitted_at = models.DateTimeField(default=timezone.now)
    chosen: models.ManyToManyField[QuestionChoice, AttemptChoice] = models.ManyToManyField(
        QuestionChoice, through="AttemptChoice", related_name="+"
    )

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["quiz", "person"], name="activities_one_attempt"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            # The leaderboard.
            models.Index(fields=["quiz", "-score", "submitted_at"], name="activities_leaderboard"),
        ]

    def __str__(self) -> str:
        return f"{self.score}/{self.total} on quiz {self.quiz_id}"


class AttemptChoice(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="picks")
    choice = models.ForeignKey(QuestionChoice, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["attempt", "choice"], name="activities_one_answer"),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}: {self.choice_id}"


# --- Challenges -------------------------------------------------------------------------------


class AnswerOrder(models.TextChoices):
    OLDEST = "oldest", _("Oldest first")
    NEWEST = "newest", _("Newest first")


class Challenge(Closable):
    """A prompt with a deadline that members answer, the answers listed together
    (level 2: taking part)."""

    KIND: ClassVar[str] = "challenge"
    LEVEL: ClassVar[EngagementLevel] = EngagementLevel.TAKE_PART
    CLOSING_FIELD: ClassVar[str] = "deadline"

    deadline = models.DateTimeField(
        _("deadline"), help_text=_("Times are in the community's time zone.")
    )
    answer_order = models.CharField(
        _("answers listed"),
        max_length=10,
        choices=AnswerOrder.choices,
        default=AnswerOrder.OLDEST,
    )

    class Meta(Closable.Meta):
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")

    def get_absolute_url(self) -> str:
        return reverse("activities:challenge", args=[self.community.slug, self.pk])


class ChallengeAnswer(models.Model):
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="answers")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(_("your answer"))
    body_html = models.TextField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["challenge", "author"], name="activities_one_challenge_answer"
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["challenge", "created_at"], name="activities_answers_time"),
        ]

    def __str__(self) -> str:
        return f"{self.challenge_id}: {self.body[:40]}"
