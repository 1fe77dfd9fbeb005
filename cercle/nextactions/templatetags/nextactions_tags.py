"""A link to the queue of next actions, for the pages coordinators start from."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from cercle import permissions

register = template.Library()


@register.inclusion_tag("nextactions/_landing_link.html", takes_context=True)
def next_actions_link(context: dict[str, Any]) -> dict[str, Any]:
    """`{% next_actions_link %}`: for those who see the cockpit (no query: the access
    is loaded already)."""
    access: permissions.CommunityAccess | None = context.get("access")
    community = context.get("community")
    if access is None or community is None or not permissions.cockpit.may_see_cockpit(access):
        return {"url": None}
    return {"url": reverse("nextactions:queue", kwargs={"slug": community.slug})}
