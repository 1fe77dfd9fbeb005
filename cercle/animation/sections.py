"""The animators' corner of the community's landing page (cercle/sections.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse

from cercle import permissions, sections


def animation_links(access: permissions.CommunityAccess) -> Mapping[str, Any] | None:
    """Links to the editorial calendar, for animators only (no query)."""
    if not access.may_animate():
        return None
    slug = access.community.slug
    return {
        "links": {
            "calendar": reverse("animation:calendar", kwargs={"slug": slug}),
            "new_post": reverse("animation:new_post", kwargs={"slug": slug}),
        }
    }


sections.register(
    "community.landing.aside",
    name="animation",
    template="animation/_landing_links.html",
    order=20,
    load=animation_links,
)
