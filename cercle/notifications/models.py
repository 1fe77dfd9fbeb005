from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise


class Kind(models.TextChoices):
    """Why someone is told about something; each person gets at most one per event."""

    MENTION = "mention", _("Someone mentions me")
    ANSWER = "answer", _("Answers to my questions")
    REPLY = "reply", _("Replies to my topics")
    ACCEPTED = "accepted", _("My answer is accepted")
    FOLLOWED_REPLY = "followed_reply", _("Replies in topics I follow")
    NEW_TOPIC = "new_topic", _("New topics in spaces and tags I follow")
    FOLLOWED_PERSON = "followed_person", _("Posts by people I follow")
    REQUEST_APPROVED = "request_approved", _("My request to join is approved")
    REQUEST_DECLINED = "request_declined", _("My request to join is declined")
    INVITATION = "invitation", _("Invitations to join a community")
    # Animation: about something other than a post, named by `subject` and `url`.
    WELCOME = "welcome", _("Welcome messages from my communities")
    NEW_ACTIVITY = "new_activity", _("New polls, quizzes, challenges, contests and events")
    EVENT_REMINDER = "event_reminder", _("Reminders of events I am going to")
    EVENT_UPDATE = "event_update", _("Changes to events I am going to, and waiting-list places")
    CONTEST_RESULTS = "contest_results", _("Results of contests I take part in")
    BADGE = "badge", _("Badges I receive")
    IDEA_STATUS = "idea_status", _("Decisions on ideas I proposed or voted for")
    # The animator's cockpit: a coordinator asks a member to answer a question.
    ASKED_TO_ANSWER = "asked_to_answer", _("Coordinators asking me to answer a question")


class Frequency(models.TextChoices):
    IMMEDIATELY = "immediately", _("Immediately")
    DAILY = "daily", _("In a daily summary")
    WEEKLY = "weekly", _("In a weekly summary")
    NEVER = "never", _("Never")


class Period(models.TextChoices):
    """How often a member receives a community's digest."""

    WEEKLY = "weekly", _("Every week")
    DAILY = "daily", _("Every day")
    NEVER = "never", _("Never")


# The kinds a member may receive by email, and how often by default: what concerns
# the member's own words at once, what they follow in a summary.
EMAIL_DEFAULTS: dict[str, str] = {
    Kind.MENTION: Frequency.IMMEDIATELY,
    Kind.ANSWER: Frequency.IMMEDIATELY,
    Kind.REPLY: Frequency.IMMEDIATELY,
    Kind.ACCEPTED: Frequency.IMMEDIATELY,
    Kind.FOLLOWED_REPLY: Frequency.DAILY,
    Kind.NEW_TOPIC: Frequency.DAILY,
    Kind.FOLLOWED_PERSON: Frequency.WEEKLY,
    Kind.WELCOME: Frequency.IMMEDIATELY,
    Kind.NEW_ACTIVITY: Frequency.WEEKLY,
    Kind.EVENT_REMINDER: Frequency.IMMEDIATELY,
    Kind.EVENT_UPDATE: Frequency.IMMEDIATELY,
    Kind.CONTEST_RESULTS: Frequency.IMMEDIATELY,
    Kind.BADGE: Frequency.DAILY,
    Kind.IDEA_STATUS: Frequency.DAILY,
    Kind.ASKED_TO_ANSWER: Frequency.IMMEDIATELY,
}
# Answers to a request to join and invitations are emailed by the communities app
# itself, always and at once (they are part of joining): here they live in the app only.
APP_ONLY_KINDS = frozenset({Kind.REQUEST_APPROVED, Kind.REQUEST_DECLINED, Kind.INVITATION})
# The preference key of the community digest, next to the kinds above.
DIGEST = "digest"
DIGEST_DEFAULT = Period.WEEKLY

# Mailing-list mode (docs/mail.md): every new post of the spaces and topics one follows,
# one email each, to take part by email. An `EmailPreference` row under this key says
# "immediately" while it is on; "never", or no row, is off (the default).
MAILING_LIST = "mailing_list"

PREFERENCE_LABELS: dict[str, StrOrPromise] = {
    **{kind: Kind(kind).label for kind in EMAIL_DEFAULTS},
    DIGEST: _("The community digest"),
    MAILING_LIST: _("Mailing-list mode"),
}


class Notification(models.Model):
    """Something that happened which one person should hear about."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    topic = models.ForeignKey(
        "conversations.Topic", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    post = models.ForeignKey(
        "conversations.Post", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # For notifications about something other than a post (an event, a badge, a poll):
    # the space it lives in (the recipient must read it; none means the community's
    # landing page), its name as written (user content, not translated) and its address.
    space = models.ForeignKey(
        "communities.Space", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    subject = models.CharField(max_length=300, blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # How the recipient wanted this kind emailed when it happened: at once, in a
    # summary, or not at all. `emailed_at` is set once the email step is done with
    # it: sent, or dropped because the recipient may no longer see it.
    email_frequency = models.CharField(max_length=12, choices=Frequency.choices)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering: ClassVar[list[str]] = ["-created_at", "-pk"]
        indexes: ClassVar[list[models.Index]] = [
            # The bell: the unread ones of one person.
            models.Index(
                fields=["recipient"], condition=Q(read_at=None), name="notification_unread"
            ),
            # The list: one person's, newest first.
            models.Index(fields=["recipient", "-created_at"], name="notification_list"),
            # The summary emails: what is still to be emailed, by frequency.
            models.Index(
                fields=["email_frequency", "recipient"],
                condition=Q(emailed_at=None),
                name="notification_to_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"

    def get_absolute_url(self) -> str:
        """Where the notification leads: the post, or the community's landing page."""
        if self.post_id is not None and self.post is not None:
            return self.post.get_absolute_url()
        if self.topic_id is not None and self.topic is not None:
            return self.topic.get_absolute_url()
        if self.url:
            return self.url
        return self.community.get_absolute_url()


class EmailPreference(models.Model):
    """How often a person wants one kind of email; without a row, the default holds."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preferences"
    )
    kind = models.CharField(max_length=20)
    frequency = models.CharField(max_length=12)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("email preference")
        verbose_name_plural = _("email preferences")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["person", "kind"], name="one_preference_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.kind} {self.frequency}"


class DigestLog(models.Model):
    """One digest period handled for one member and community, so it is never sent twice."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    period = models.CharField(max_length=8, choices=Period.choices)
    period_start = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    # False when there was nothing to say: no email left, and none will for this period.
    sent = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("digest sent")
        verbose_name_plural = _("digests sent")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["person", "community", "period", "period_start"],
                name="one_digest_per_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} digest of {self.community_id} for {self.person_id}"
