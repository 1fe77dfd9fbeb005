"""Badges and recognition.

- Built-in badges are defined in code (`cercle.badges.rules`), earned from real
  activity and awarded by a background job (`cercle award_badges`).
- `CustomBadge`: a badge an animator creates for their community and awards by hand,
  always with a reason.
- `BadgeAward`: one person holds one badge in one community (built-in: `badge_key`;
  custom: `custom_badge`), once.
- `MemberOfTheMonth`: the showcase on the community's landing page, computed by the
  same job from the previous month's activity, which animators may override.
"""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cercle.communities.models import Community


def badge_image_path(instance: CustomBadge, filename: str) -> str:
    # Random names: the uploaded file's name is never kept (Pillow wrote the file again).
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "img"
    return f"badges/{instance.community_id}/{secrets.token_hex(12)}.{extension}"


class CustomBadge(models.Model):
    """A badge of one community, created by its animators and awarded by hand."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="custom_badges")
    name = models.CharField(_("name"), max_length=60)
    description = models.CharField(_("what it recognizes"), max_length=300)
    emoji = models.CharField(
        _("emoji"),
        max_length=16,
        blank=True,
        help_text=_("One emoji shown with the badge, for example 🚲."),
    )
    image = models.ImageField(_("image"), upload_to=badge_image_path, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    community_id: int

    class Meta:
        verbose_name = _("custom badge")
        verbose_name_plural = _("custom badges")
        ordering: ClassVar[list[str]] = ["name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["community", "name"], name="badge_name_per_community"),
        ]

    def __str__(self) -> str:
        return self.name


class BadgeAward(models.Model):
    """`person` holds a badge in `community`: a built-in one (earned, awarded by the job)
    or a custom one (awarded by an animator, with a reason)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="badge_awards"
    )
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    badge_key = models.CharField(max_length=40, blank=True)
    custom_badge = models.ForeignKey(
        CustomBadge, on_delete=models.CASCADE, null=True, blank=True, related_name="awards"
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    awarded_at = models.DateTimeField(default=timezone.now)
    # The run of the job that inserted it: how a run finds the awards it made (and not
    # those a concurrent run made), to notify each person exactly once.
    batch = models.CharField(max_length=32, blank=True, editable=False)

    person_id: int
    community_id: int
    custom_badge_id: int | None

    class Meta:
        verbose_name = _("badge award")
        verbose_name_plural = _("badge awards")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=(
                    Q(custom_badge__isnull=True) & ~Q(badge_key="")
                    | Q(custom_badge__isnull=False, badge_key="")
                ),
                name="award_builtin_or_custom",
            ),
            models.UniqueConstraint(
                fields=["person", "community", "badge_key"],
                condition=Q(custom_badge__isnull=True),
                name="builtin_badge_once",
            ),
            models.UniqueConstraint(
                fields=["person", "custom_badge"],
                condition=Q(custom_badge__isnull=False),
                name="custom_badge_once",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["person", "-awarded_at"], name="award_by_person"),
            models.Index(fields=["community", "-awarded_at"], name="award_by_community"),
            models.Index(fields=["batch"], condition=~Q(batch=""), name="award_by_batch"),
        ]

    def __str__(self) -> str:
        return f"{self.badge_key or self.custom_badge_id} for {self.person_id}"


class MemberOfTheMonth(models.Model):
    """One place (1 to 3) of a community's "members of the month" showcase.

    `month` is the first day of the month, on the community's clock. Places computed
    by the job carry their `score`; places an animator chose carry `chosen_by`."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    rank = models.PositiveSmallIntegerField()
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveIntegerField(null=True, blank=True)
    citation = models.CharField(_("citation"), max_length=200, blank=True)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    person_id: int
    community_id: int

    class Meta:
        verbose_name = _("member of the month")
        verbose_name_plural = _("members of the month")
        ordering: ClassVar[list[str]] = ["-month", "rank"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["community", "month", "rank"], name="one_member_per_place"
            ),
            models.UniqueConstraint(
                fields=["community", "month", "person"], name="one_place_per_member"
            ),
            models.CheckConstraint(condition=Q(rank__gte=1, rank__lte=3), name="three_places"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}, #{self.rank} of {self.month:%Y-%m} in {self.community_id}"
