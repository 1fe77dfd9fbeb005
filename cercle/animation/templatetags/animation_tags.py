"""The animators' corner of the community landing page."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from cercle import permissions

register = template.Library()


@register.inclusion_tag("animation/_landing_links.html", takes_context=True)
def animation_links(context: dict[str, Any]) -> dict[str, Any]:
    """Links to the editorial calendar, for animators only (no query: the access is loaded)."""
    access: permissions.CommunityAccess | None = context.get("access")
    community = context.get("community")
    if access is None or community is None or not access.may_animate():
        return {"links": None}
    return {
        "links": {
            "calendar": reverse("animation:calendar", kwargs={"slug": community.slug}),
            "new_post": reverse("animation:new_post", kwargs={"slug": community.slug}),
        }
    }
