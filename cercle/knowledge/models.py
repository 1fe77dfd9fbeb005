"""The community's library: collections (a tree per community, each in a space whose
visibility it follows) holding resources (links, files and notes)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cercle.communities.models import Community, Space
from cercle.conversations.models import ReactionKind, Tag


class Collection(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="collections")
    # Who reads the collection is who reads its space (permissions.reads(space)).
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="collections")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    # Re-encoded by Pillow before it is stored (cercle.knowledge.covers) and served by a
    # view that checks who reads the space, never from MEDIA_URL.
    cover = models.ImageField(_("cover image"), upload_to="collections/%Y/%m/", blank=True)
    cover_alt = models.CharField(_("cover description"), max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)
    # Shown only to readers who may read the other collection's space too.
    related = models.ManyToManyField("self", blank=True, symmetrical=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("collection")
        verbose_name_plural = _("collections")
        ordering: ClassVar[list[str]] = ["position", "pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["community", "slug"], name="knowledge_collection_slug"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledge:collection", args=[self.community.slug, self.slug])

    def cover_url(self) -> str:
        """The cover's address; it changes with the image, so browsers may cache it."""
        if not self.cover:
            return ""
        url = reverse("knowledge:cover", args=[self.community.slug, self.slug])
        version = self.cover.name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        return f"{url}?v={version}"


class ResourceKind(models.TextChoices):
    LINK = "link", _("Link")
    FILE = "file", _("File")
    NOTE = "note", _("Note")


class Resource(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="resources")
    kind = models.CharField(_("kind"), max_length=10, choices=ResourceKind.choices)
    title = models.CharField(_("title"), max_length=300)
    url = models.URLField(_("address"), max_length=2000, blank=True)
    excerpt = models.TextField(_("excerpt"), blank=True)
    file = models.FileField(upload_to="resources/%Y/%m/", blank=True)
    original_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    text = models.TextField(blank=True)  # extracted from the file, for search
    note = models.TextField(_("note"), blank=True)
    note_html = models.TextField(blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="resources")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering: ClassVar[list[str]] = ["position", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        collection = self.collection
        return reverse("knowledge:resource", args=[collection.community.slug, self.pk])


class ResourceComment(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("comment"))
    body_html = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.resource_id}: {self.body[:40]}"


class ResourceReaction(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="reactions")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=ReactionKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["resource", "person", "kind"], name="knowledge_one_reaction_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id}: {self.kind}"
