"""Personas: voices a community gives itself (a mascot, a host, a character), which
its animators speak through.

A post written as a persona keeps its real writer in `Post.author` (the audit log
shows it to coordinators) and names the persona in `Post.persona`: members see the
persona, marked as one, and never the writer (docs/personas.md).
"""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cercle.communities.models import Community

# Addresses the persona pages use for themselves: no persona may take them.
RESERVED_SLUGS = frozenset({"new", "audit"})


def persona_avatar_path(instance: Persona, filename: str) -> str:
    # Random names: the uploaded file's name is never kept (Pillow wrote the file again).
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "img"
    return f"personas/{instance.community_id}/{secrets.token_hex(12)}.{extension}"


class Persona(models.Model):
    """A character of the community, with a story, that chosen animators speak as."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="personas")
    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("address"), max_length=80)
    avatar = models.ImageField(_("picture"), upload_to=persona_avatar_path, blank=True)
    story = models.TextField(_("story"), blank=True)
    story_html = models.TextField(editable=False, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Who may publish as the persona besides the coordinators (who always may).
    speakers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", blank=True, verbose_name=_("speakers")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    community_id: int

    class Meta:
        verbose_name = _("persona")
        verbose_name_plural = _("personas")
        ordering: ClassVar[list[str]] = ["name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["community", "slug"], name="persona_slug_per_community"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "personas:detail", kwargs={"slug": self.community.slug, "persona": self.slug}
        )

    @property
    def initials(self) -> str:
        words = [word for word in self.name.split() if word[:1].isalnum()]
        return ("".join(word[0] for word in words[:2]) or "?").upper()
