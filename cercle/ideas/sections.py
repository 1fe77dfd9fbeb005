"""The idea board on the community's landing page (cercle/sections.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cercle import permissions, sections
from cercle.ideas import queries


def idea_board(access: permissions.CommunityAccess) -> Mapping[str, Any] | None:
    """The most voted open ideas and a link to the board, for those who read the
    community's spaces (three ideas, one query)."""
    if not access.reads_open_spaces():
        return None
    return {"ideas": queries.landing_summary(access)}


sections.register(
    "community.landing.aside",
    name="ideas",
    template="ideas/_landing.html",
    order=40,
    load=idea_board,
)
