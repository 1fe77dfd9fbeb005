"""Wiki articles: pages a community writes together, with every version kept."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cercle.communities.models import Community, Space
from cercle.conversations.models import Topic


class Article(models.Model):
    """A page of a space: it follows the space's visibility."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="articles")
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="articles")
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(max_length=220)
    body = models.TextField(_("text"))
    body_html = models.TextField(editable=False)
    toc_html = models.TextField(editable=False, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    revision_number = models.PositiveIntegerField(default=1)
    source_topic = models.ForeignKey(
        Topic, on_delete=models.SET_NULL, null=True, blank=True, related_name="articles"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering: ClassVar[list[str]] = ["title"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["community", "slug"], name="article_slug"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("wiki_article", kwargs={"slug": self.community.slug, "article": self.slug})


class ArticleRevision(models.Model):
    """One saved version of an article; `base_number` is the version it was edited from."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=300, blank=True)
    base_number = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-number"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["article", "number"], name="article_revision_number"),
        ]

    def __str__(self) -> str:
        return f"{self.article} v{self.number}"
