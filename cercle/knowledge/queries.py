"""Reads of the library that pages (and later the API) share; each one answers only
with what the reader may read (a collection follows its space)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q, QuerySet
from django.http import Http404

from cercle import permissions
from cercle.communities.models import Community
from cercle.knowledge.models import Collection, Resource
from cercle.notifications.digest import DigestItem

# How many new collections and resources a digest lists.
DIGEST_SHOWN = 8


@dataclass
class Node:
    collection: Collection
    children: list[Node] = field(default_factory=list)


def readable_collections(access: permissions.CommunityAccess) -> QuerySet[Collection]:
    return Collection.objects.filter(
        community=access.community, space__in=permissions.readable_spaces(access)
    ).select_related("space")


def digest_items(
    access: permissions.CommunityAccess, start: datetime, end: datetime
) -> list[DigestItem]:
    """The digest's "New in the library" (registered in `KnowledgeConfig.ready`): the
    collections created and the resources added in the period, newest first, only in
    collections whose space the member reads."""
    readable = readable_collections(access)
    collections = (
        readable.filter(created_at__gte=start, created_at__lt=end)
        .select_related("community")
        .order_by("-created_at", "-pk")[:DIGEST_SHOWN]
    )
    resources = (
        Resource.objects.filter(
            collection__in=readable.values("pk"), created_at__gte=start, created_at__lt=end
        )
        .select_related("collection__community")
        .order_by("-created_at", "-pk")[:DIGEST_SHOWN]
    )
    found: list[tuple[datetime, DigestItem]] = [
        (collection.created_at, DigestItem(collection.title, collection.get_absolute_url()))
        for collection in collections
    ]
    found += [
        (
            resource.created_at,
            DigestItem(resource.title, resource.get_absolute_url(), resource.collection.title),
        )
        for resource in resources
    ]
    found.sort(key=lambda pair: pair[0], reverse=True)
    return [item for _moment, item in found[:DIGEST_SHOWN]]


def tree(collections: list[Collection]) -> list[Node]:
    """Collections as a tree; a collection whose parent is unreadable is left out."""
    nodes = {c.pk: Node(c) for c in collections}
    roots: list[Node] = []
    for collection in collections:
        node = nodes[collection.pk]
        if collection.parent_id is None:
            roots.append(node)
        elif collection.parent_id in nodes:
            nodes[collection.parent_id].children.append(node)
    return roots


def library(
    actor: permissions.Actor, slug: str
) -> tuple[Community, permissions.CommunityAccess, list[Node]]:
    community, access = permissions.community_for(actor, slug)
    if not access.reads_open_spaces():
        raise Http404
    collections = list(readable_collections(access))
    for collection in collections:
        collection.community = community
    return community, access, tree(collections)


def collection_for(
    actor: permissions.Actor, slug: str, collection_slug: str
) -> tuple[Collection, permissions.CommunityAccess]:
    """A collection the actor may read, or a 404 that does not tell whether it exists."""
    community, access = permissions.community_for(actor, slug)
    collection = (
        Collection.objects.filter(community=community, slug=collection_slug)
        .select_related("space", "parent")
        .first()
    )
    if collection is None or not access.reads(collection.space):
        raise Http404
    collection.community = community
    collection.space.community = community
    return collection, access


def resource_for(
    actor: permissions.Actor, slug: str, pk: int
) -> tuple[Resource, permissions.CommunityAccess]:
    community, access = permissions.community_for(actor, slug)
    resource = (
        Resource.objects.filter(collection__community=community, pk=pk)
        .select_related("collection__space", "added_by")
        .first()
    )
    if resource is None or not access.reads(resource.collection.space):
        raise Http404
    resource.collection.community = community
    resource.collection.space.community = community
    return resource, access


def related_collections(actor: permissions.Actor, collection: Collection) -> list[Collection]:
    """Related collections, in any community, whose space the reader may read."""
    readable = permissions.readable_spaces_everywhere(actor)
    return list(collection.related.filter(space__in=readable).select_related("community", "space"))


MAX_RELATABLE = 50


def relatable_collections(
    actor: permissions.Actor, collection: Collection, words: str = ""
) -> tuple[list[Collection], bool]:
    """Collections, in any community, that `collection` could be related to: those whose
    space the actor reads, not already related, whose title (or community's name)
    contains `words`; at most MAX_RELATABLE, and whether more were left out."""
    readable = permissions.readable_spaces_everywhere(actor)
    candidates = (
        Collection.objects.filter(space__in=readable)
        .exclude(pk=collection.pk)
        .exclude(pk__in=collection.related.values("pk"))
        .select_related("community", "space")
        .order_by("community__name", "community_id", "title", "pk")
    )
    words = " ".join(words.split())[:100]
    if words:
        matching = Q(title__icontains=words) | Q(community__name__icontains=words)
        candidates = candidates.filter(matching)
    found = list(candidates[: MAX_RELATABLE + 1])
    return found[:MAX_RELATABLE], len(found) > MAX_RELATABLE
