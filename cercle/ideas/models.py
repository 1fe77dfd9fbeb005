"""The idea board: members propose ideas in a space, vote for those of others, and
the animators decide, each decision recorded with its reason (docs/ideas.md)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cercle.communities.models import Community, Space


class IdeaStatus(models.TextChoices):
    NEW = "new", _("New")
    DISCUSSION = "discussion", _("Under discussion")
    ADOPTED = "adopted", _("Adopted")
    DECLINED = "declined", _("Declined")


# Votes are taken while the animators have not decided yet.
OPEN_STATUSES = frozenset({IdeaStatus.NEW, IdeaStatus.DISCUSSION})


class Idea(models.Model):
    """An idea proposed in a space: seen by those who read the space."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="ideas")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    description_html = models.TextField(editable=False, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=IdeaStatus.choices, default=IdeaStatus.NEW
    )
    # Kept equal to the number of IdeaVote rows by F() updates in the vote actions.
    vote_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    community_id: int
    space_id: int
    author_id: int | None

    class Meta:
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        indexes: ClassVar[list[models.Index]] = [
            # The board, newest first or most voted first, with or without a status.
            models.Index(fields=["community", "created_at"], name="idea_newest"),
            models.Index(fields=["community", "vote_count", "created_at"], name="idea_top"),
            models.Index(fields=["community", "status", "created_at"], name="idea_status_newest"),
            models.Index(
                fields=["community", "status", "vote_count", "created_at"], name="idea_status_top"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("ideas:idea", kwargs={"slug": self.community.slug, "pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class IdeaVote(models.Model):
    """One member's vote for one idea."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="votes")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vote for an idea")
        verbose_name_plural = _("votes for ideas")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["idea", "person"], name="one_vote_per_idea"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["person", "idea"], name="idea_vote_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} for {self.idea_id}"


class IdeaDecision(models.Model):
    """A change of an idea's status, with its reason: the idea's public history."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="decisions")
    from_status = models.CharField(max_length=12, choices=IdeaStatus.choices)
    to_status = models.CharField(max_length=12, choices=IdeaStatus.choices)
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("decision on an idea")
        verbose_name_plural = _("decisions on ideas")
        ordering: ClassVar[list[str]] = ["created_at", "pk"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["idea", "created_at"], name="idea_decision_time"),
        ]

    def __str__(self) -> str:
        return f"{self.idea_id}: {self.from_status} → {self.to_status}"
