"""Personas in templates: their picture (or initials)."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from django import template

from cercle.people.templatetags.avatars import PALETTE

if TYPE_CHECKING:
    from cercle.communities.models import Community
    from cercle.personas.models import Persona

register = template.Library()


def colour(persona: Persona) -> str:
    digest = hashlib.sha256(f"persona:{persona.community_id}:{persona.slug}".encode()).digest()
    return PALETTE[digest[0] % len(PALETTE)]


@register.inclusion_tag("personas/_avatar.html")
def persona_avatar(persona: Persona, community: Community, size: int = 40) -> dict[str, Any]:
    """`{% persona_avatar persona community 48 %}`: decorative, the name is beside it.
    `community` is passed so that no query is made for the address."""
    return {
        "persona": persona,
        "community": community,
        "size": size,
        "colour": colour(persona),
        "version": int(persona.updated_at.timestamp()) if persona.updated_at else 0,
    }
