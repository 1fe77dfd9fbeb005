from __future__ import annotations

import secrets
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cercle.communities.models import Community, Space


class Kind(models.TextChoices):
    DISCUSSION = "discussion", _("Discussion")
    QUESTION = "question", _("Question")
    ANNOUNCEMENT = "announcement", _("Announcement")


class ReactionKind(models.TextChoices):
    """A small set that fits a community of practice, one of each per member and post."""

    THANKS = "thanks", _("Thanks")
    HELPFUL = "helpful", _("Helpful")
    AGREE = "agree", _("Agree")
    IDEA = "idea", _("Good idea")
    CELEBRATE = "celebrate", _("Well done")


# Each kind's icon (Lucide, vendored: cercle/static/vendor/lucide/ICONS): drawn as SVG, so
# it shows the same everywhere, with no emoji font on the reader's machine.
REACTION_ICONS = {
    ReactionKind.THANKS: "heart",
    ReactionKind.HELPFUL: "lightbulb",
    ReactionKind.AGREE: "thumbs-up",
    ReactionKind.IDEA: "sparkles",
    ReactionKind.CELEBRATE: "party-popper",
}

# The same as characters, for plain-text places only (the library's resources still use
# them: cercle/knowledge/views.py); pages draw REACTION_ICONS.
REACTION_SYMBOLS = {
    ReactionKind.THANKS: "🙏",
    ReactionKind.HELPFUL: "💡",
    ReactionKind.AGREE: "👍",
    ReactionKind.IDEA: "✨",
    ReactionKind.CELEBRATE: "🎉",
}


class Tag(models.Model):
    """A word of the community's vocabulary, curated by its coordinators."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(_("name"), max_length=40)
    slug = models.SlugField(_("address"), max_length=40, allow_unicode=False)
    description = models.CharField(_("description"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering: ClassVar[list[str]] = ["name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["community", "slug"], name="tag_slug_per_community"),
        ]

    def __str__(self) -> str:
        return self.name


class Topic(models.Model):
    """A conversation in a space: a discussion, a question or an announcement."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="topics")
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="topics")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.DISCUSSION)
    title = models.CharField(_("title"), max_length=200)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="topics"
    )
    tags = models.ManyToManyField(Tag, related_name="topics", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_activity_at = models.DateTimeField()
    last_poster = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The persona the topic was opened as (its opening post's): lists show it, never
    # `author`, who stays the real writer for the coordinators' audit (docs/personas.md).
    persona = models.ForeignKey(
        "personas.Persona", on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )
    reply_count = models.PositiveIntegerField(default=0)
    last_position = models.PositiveIntegerField(default=0)
    accepted_answer = models.ForeignKey(
        "Post", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    solved_at = models.DateTimeField(null=True, blank=True)
    is_pinned = models.BooleanField(_("pinned"), default=False)
    is_locked = models.BooleanField(_("locked"), default=False)
    is_hidden = models.BooleanField(_("hidden"), default=False)
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["space", "is_pinned", "last_activity_at"], name="topic_latest"),
            models.Index(fields=["space", "created_at"], name="topic_new"),
            models.Index(fields=["space", "kind", "reply_count"], name="topic_unanswered"),
            models.Index(fields=["community", "created_at"], name="topic_community_time"),
            models.Index(fields=["author", "created_at"], name="topic_author_time"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "topic",
            kwargs={"slug": self.community.slug, "space": self.space.slug, "topic_id": self.pk},
        )

    @property
    def is_question(self) -> bool:
        return self.kind == Kind.QUESTION

    @property
    def is_solved(self) -> bool:
        return self.accepted_answer_id is not None


class Post(models.Model):
    """The opening post of a topic (position 0) or a reply."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="posts")
    position = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="posts"
    )
    body = models.TextField(_("message"))
    body_html = models.TextField(editable=False)
    reply_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Written as this persona: members see the persona, `author` is the real writer.
    persona = models.ForeignKey(
        "personas.Persona", on_delete=models.RESTRICT, null=True, blank=True, related_name="posts"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    revision_count = models.PositiveIntegerField(default=1)
    is_hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=200, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering: ClassVar[list[str]] = ["position"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["topic", "position"], name="post_position"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["author", "created_at"], name="post_author_time"),
            models.Index(fields=["persona", "created_at"], name="post_persona_time"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} #{self.position}"

    def get_absolute_url(self) -> str:
        return f"{self.topic.get_absolute_url()}?post={self.position}#post-{self.position}"

    @property
    def is_opening(self) -> bool:
        return self.position == 0

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class PostRevision(models.Model):
    """An earlier (or the current) text of a post: edits keep every version."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-number"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["post", "number"], name="revision_number"),
        ]

    def __str__(self) -> str:
        return f"{self.post} v{self.number}"


class Reaction(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reactions"
    )
    kind = models.CharField(max_length=12, choices=ReactionKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["post", "person", "kind"], name="one_reaction_each"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["person", "created_at"], name="reaction_person_time"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.post_id}"


class Mention(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mentions")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentions"
    )

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["post", "person"], name="one_mention_each"),
        ]

    def __str__(self) -> str:
        return f"@{self.person_id} in {self.post_id}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name is random: the original name is kept apart, never on disk.
    return f"attachments/{instance.community_id}/{secrets.token_hex(16)}"


class Attachment(models.Model):
    """An image or document attached to a post, served only to those who see the post."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    text = models.TextField(blank=True, help_text="Text extracted for search (PDF).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("attachment", kwargs={"attachment_id": self.pk, "name": self.original_name})

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class ReadState(models.Model):
    """How far a member has read a topic: unread markers and "new since last visit"."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="read_states"
    )
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="read_states")
    last_read_position = models.PositiveIntegerField(default=0)
    read_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["person", "topic"], name="one_read_state"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} read {self.topic_id} to {self.last_read_position}"


class SpaceVisit(models.Model):
    """When a member last opened a space's list: what is "new since your last visit"."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="+")
    previous_visit_at = models.DateTimeField(null=True, blank=True)
    visited_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["person", "space"], name="one_space_visit"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.space_id}"


class FlagReason(models.TextChoices):
    SPAM = "spam", _("Spam or advertising")
    OFFENSIVE = "offensive", _("Offensive or disrespectful")
    OFF_TOPIC = "off_topic", _("Off topic")
    OTHER = "other", _("Something else")


class Flag(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="flags")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=12, choices=FlagReason.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    resolution = models.CharField(max_length=20, blank=True)

    class Meta:
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["post", "resolved_at"], name="flag_open"),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["post", "reporter"],
                condition=Q(resolved_at=None),
                name="one_open_flag_per_reporter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reason} on {self.post_id}"


class ModerationEntry(models.Model):
    """Every moderator action, for the coordinators to see."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=20)
    topic = models.ForeignKey(Topic, on_delete=models.SET_NULL, null=True, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.SET_NULL, null=True, related_name="+")
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["community", "created_at"], name="moderation_log_time"),
        ]

    def __str__(self) -> str:
        return f"{self.action} by {self.moderator_id}"


class Draft(models.Model):
    """What a person is writing and has not published yet, kept on the server so that it
    survives a reload and follows them to another device: one per person and topic (a
    reply), one per person and space for a new topic. Deleted when the post is published."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["person", "topic"],
                condition=Q(topic__isnull=False),
                name="one_reply_draft_per_person_and_topic",
            ),
            models.UniqueConstraint(
                fields=["person", "space"],
                condition=Q(topic__isnull=True),
                name="one_topic_draft_per_person_and_space",
            ),
        ]

    def __str__(self) -> str:
        return f"draft of {self.person_id} in {self.topic_id or self.space_id}"
