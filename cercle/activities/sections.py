"""The open activities on the community's landing page (cercle/sections.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cercle import permissions, sections
from cercle.activities import queries


def open_activities(access: permissions.CommunityAccess) -> Mapping[str, Any] | None:
    """Up to three open polls, quizzes and challenges the reader may see."""
    entries = queries.open_activities(access, limit=3)
    return {"entries": entries} if entries else None


sections.register(
    "community.landing.main",
    name="activities",
    template="activities/_landing.html",
    order=20,
    load=open_activities,
)
