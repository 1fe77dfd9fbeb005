"""Events, the answers members give them, and the rituals that repeat them.

An `Event` is planned like every animation activity (`Plannable`): it is announced
(published) at `publish_at`, and takes place from `starts_at` to `ends_at`, times that
the animator types in the event's own time zone. A `Ritual` is a rule ("the first
Tuesday of every month at 18:00, Europe/Paris") that creates its occurrences as
events ahead of time, each with its own answers and discussion.

Times are stored in UTC; the local time of an occurrence is what the rule keeps
(18:00 stays 18:00 across a daylight-saving change, so its UTC time moves).
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import ClassVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cercle.activity.models import EngagementLevel
from cercle.animation.models import Plannable
from cercle.communities.models import Community, Space, validate_time_zone
from cercle.conversations.models import Topic

DEFAULT_REMINDER_HOURS = 24


class Ritual(models.Model):
    """A recurring event: its rule, local start time and duration make its occurrences.

    `rule` is an iCalendar RRULE without DTSTART (for example `FREQ=MONTHLY;BYDAY=1TU`);
    the first occurrence is on or after `first_day`, at `start_time` in `time_zone`.
    Occurrences are created `horizon_days` ahead and each is announced (published)
    `announce_days` before it starts.
    """

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    description_html = models.TextField(editable=False, blank=True)
    online_url = models.URLField(_("online link"), max_length=500, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    rule = models.CharField(_("repeat rule"), max_length=300)
    first_day = models.DateField(_("first day"))
    start_time = models.TimeField(_("start time"))
    duration = models.DurationField(_("duration"))
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    remind_hours_before = models.PositiveSmallIntegerField(
        _("reminder, hours before"), default=DEFAULT_REMINDER_HOURS
    )
    announce_days = models.PositiveSmallIntegerField(_("announce, days before"), default=14)
    horizon_days = models.PositiveSmallIntegerField(_("plan ahead, days"), default=92)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Bumped on every change, for calendar programs (iCalendar SEQUENCE).
    sequence = models.PositiveIntegerField(default=0)
    # Stopped: no occurrence after this moment.
    ended_at = models.DateTimeField(null=True, blank=True)

    community_id: int
    space_id: int
    created_by_id: int | None

    class Meta:
        verbose_name = _("ritual")
        verbose_name_plural = _("rituals")
        ordering: ClassVar[list[str]] = ["title", "pk"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["community", "ended_at"], name="ritual_community"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:ritual", kwargs={"slug": self.community.slug, "pk": self.pk})

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def is_active(self) -> bool:
        return self.ended_at is None

    def first_start(self) -> datetime:
        """DTSTART: the first day at the local start time, aware in the ritual's zone."""
        return datetime.combine(self.first_day, self.start_time, tzinfo=self.zone)


class EventQuerySet(models.QuerySet["Event"]):
    def live(self) -> EventQuerySet:
        """Published and not cancelled."""
        return self.exclude(published_at=None).filter(cancelled_at=None)


class Event(Plannable):
    """A meeting, online (a link), in person (a place) or both, at a set time."""

    KIND: ClassVar[str] = "event"
    LEVEL: ClassVar[EngagementLevel] = EngagementLevel.TAKE_PART
    CALENDAR_FIELD: ClassVar[str] = "starts_at"

    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    description_html = models.TextField(editable=False, blank=True)
    online_url = models.URLField(_("online link"), max_length=500, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("Leave empty for no limit; beyond it, members join a waiting list."),
    )
    rsvp_open = models.BooleanField(_("members may answer"), default=True)
    remind_hours_before = models.PositiveSmallIntegerField(
        _("reminder, hours before"),
        default=DEFAULT_REMINDER_HOURS,
        help_text=_("Members going get an email this many hours before; 0 for none."),
    )
    # The discussion opened in the event's space when it is announced.
    topic = models.OneToOneField(
        Topic, on_delete=models.SET_NULL, null=True, blank=True, related_name="event"
    )
    ritual = models.ForeignKey(
        Ritual, on_delete=models.SET_NULL, null=True, blank=True, related_name="occurrences"
    )
    # For an occurrence of a ritual: the start the rule gave it (iCalendar RECURRENCE-ID),
    # which stays when the occurrence alone is moved.
    occurrence = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    sequence = models.PositiveIntegerField(default=0)

    topic_id: int | None
    ritual_id: int | None

    objects: ClassVar[EventQuerySet] = EventQuerySet.as_manager()  # type: ignore[assignment]

    class Meta(Plannable.Meta):
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering: ClassVar[list[str]] = ["starts_at", "pk"]
        indexes: ClassVar[list[models.Index]] = [
            *Plannable.Meta.indexes,
            # Upcoming and past lists, feeds, the landing page: one community's, in time.
            models.Index(fields=["community", "starts_at"], name="event_community_start"),
            # The reminder command: what starts soon and is still on.
            models.Index(
                fields=["starts_at"], condition=Q(cancelled_at=None), name="event_on_start"
            ),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start"
            ),
            models.UniqueConstraint(
                fields=["ritual", "occurrence"],
                condition=Q(ritual__isnull=False),
                name="event_one_per_occurrence",
            ),
        ]

    def get_absolute_url(self) -> str:
        return reverse("events:event", kwargs={"slug": self.community.slug, "pk": self.pk})

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(self.zone)

    @property
    def local_end(self) -> datetime:
        return self.ends_at.astimezone(self.zone)

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def is_online(self) -> bool:
        return bool(self.online_url)

    @property
    def is_in_person(self) -> bool:
        return bool(self.place or self.address)

    @property
    def location(self) -> str:
        """Where it happens, in one line (iCalendar LOCATION)."""
        parts = [p for p in (self.place, self.address) if p]
        if not parts and self.online_url:
            parts = [self.online_url]
        return ", ".join(parts)

    def has_started(self, now: datetime) -> bool:
        return now >= self.starts_at


def when_label(event: Event) -> str:
    """The event's start in its zone, the same in every language (subjects, digests)."""
    return f"{event.local_start:%Y-%m-%d %H:%M} ({event.time_zone})"


class Response(models.TextChoices):
    GOING = "going", _("Going")
    WAITING = "waiting", _("On the waiting list")
    MAYBE = "maybe", _("Maybe")
    NOT_GOING = "not_going", _("Not going")
    # Someone an animator marked present without an answer of theirs.
    NONE = "none", _("No answer")


# What members choose; the waiting list is where "going" lands when the event is full.
CHOSEN = (Response.GOING, Response.MAYBE, Response.NOT_GOING)


class RSVP(models.Model):
    """One member's answer to one event, and afterwards whether they came."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rsvps")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_rsvps"
    )
    response = models.CharField(_("answer"), max_length=10, choices=Response.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the answer last changed: the waiting list's order.
    changed_at = models.DateTimeField()
    attended = models.BooleanField(_("attended"), default=False)
    attendance_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The reminder email went out (once per person and event).
    reminded_at = models.DateTimeField(null=True, blank=True)

    event_id: int
    person_id: int

    class Meta:
        verbose_name = _("answer to an event")
        verbose_name_plural = _("answers to events")
        ordering: ClassVar[list[str]] = ["changed_at", "pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["event", "person"], name="rsvp_one_per_person"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            # Counting those going and walking the waiting list in order.
            models.Index(fields=["event", "response", "changed_at"], name="rsvp_event_response"),
            # A person's events (badges: "event regular").
            models.Index(fields=["person", "attended"], name="rsvp_person_attended"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.response} {self.event_id}"


class FeedKey(models.Model):
    """What a person's calendar feed addresses are signed with; a new key revokes the
    addresses given before."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_feed_key"
    )
    key = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendar feed key")
        verbose_name_plural = _("calendar feed keys")

    def __str__(self) -> str:
        return f"feed key of {self.person_id}"

    @staticmethod
    def new_key() -> str:
        return secrets.token_urlsafe(12)
