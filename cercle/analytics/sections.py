"""The way to the cockpit on the community's landing page (cercle/sections.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from cercle import permissions, sections


def cockpit_link(access: permissions.CommunityAccess) -> Mapping[str, Any] | None:
    """For those who see the cockpit, first in the "Animate" card (no query)."""
    if not permissions.cockpit.may_see_cockpit(access):
        return None
    url = reverse("analytics:cockpit", kwargs={"slug": access.community.slug})
    return {"links": [sections.Link(_("Cockpit"), url, "gauge", _("How the community lives"))]}


sections.register(
    "community.landing.animate",
    name="cockpit",
    template="communities/_animate_links.html",
    order=10,
    load=cockpit_link,
)
