"""A link to the queue of next actions on the community's landing page
(cercle/sections.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from cercle import permissions, sections


def next_actions_link(access: permissions.CommunityAccess) -> Mapping[str, Any] | None:
    """For those who see the cockpit, in the "Animate" card (no query)."""
    if not permissions.cockpit.may_see_cockpit(access):
        return None
    url = reverse("nextactions:queue", kwargs={"slug": access.community.slug})
    return {
        "links": [
            sections.Link(
                _("Next actions"), url, "list-checks", _("Questions to route, people to welcome")
            )
        ]
    }


sections.register(
    "community.landing.animate",
    name="nextactions",
    template="communities/_animate_links.html",
    order=20,
    load=next_actions_link,
)
