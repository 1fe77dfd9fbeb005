"""A chat bridge: a community's space or tag posted into a Slack, Microsoft Teams or
Mattermost channel, or a Matrix room, and the log of what it posted (docs/api.md)."""

from __future__ import annotations

from typing import ClassVar
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cercle.activity import verbs
from cercle.communities.models import Community, Space
from cercle.conversations.models import Tag


class Kind(models.TextChoices):
    SLACK = "slack", _("Slack")
    TEAMS = "teams", _("Microsoft Teams")
    MATTERMOST = "mattermost", _("Mattermost")
    MATRIX = "matrix", _("Matrix")


class News(models.TextChoices):
    """What a bridge may carry: each is one verb of the activity log."""

    QUESTIONS = "questions", _("New questions")
    SOLVED = "solved", _("Solved questions")
    EVENTS = "events", _("Events")
    ANNOUNCEMENTS = "announcements", _("Announcements")


# The verb each kind of news comes from: every other verb is nothing to a bridge.
NEWS_OF_VERB: dict[str, News] = {
    verbs.TOPIC_STARTED_QUESTION.name: News.QUESTIONS,
    verbs.ANSWER_ACCEPTED.name: News.SOLVED,
    verbs.EVENT_CREATED.name: News.EVENTS,
    verbs.TOPIC_STARTED_ANNOUNCEMENT.name: News.ANNOUNCEMENTS,
}


class Bridge(models.Model):
    """Where a community's news goes: a channel's incoming webhook, or a Matrix room
    that a bot account of the organisation's homeserver posts into."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="bridges")
    # Neither: the whole community (what the creator reads of it); one of them: only
    # what happens in that space, or on topics with that tag.
    space = models.ForeignKey(
        Space,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="bridges",
        verbose_name=_("space"),
    )
    tag = models.ForeignKey(
        Tag,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="bridges",
        verbose_name=_("tag"),
    )
    kind = models.CharField(_("chat"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    # Slack, Teams and Mattermost: the incoming webhook's address (a secret in itself:
    # shown only as its host once saved).
    webhook_url = models.URLField(_("webhook address"), max_length=1000, blank=True)
    # Matrix: the homeserver, the room (an id !abc:example.org or an alias
    # #room:example.org) and the bot's access token, stored and never shown again.
    homeserver_url = models.URLField(_("homeserver address"), max_length=300, blank=True)
    room = models.CharField(_("room"), max_length=255, blank=True)
    bot_token = models.CharField(max_length=500, blank=True, editable=False)
    news = models.JSONField(_("news carried"), default=list)
    # A private space's news posted into a chat whose members may not be the space's:
    # the coordinator said so, knowingly (docs/api.md, "Private spaces").
    private_confirmed = models.BooleanField(default=False)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_sent_at = models.DateTimeField(_("last sent"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("chat bridge")
        verbose_name_plural = _("chat bridges")
        ordering: ClassVar[list[str]] = ["name", "pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(space__isnull=True) | Q(tag__isnull=True),
                name="bridge_space_or_tag",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def carries(self, news: str) -> bool:
        return news in self.news

    @property
    def news_labels(self) -> list[str]:
        return [str(News(news).label) for news in News.values if news in self.news]

    @property
    def destination(self) -> str:
        """Where it posts, said without its secret: the webhook's host, or the room."""
        if self.kind == Kind.MATRIX:
            return f"{self.room} ({_host(self.homeserver_url)})"
        return _host(self.webhook_url)


def _host(url: str) -> str:
    return urlsplit(url).netloc


class PostStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class BridgePost(models.Model):
    """One message a bridge posted (or tried to): the list of the last sends, and
    the key that keeps a subject from being posted twice."""

    bridge = models.ForeignKey(Bridge, on_delete=models.CASCADE, related_name="posts")
    # The news and what it is about; a test message has no subject.
    news = models.CharField(max_length=16, blank=True)
    subject_type = models.CharField(max_length=40, blank=True)
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    title = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=PostStatus.choices, default=PostStatus.PENDING)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["bridge", "news", "subject_type", "subject_id"],
                condition=Q(subject_id__isnull=False),
                name="bridge_post_once",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["bridge", "created_at"], name="bridge_post_time"),
        ]

    def __str__(self) -> str:
        return f"{self.bridge} · {self.title or self.news}"

    @property
    def is_test(self) -> bool:
        return self.subject_id is None
