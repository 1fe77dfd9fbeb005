"""What every plannable activity shares: polls, quizzes, challenges, contests, events
and planned posts are prepared by an animator, may wait for a moment chosen on the
editorial calendar, and become visible to members when they are published.

A concrete model inherits `Plannable`, sets `KIND` and `LEVEL`, implements
`get_absolute_url()` and, if publishing must do more than become visible (create a
topic, notify members), `on_publish()`; then registers with
`cercle.animation.planning.register`.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cercle.analytics.models import EngagementLevel
from cercle.communities.models import Community, Space


class Plannable(models.Model):
    """An activity an animator prepares, and may schedule, in a space of a community.

    Until `published_at` is set only those who may animate the space see it (and its
    place on the calendar); `publish_at` is the moment the animator chose (None: at
    once). Publishing sets `published_at` exactly once, even with two workers at the
    same moment (`cercle.animation.planning.publish`).
    """

    KIND: ClassVar[str] = ""
    LEVEL: ClassVar[EngagementLevel] = EngagementLevel.TAKE_PART
    # The moment the calendar shows besides the publication (an event's start).
    CALENDAR_FIELD: ClassVar[str] = "publish_at"

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    publish_at = models.DateTimeField(
        _("publish at"),
        null=True,
        blank=True,
        help_text=_("Leave empty to publish at once; times are in the community's time zone."),
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)

    community_id: int
    space_id: int
    created_by_id: int | None

    class Meta:
        abstract = True
        indexes: ClassVar[list[models.Index]] = [
            # The worker: what is due and not yet out.
            models.Index(
                fields=["publish_at"],
                condition=Q(published_at=None),
                name="%(app_label)s_%(class)s_due",
            ),
            # The calendar and the lists: one community's, in time.
            models.Index(fields=["community", "publish_at"], name="%(app_label)s_%(class)s_cal"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def is_scheduled(self) -> bool:
        return self.published_at is None and self.publish_at is not None

    def planned_for(self) -> datetime:
        """Where the item sits on the calendar: when it goes (or went) out."""
        return self.published_at or self.publish_at or self.created_at or timezone.now()

    def on_publish(self) -> None:
        """Called once, inside the publishing transaction, after `published_at` is set."""
