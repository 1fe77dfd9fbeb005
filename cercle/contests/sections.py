"""The contests' section of the community's landing page (cercle/sections.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cercle import permissions, sections
from cercle.contests import queries


def current_contests(access: permissions.CommunityAccess) -> Mapping[str, Any] | None:
    """Contests taking entries or votes now that the reader may see (one query)."""
    now = timezone.now()
    contests = queries.running(access, now) if access.reads_open_spaces() else []
    if not contests:
        return None
    return {"contests": [(contest, contest.phase(now)) for contest in contests]}


def contest_link(access: permissions.CommunityAccess) -> Mapping[str, Any] | None:
    """A new contest, in the "Animate" card (no query)."""
    if not access.may_animate():
        return None
    url = reverse("contests:new", kwargs={"slug": access.community.slug})
    return {"links": [sections.Link(_("New contest"), url, "trophy")]}


sections.register(
    "community.landing.main",
    name="contests",
    template="contests/_landing.html",
    order=30,
    load=current_contests,
)
sections.register(
    "community.landing.animate",
    name="contests",
    template="communities/_animate_links.html",
    order=70,
    load=contest_link,
)
