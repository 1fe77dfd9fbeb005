from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models


class SearchDocument(models.Model):
    """One searchable thing (a topic, a reply, later a library resource), as readers see it.

    A copy made for searching: the feeding app writes it through `search.index` in
    the same transaction as the change it mirrors, so the two never disagree. The
    full-text machinery lives beside it and differs by database (docs/search.md):
    on SQLite an FTS5 table kept in step by triggers, on PostgreSQL the
    `search_vector` column (always empty on SQLite, so both share one model).
    """

    kind = models.CharField(max_length=30)
    object_id = models.PositiveBigIntegerField()
    # The topic a conversation document belongs to (its own for a topic, its topic's
    # for a reply; none for a library resource or an article): the search page shows
    # one result per topic, and a topic's state reaches its replies through it.
    topic_id = models.PositiveBigIntegerField(null=True, blank=True)
    # The foreign keys need no index of their own: each leads a composite index below.
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    space = models.ForeignKey(
        "communities.Space", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    title = models.TextField()
    body = models.TextField(blank=True)  # plain text, no markup
    url = models.CharField(max_length=500)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField()
    tags = models.TextField(blank=True)  # tag slugs, separated by spaces
    topic_kind = models.CharField(max_length=30, blank=True)
    is_solved = models.BooleanField(default=False)
    is_visible = models.BooleanField(default=True)
    language = models.CharField(max_length=8, default="en")
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        # No verbose names: the index appears on no page and in no admin, so it
        # adds nothing to translate.
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_one_per_object"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["space", "created_at"], name="search_space_time"),
            models.Index(fields=["author", "created_at"], name="search_author_time"),
            models.Index(fields=["community", "created_at"], name="search_community_time"),
            models.Index(fields=["topic_id"], name="search_topic"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} {self.title}"

    @property
    def tag_list(self) -> list[str]:
        return self.tags.split()
