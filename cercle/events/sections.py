"""The events' section of the community's landing page (cercle/sections.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cercle import permissions, sections
from cercle.events import queries


def upcoming_events(access: permissions.CommunityAccess) -> Mapping[str, Any] | None:
    """The next events the reader may see (one query), or a word that none is planned
    for those who read the community."""
    if not access.reads_open_spaces():
        return None
    return {"events": queries.landing_events(access)}


sections.register(
    "community.landing.main",
    name="events",
    template="events/_landing.html",
    order=10,
    load=upcoming_events,
)
