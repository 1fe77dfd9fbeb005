"""The landing page's link to the community's personas (cercle/sections.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cercle import permissions, sections
from cercle.personas import queries


def personas_on_landing(access: permissions.CommunityAccess) -> Mapping[str, Any] | None:
    """Who the community speaks through (one query); coordinators may create the first."""
    names = queries.names_on_landing(access.community)
    can = {"manage": permissions.personas.may_manage_personas(access)}
    if not names and not can["manage"]:
        return None
    return {"names": names, "can": can}


sections.register(
    "community.landing.aside",
    name="personas",
    template="personas/_landing.html",
    order=50,
    load=personas_on_landing,
)
