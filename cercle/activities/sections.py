"""The open activities on the community's landing page (cercle/sections.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from cercle import permissions, sections
from cercle.activities import queries


def open_activities(access: permissions.CommunityAccess) -> Mapping[str, Any] | None:
    """Up to three open polls, quizzes and challenges the reader may see."""
    entries = queries.open_activities(access, limit=3)
    return {"entries": entries} if entries else None


def activity_links(access: permissions.CommunityAccess) -> Mapping[str, Any] | None:
    """A new poll, quiz or challenge, in the "Animate" card (no query)."""
    if not access.may_animate():
        return None
    slug = access.community.slug
    return {
        "links": [
            sections.Link(
                _("New poll"), reverse("activities:new_poll", kwargs={"slug": slug}), "vote"
            ),
            sections.Link(
                _("New quiz"),
                reverse("activities:new_quiz", kwargs={"slug": slug}),
                "graduation-cap",
            ),
            sections.Link(
                _("New challenge"),
                reverse("activities:new_challenge", kwargs={"slug": slug}),
                "target",
            ),
        ]
    }


sections.register(
    "community.landing.main",
    name="activities",
    template="activities/_landing.html",
    order=20,
    load=open_activities,
)
sections.register(
    "community.landing.animate",
    name="activities",
    template="communities/_animate_links.html",
    order=60,
    load=activity_links,
)
