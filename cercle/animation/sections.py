"""The animators' tools on the community's landing page (cercle/sections.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from cercle import permissions, sections


def animation_links(access: permissions.CommunityAccess) -> Mapping[str, Any] | None:
    """The editorial calendar and a planned post, in the "Animate" card (no query)."""
    if not access.may_animate():
        return None
    slug = access.community.slug
    return {
        "links": [
            sections.Link(
                _("Editorial calendar"),
                reverse("animation:calendar", kwargs={"slug": slug}),
                "calendar-days",
            ),
            sections.Link(
                _("Plan a post"), reverse("animation:new_post", kwargs={"slug": slug}), "square-pen"
            ),
        ]
    }


sections.register(
    "community.landing.animate",
    name="animation",
    template="communities/_animate_links.html",
    order=30,
    load=animation_links,
)
