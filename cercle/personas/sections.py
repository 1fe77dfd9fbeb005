"""The personas on the community's landing page (cercle/sections.py): who the
community speaks through, and the way to manage them in the "Animate" card."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from cercle import permissions, sections
from cercle.personas import queries


def personas_on_landing(access: permissions.CommunityAccess) -> Mapping[str, Any] | None:
    """Who the community speaks through (one query)."""
    names = queries.names_on_landing(access.community)
    return {"names": names} if names else None


def personas_link(access: permissions.CommunityAccess) -> Mapping[str, Any] | None:
    """For those who manage the personas (no query)."""
    if not permissions.personas.may_manage_personas(access):
        return None
    url = reverse("personas:list", kwargs={"slug": access.community.slug})
    return {"links": [sections.Link(_("Personas"), url, "megaphone")]}


sections.register(
    "community.landing.aside",
    name="personas",
    template="personas/_landing.html",
    order=50,
    load=personas_on_landing,
)
sections.register(
    "community.landing.animate",
    name="personas",
    template="communities/_animate_links.html",
    order=80,
    load=personas_link,
)
