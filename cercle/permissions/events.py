"""Events: who is going, and whether a community has a public calendar feed.

Each question takes the person's `CommunityAccess` (the core) and the object."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser

from cercle.permissions.core import CommunityAccess, community_access

if TYPE_CHECKING:
    from cercle.communities.models import Community, Space


def may_see_guest_list(access: CommunityAccess, space: Space) -> bool:
    """Who is going to an event: seen by the members who read its space (visitors
    of a public community see how many, not who)."""
    return access.is_member and access.reads(space)


def has_public_feed(community: Community) -> bool:
    """Whether the community's public calendar feed shows anything: what an anonymous
    visitor may read (an internal or members-only community has none). Asked about the
    community, never about the person looking at the page."""
    return community_access(AnonymousUser(), community).reads_open_spaces()
