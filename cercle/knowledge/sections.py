"""What is new in the library, on the community's landing page (cercle/sections.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cercle import permissions, sections
from cercle.knowledge.models import Resource
from cercle.knowledge.queries import readable_collections

LANDING_SHOWN = 4


def new_in_library(access: permissions.CommunityAccess) -> Mapping[str, Any] | None:
    """The resources added last to collections the reader reads (one query); with none
    yet, what the library is for, to members who may start it."""
    if not access.reads_open_spaces():
        return None
    resources = list(
        Resource.objects.filter(collection__in=readable_collections(access).values("pk"))
        .select_related("collection", "added_by__profile")
        .order_by("-created_at", "-pk")[:LANDING_SHOWN]
    )
    for resource in resources:
        resource.collection.community = access.community
    if not resources and not access.may_post():
        return None
    return {"resources": resources}


sections.register(
    "community.landing.main",
    name="library",
    template="knowledge/_landing.html",
    order=35,
    load=new_in_library,
)
