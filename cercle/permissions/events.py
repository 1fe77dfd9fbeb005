"""Events: who is going.

Each question takes the person's `CommunityAccess` (the core) and the object."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cercle.permissions.core import CommunityAccess

if TYPE_CHECKING:
    from cercle.communities.models import Space


def may_see_guest_list(access: CommunityAccess, space: Space) -> bool:
    """Who is going to an event: seen by the members who read its space (visitors
    of a public community see how many, not who)."""
    return access.is_member and access.reads(space)
