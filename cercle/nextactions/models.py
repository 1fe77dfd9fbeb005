"""The queue of next actions keeps nothing but the coordinators' decisions.

The items themselves are read, each time the queue is shown, from what they are
about (questions, memberships, the count tables, the calendar, the flags):
`cercle.nextactions.queries`. A `Decision` says that a coordinator did an item, or
dismissed it, with an optional note; the item then leaves the queue until its
situation starts again (docs/nextactions.md, "Decisions").
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cercle.communities.models import Community


class ItemKind(models.TextChoices):
    """What an item of the queue is about; with the object's id, its stable key."""

    QUESTION = "question", _("Unanswered question")  # object: the topic
    NEWCOMER = "newcomer", _("Newcomer to welcome")  # object: the person
    DRIFTING = "drifting", _("Member drifting away")  # object: the person
    RHYTHM_GAP = "rhythm_gap", _("Gap in the rhythm")  # object: its first day, as YYYYMMDD
    SILENT_SPACE = "silent_space", _("Silent space")  # object: the space
    FLAGS = "flags", _("Flags waiting")  # object: the newest open flag


class Outcome(models.TextChoices):
    DONE = "done", _("Done")
    DISMISSED = "dismissed", _("Dismissed")


class How(models.TextChoices):
    """How an item was done, when the queue did it in one click."""

    BY_HAND = "", _("marked by hand")
    ASKED_EXPERTS = "asked_experts", _("experts asked")
    WELCOMED = "welcomed", _("welcomed")


class Decision(models.Model):
    """A coordinator did or dismissed one item of the queue: who, when, why.

    Never changed afterwards: the latest decision on a key is the one that counts, and
    the older ones stay as the history (an item may come back and be decided again)."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    object_id = models.PositiveBigIntegerField()
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    how = models.CharField(max_length=20, choices=How.choices, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    community_id: int
    decided_by_id: int | None

    class Meta:
        verbose_name = _("next action decision")
        verbose_name_plural = _("next action decisions")
        indexes: ClassVar[list[models.Index]] = [
            # "Was this item decided since its situation began?", asked for each item.
            models.Index(
                fields=["community", "kind", "object_id", "decided_at"], name="next_action_key"
            ),
            # The history on the queue's page, newest first.
            models.Index(fields=["community", "-decided_at"], name="next_action_history"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} {self.outcome}"

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.object_id}"
