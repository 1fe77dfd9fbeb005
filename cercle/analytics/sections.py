"""The way to the cockpit on the community's landing page (cercle/sections.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cercle import permissions, sections


def cockpit_link(access: permissions.CommunityAccess) -> Mapping[str, Any] | None:
    """For those who see the cockpit (no query)."""
    return {} if permissions.cockpit.may_see_cockpit(access) else None


sections.register(
    "community.landing.aside",
    name="cockpit",
    template="analytics/_landing_box.html",
    order=70,
    load=cockpit_link,
)
