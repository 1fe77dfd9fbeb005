"""The library: collections and resources.

Each question takes the person's `CommunityAccess` (the core) and the object."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cercle.permissions.core import CommunityAccess

if TYPE_CHECKING:
    from cercle.communities.models import Space


def may_edit_library_item(access: CommunityAccess, space: Space, creator_id: int | None) -> bool:
    """Collections and resources: their creator while they may post in the space;
    the space's managers otherwise."""
    own = creator_id is not None and creator_id == access.actor.pk
    return (own and access.may_post(space)) or (access.reads(space) and access.may_manage(space))
