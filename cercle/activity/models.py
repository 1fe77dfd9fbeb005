"""The activity log: one row per thing that happened, written by the actions."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EngagementLevel(models.IntegerChoices):
    """The three levels of engagement, by growing investment of the member."""

    REACT = 1, _("Reacting")
    TAKE_PART = 2, _("Taking part")
    CREATE = 3, _("Creating")


class ActivityEvent(models.Model):
    """One thing that happened: the single source every analytics figure reads.

    Written by actions, in the same transaction as the change it records; never
    updated afterwards. `object_type` and `object_id` name what the verb acted on
    without a foreign key, so that the log outlives deleted objects.
    """

    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="activity_events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activity_events",
    )
    verb = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    level = models.PositiveSmallIntegerField(choices=EngagementLevel.choices, null=True, blank=True)
    # The space it happened in, when it happened in one (for the counts per space).
    space = models.ForeignKey(
        "communities.Space",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=False)

    class Meta:
        # The table keeps the name it had when the log lived in analytics, so raw SQL
        # and existing data stay as they are.
        db_table = "analytics_activityevent"
        verbose_name = _("activity event")
        verbose_name_plural = _("activity events")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["community", "created_at"], name="activity_community_time"),
            models.Index(fields=["actor", "created_at"], name="activity_actor_time"),
            models.Index(fields=["verb", "created_at"], name="activity_verb_time"),
        ]

    def __str__(self) -> str:
        return f"{self.verb} {self.object_type}:{self.object_id}"


class Presence(models.Model):
    """A member was present in a community on a UTC day: one row at most.

    Its unique key is what makes the day's `community.visited` event be written once,
    whatever the number of web workers (cercle/activity/presence.py): the event is
    written only by the request whose row went in.
    """

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The unique key's index starts with the community: no index of its own.
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()

    class Meta:
        verbose_name = _("presence")
        verbose_name_plural = _("presences")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["community", "person", "day"], name="one_presence_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.community_id} on {self.day}"
