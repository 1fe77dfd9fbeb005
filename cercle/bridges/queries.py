"""What the bridges page shows: a community's bridges, each with its last sends."""

from __future__ import annotations

from django.db.models import Prefetch

from cercle.bridges.models import Bridge, BridgePost
from cercle.communities.models import Community

RECENT_POSTS = 5


def bridges_of(community: Community) -> list[Bridge]:
    """The community's bridges with their space, tag, creator and `recent_posts`
    (the last few sends), in a fixed number of queries whatever their number."""
    recent = BridgePost.objects.order_by("-created_at", "-pk")
    return list(
        Bridge.objects.filter(community=community)
        .select_related("space", "tag", "created_by")
        .prefetch_related(Prefetch("posts", queryset=recent[:RECENT_POSTS], to_attr="recent_posts"))
    )


def bridge_for(community: Community, pk: int) -> Bridge | None:
    return (
        Bridge.objects.filter(community=community, pk=pk)
        .select_related("community", "space", "tag", "created_by")
        .first()
    )
