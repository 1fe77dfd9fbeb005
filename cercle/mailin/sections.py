"""Mail in on other apps' pages (cercle/sections.py): below a space's links, the
address where the reader may start a topic there by email."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cercle import permissions, sections
from cercle.communities.models import Space
from cercle.mailin import queries


def space_email(access: permissions.CommunityAccess, space: Space) -> Mapping[str, Any] | None:
    """The space's address, for a reader who may start a topic there by email (one
    query for a member: `queries.space_email_for`)."""
    found = queries.space_email_for(access, space)
    if found is None:
        return None
    address, kind = found
    return {"address": address, "kind": kind, "space": space}


sections.register(
    "conversations.space.about",
    name="email",
    template="mailin/_space_email.html",
    order=10,
    load=space_email,
)
