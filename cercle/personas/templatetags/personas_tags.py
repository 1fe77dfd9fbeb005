"""Personas in templates: their picture (or initials), their signature on posts, and
the landing page's link to them."""

from __future__ import annotations

import hashlib
from typing import Any

from django import template

from cercle import permissions
from cercle.communities.models import Community
from cercle.people.templatetags.avatars import PALETTE
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


@register.inclusion_tag("personas/_landing.html", takes_context=True)
def personas_on_landing(context: template.Context) -> dict[str, Any]:
    """The landing page's link to the community's personas (one query)."""
    community: Community = context["community"]
    access = context["access"]
    names = list(
        Persona.objects.filter(community=community, is_active=True)
        .order_by("name")
        .values_list("name", flat=True)[:4]
    )
    return {
        "community": community,
        "names": names,
        "may_manage": permissions.personas.may_manage_personas(access),
    }
