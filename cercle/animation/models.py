"""What every plannable activity shares: polls, quizzes, challenges, contests, events
and planned posts are prepared by an animator, may wait for a moment chosen on the
editorial calendar, and become visible to members when they are published.

A concrete model inherits `Plannable`, sets `KIND` and `LEVEL` and implements
`get_absolute_url()`; its app's `AppConfig.ready()` registers it with
`cercle.animation.planning.register(Model, on_publish=...)`, giving, from the app's
actions, what publishing must do besides becoming visible (create a topic, notify
members). Models never import actions.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Self

from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cercle.activity.models import EngagementLevel
from cercle.communities.models import Community, Space
from cercle.conversations.models import Kind as TopicKind
from cercle.conversations.models import Topic


class NotPublished(Exception):
    """Raised by a kind's `on_publish` when the item may not go out after all (its
    author may no longer post there): publishing is undone and the item stays
    unpublished, with `reason` kept by `on_publish_refused`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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
    # Relations the calendar loads with each item (besides community, space and
    # created_by) so that `get_absolute_url()` and the title need no query of their own.
    CALENDAR_RELATED: ClassVar[tuple[str, ...]] = ()

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

    def on_publish_refused(self, reason: str, now: datetime) -> None:
        """Called when the kind's `on_publish` (`cercle.animation.planning.register`)
        raised `NotPublished`, in the same transaction:
        record `reason` so that the calendar shows it and `publishable` leaves the
        item out of the next runs."""

    @classmethod
    def publishable(cls, queryset: QuerySet[Self]) -> QuerySet[Self]:
        """Narrow unpublished items to those the worker may try to publish."""
        return queryset

    def publishing_failure(self) -> str:
        """Why the last publication was refused, for people ('' when it was not)."""
        return ""


class Failure(models.TextChoices):
    """Why a planned post could not go out at its moment."""

    AUTHOR_GONE = "author_gone", _("Its author's account was deleted or deactivated.")
    NOT_ALLOWED = (
        "not_allowed",
        _("Its author may no longer start this kind of topic in this space."),
    )
    REFUSED = "refused", _("The topic was refused: check its title and text.")


class PlannedPost(Plannable):
    """A topic an animator writes ahead: at its moment it is started in its space, as its
    author (`created_by`), through the conversation actions like any other topic."""

    KIND: ClassVar[str] = "post"
    LEVEL: ClassVar[EngagementLevel] = EngagementLevel.CREATE
    CALENDAR_RELATED: ClassVar[tuple[str, ...]] = ("topic__community", "topic__space")

    topic_kind = models.CharField(
        _("kind of topic"), max_length=12, choices=TopicKind.choices, default=TopicKind.DISCUSSION
    )
    body = models.TextField(_("message"))
    topic = models.OneToOneField(
        Topic, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    failure = models.CharField(max_length=20, choices=Failure.choices, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    topic_id: int | None

    class Meta(Plannable.Meta):
        verbose_name = _("post")
        verbose_name_plural = _("posts")

    def get_absolute_url(self) -> str:
        if self.topic_id is not None and self.topic is not None:
            return self.topic.get_absolute_url()
        return reverse("animation:post", kwargs={"slug": self.community.slug, "post_id": self.pk})

    def on_publish_refused(self, reason: str, now: datetime) -> None:
        type(self).objects.filter(pk=self.pk).update(failure=reason, failed_at=now)
        self.failure, self.failed_at = reason, now

    @classmethod
    def publishable(cls, queryset: QuerySet[Self]) -> QuerySet[Self]:
        return queryset.filter(failure="")

    def publishing_failure(self) -> str:
        return str(self.get_failure_display()) if self.failure else ""
