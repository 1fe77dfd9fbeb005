"""Who manages a community's chat bridges, and what a bridge may carry (docs/api.md).

Only the community's coordinators connect, change, test or remove its bridges: a
bridge speaks for the community in a chat outside Cercle. What a bridge posts is
decided message by message by the same question webhooks ask (whether the bridge's
creator may read the subject, `cercle.webhooks.subjects`): a bridge whose creator is
gone, or no longer reads a space, posts nothing from it. A bridge on a private space
posts into a chat whose members may not be the space's: its creator must say so when
connecting it (`needs_confirmation`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cercle.communities.models import Space
    from cercle.permissions.core import CommunityAccess


def may_manage_bridges(access: CommunityAccess) -> bool:
    return access.is_coordinator


def may_connect(access: CommunityAccess, space: Space | None) -> bool:
    """Connect a bridge to `space` (None: the whole community): a coordinator who reads
    it (coordinators read every space of their community)."""
    return may_manage_bridges(access) and (space is None or access.reads(space))


def needs_confirmation(space: Space | None) -> bool:
    """Whether connecting a bridge to `space` needs its creator's explicit consent: a
    private space's news leaves for a chat Cercle does not know the members of."""
    return space is not None and space.is_private


def carries_space(bridge_space: Space | None, space: Space | None) -> bool:
    """Whether a bridge connected to `bridge_space` (None: the whole community, or a
    tag) may carry news from `space`: a private space's news only through a bridge
    connected to that very space, confirmed by its creator; an open space's through
    any bridge of the community."""
    if space is None or not space.is_private:
        return True
    return bridge_space is not None and bridge_space.pk == space.pk
