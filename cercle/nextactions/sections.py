"""The queue of next actions on other apps' pages (cercle/sections.py): a link on the
community's landing page, and its first three items on the cockpit's overview."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from cercle import permissions, sections
from cercle.nextactions import queries


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


def top_actions(access: permissions.CommunityAccess) -> Mapping[str, Any] | None:
    """The first three things to do, for those who see the cockpit."""
    if not permissions.cockpit.may_see_cockpit(access):
        return None
    return {
        "items": queries.top_actions(access),
        "queue_url": reverse("nextactions:queue", kwargs={"slug": access.community.slug}),
    }


sections.register(
    "community.landing.animate",
    name="nextactions",
    template="communities/_animate_links.html",
    order=20,
    load=next_actions_link,
)
sections.register(
    "analytics.cockpit.overview",
    name="top_actions",
    template="nextactions/_top.html",
    order=10,
    load=top_actions,
)
