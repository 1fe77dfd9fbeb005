from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Follow(models.Model):
    """Someone follows a person, a topic, a space or a tag: exactly one of the four."""

    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="followers",
    )
    topic = models.ForeignKey(
        "conversations.Topic", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    space = models.ForeignKey(
        "communities.Space", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    tag = models.ForeignKey(
        "conversations.Tag", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=(
                    Q(person__isnull=False, topic=None, space=None, tag=None)
                    | Q(person=None, topic__isnull=False, space=None, tag=None)
                    | Q(person=None, topic=None, space__isnull=False, tag=None)
                    | Q(person=None, topic=None, space=None, tag__isnull=False)
                ),
                name="follow_exactly_one_target",
            ),
            models.UniqueConstraint(
                fields=["follower", "person"],
                condition=Q(person__isnull=False),
                name="follow_person_once",
            ),
            models.UniqueConstraint(
                fields=["follower", "topic"],
                condition=Q(topic__isnull=False),
                name="follow_topic_once",
            ),
            models.UniqueConstraint(
                fields=["follower", "space"],
                condition=Q(space__isnull=False),
                name="follow_space_once",
            ),
            models.UniqueConstraint(
                fields=["follower", "tag"], condition=Q(tag__isnull=False), name="follow_tag_once"
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["topic"], name="follow_by_topic"),
            models.Index(fields=["space"], name="follow_by_space"),
            models.Index(fields=["tag"], name="follow_by_tag"),
            models.Index(fields=["person"], name="follow_by_person"),
        ]

    def __str__(self) -> str:
        target = self.person_id or self.topic_id or self.space_id or self.tag_id
        return f"{self.follower_id} follows {target}"
