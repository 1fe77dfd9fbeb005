"""A link to the queue of next actions on the community's landing page
(cercle/sections.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse

from cercle import permissions, sections


def next_actions_link(access: permissions.CommunityAccess) -> Mapping[str, Any] | None:
    """For those who see the cockpit (no query)."""
    if not permissions.cockpit.may_see_cockpit(access):
        return None
    return {"url": reverse("nextactions:queue", kwargs={"slug": access.community.slug})}


sections.register(
    "community.landing.aside",
    name="nextactions",
    template="nextactions/_landing_link.html",
    order=30,
    load=next_actions_link,
)
