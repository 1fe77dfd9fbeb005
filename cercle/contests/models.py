"""Contests (level 3 of engagement): a brief and rules, a submission period, entries,
then a voting period where members vote (a set number of votes each) or a jury scores
the entries against written criteria, and results announced in the community.

The rules that must hold whatever the timing live in the database as well as in the
actions: one entry per member and contest, one vote per member and entry, one score
per juror, entry and criterion, periods in order. The vote allowance is kept by a
`Ballot` row per contest and voter that every vote locks before counting
(`cercle.contests.actions.do_vote`).
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cercle.activity.models import EngagementLevel
from cercle.animation.models import Plannable


class Mode(models.TextChoices):
    VOTE = "vote", _("Community vote")
    JURY = "jury", _("Jury")


class Phase(models.TextChoices):
    """Where a contest stands at a given moment."""

    DRAFT = "draft", _("Not published")
    UPCOMING = "upcoming", _("Coming soon")
    SUBMISSIONS = "submissions", _("Open for entries")
    WAITING = "waiting", _("Voting opens soon")
    VOTING = "voting", _("Voting open")
    CLOSED = "closed", _("Voting closed")
    ANNOUNCED = "announced", _("Results announced")


class Contest(Plannable):
    """A contest planned by an animator in a space. Times are stored in UTC and typed
    and shown in the community's time zone."""

    KIND: ClassVar[str] = "contest"
    LEVEL: ClassVar[EngagementLevel] = EngagementLevel.CREATE
    CALENDAR_FIELD: ClassVar[str] = "submissions_open_at"

    brief = models.TextField(_("brief"), max_length=20_000)
    brief_html = models.TextField(editable=False, blank=True)
    rules = models.TextField(_("rules"), max_length=20_000)
    rules_html = models.TextField(editable=False, blank=True)
    submissions_open_at = models.DateTimeField(_("entries open"))
    submissions_close_at = models.DateTimeField(_("entries close"))
    voting_open_at = models.DateTimeField(_("voting opens"))
    voting_close_at = models.DateTimeField(_("voting closes"))
    mode = models.CharField(_("mode"), max_length=8, choices=Mode.choices, default=Mode.VOTE)
    votes_per_member = models.PositiveSmallIntegerField(_("votes per member"), default=3)
    winner_count = models.PositiveSmallIntegerField(_("number of winners"), default=3)
    hide_authors = models.BooleanField(
        _("hide authors while voting"),
        default=True,
        help_text=_("Entries are shown without their authors' names until the results."),
    )
    jurors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", blank=True, verbose_name=_("jurors")
    )
    results_announced_at = models.DateTimeField(null=True, blank=True, editable=False)
    results_topic = models.ForeignKey(
        "conversations.Topic", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta(Plannable.Meta):
        verbose_name = _("contest")
        verbose_name_plural = _("contests")
        indexes: ClassVar[list[models.Index]] = [
            *Plannable.Meta.indexes,
            # The landing page and the list: what is running, in time.
            models.Index(fields=["community", "voting_close_at"], name="contest_running"),
            # The results job: closed and not yet announced.
            models.Index(
                fields=["voting_close_at"],
                condition=Q(results_announced_at=None),
                name="contest_to_announce",
            ),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(submissions_close_at__gt=F("submissions_open_at"))
                & Q(voting_open_at__gte=F("submissions_close_at"))
                & Q(voting_close_at__gt=F("voting_open_at")),
                name="contest_periods_in_order",
            ),
            models.CheckConstraint(
                condition=Q(votes_per_member__gte=1) & Q(winner_count__gte=1),
                name="contest_counts_positive",
            ),
        ]

    # Loaded once per instance: the permission questions ask it for every entry shown.
    _juror_ids: frozenset[int] | None = None

    def juror_ids(self) -> frozenset[int]:
        if self._juror_ids is None:
            self._juror_ids = frozenset(self.jurors.values_list("pk", flat=True))
        return self._juror_ids

    def get_absolute_url(self) -> str:
        return reverse("contests:detail", kwargs={"slug": self.community.slug, "pk": self.pk})

    @property
    def is_jury(self) -> bool:
        return self.mode == Mode.JURY

    @property
    def started_at(self) -> datetime | None:
        """When the contest started: its publication or the opening of entries,
        whichever came first. Only members who joined before it vote."""
        if self.published_at is None:
            return None
        return min(self.published_at, self.submissions_open_at)

    def phase(self, now: datetime) -> Phase:
        if self.published_at is None:
            return Phase.DRAFT
        if self.results_announced_at is not None:
            return Phase.ANNOUNCED
        steps = [
            (self.submissions_open_at, Phase.UPCOMING),
            (self.submissions_close_at, Phase.SUBMISSIONS),
            (self.voting_open_at, Phase.WAITING),
            (self.voting_close_at, Phase.VOTING),
        ]
        for until, phase in steps:
            if now < until:
                return phase
        return Phase.CLOSED

    def accepts_entries(self, now: datetime) -> bool:
        return self.phase(now) == Phase.SUBMISSIONS

    def is_voting(self, now: datetime) -> bool:
        return self.phase(now) == Phase.VOTING

    def settings_locked(self, now: datetime) -> bool:
        """Once entries open only the texts may change: the periods, mode and counts
        are what entrants and voters rely on."""
        return self.published_at is not None and now >= self.submissions_open_at


class Criterion(models.Model):
    """A written criterion the jury scores each entry against, from 0 to `max_score`."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("criterion"), max_length=100)
    description = models.CharField(_("description"), max_length=500, blank=True)
    max_score = models.PositiveSmallIntegerField(_("maximum score"), default=10)

    contest_id: int

    class Meta:
        ordering: ClassVar[list[str]] = ["position", "pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(max_score__gte=1) & Q(max_score__lte=100), name="criterion_max_score"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Entry(models.Model):
    """A member's entry: a title, a text and files. `rank` is set when the results are
    announced (winners are ranks 1 to the contest's `winner_count`)."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="entries")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), max_length=20_000, blank=True)
    text_html = models.TextField(editable=False, blank=True)
    submitted_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    rank = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # Votes received, or the jury's average total, fixed when results are announced.
    result = models.FloatField(null=True, blank=True, editable=False)

    contest_id: int
    author_id: int | None

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        ordering: ClassVar[list[str]] = ["submitted_at", "pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["contest", "author"], name="one_entry_per_member"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["contest", "rank"], name="entry_by_rank"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "contests:entry",
            kwargs={"slug": self.contest.community.slug, "pk": self.contest_id, "entry": self.pk},
        )

    @property
    def is_winner(self) -> bool:
        return self.rank is not None and self.rank <= self.contest.winner_count


def entry_file_path(instance: EntryFile, filename: str) -> str:
    # The stored name is random: the original name is kept apart, never on disk.
    return f"contests/{instance.community_id}/{secrets.token_hex(16)}"


class EntryFile(models.Model):
    """An image or document of an entry, served only to those who may see the entry."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=entry_file_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    community_id: int
    entry_id: int

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        contest = self.entry.contest
        return reverse(
            "contests:file",
            kwargs={
                "slug": contest.community.slug,
                "pk": contest.pk,
                "file": self.pk,
                "name": self.original_name,
            },
        )

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Ballot(models.Model):
    """One per contest and voter: the row a vote locks so that however many sessions
    of one member vote at once, they never spend more than the allowance."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="+")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    contest_id: int
    voter_id: int

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["contest", "voter"], name="one_ballot_per_voter"),
        ]

    def __str__(self) -> str:
        return f"ballot of {self.voter_id} in {self.contest_id}"


class Vote(models.Model):
    """A member's vote for an entry (community vote mode)."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="votes")
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    entry_id: int
    voter_id: int

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["entry", "voter"], name="one_vote_per_entry"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["contest", "voter"], name="vote_by_voter"),
        ]

    def __str__(self) -> str:
        return f"vote of {self.voter_id} for {self.entry_id}"


class Score(models.Model):
    """A juror's score for an entry against one criterion."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    juror = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    value = models.PositiveSmallIntegerField(_("score"))
    updated_at = models.DateTimeField(auto_now=True)

    entry_id: int
    criterion_id: int
    juror_id: int

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["entry", "criterion", "juror"], name="one_score_per_criterion"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.value} by {self.juror_id} for {self.entry_id}"
