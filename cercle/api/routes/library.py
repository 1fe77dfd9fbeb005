"""The library: collections (each follows its space: `queries.readable_collections`)
and their resources, read as the library pages read them; a link or a note added
through the same actions (`do_add_link`, `do_add_note`: those who may post in the
collection's space)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from cercle.api.caller import Scope
from cercle.api.pagination import Page, cursor_page
from cercle.api.problems import ERRORS, ApiError
from cercle.api.routes.content import (
    AuthorOut,
    ContentSpace,
    caller_for,
    community_of,
    person_out,
    space_ref,
)
from cercle.knowledge import actions, queries
from cercle.knowledge.models import Collection, Resource

router = Router(tags=["library"])


class CollectionOut(Schema):
    id: int
    slug: str
    title: str
    description: str
    space: ContentSpace
    # The parent collection's address, for a sub-collection.
    parent: str | None = None
    created_at: datetime
    url: str


def collection_out(request: HttpRequest, collection: Collection) -> CollectionOut:
    return CollectionOut(
        id=collection.pk,
        slug=collection.slug,
        title=collection.title,
        description=collection.description,
        space=space_ref(collection.space),
        parent=collection.parent.slug if collection.parent_id and collection.parent else None,
        created_at=collection.created_at,
        url=request.build_absolute_uri(collection.get_absolute_url()),
    )


@router.get(
    "/communities/{slug}/library/collections",
    response={200: Page[CollectionOut], **ERRORS},
    summary="The library's collections",
)
def list_collections(
    request: HttpRequest, slug: str, cursor: str | None = None, limit: int = 25
) -> Page[CollectionOut]:
    caller = caller_for(request, Scope.READ)
    community, access = community_of(caller, slug)
    found, next_cursor = cursor_page(
        queries.readable_collections(access).select_related("parent"),
        ordering=("position", "pk"),
        cursor=cursor,
        limit=limit,
    )
    for collection in found:
        collection.community = community
    return Page[CollectionOut](
        items=[collection_out(request, c) for c in found], next_cursor=next_cursor
    )


@router.get(
    "/communities/{slug}/library/collections/{collection}",
    response={200: CollectionOut, **ERRORS},
    summary="A collection",
)
def get_collection(request: HttpRequest, slug: str, collection: str) -> CollectionOut:
    caller = caller_for(request, Scope.READ)
    found, _access = queries.collection_for(caller.person, slug, collection)
    return collection_out(request, found)


class ResourceOut(Schema):
    id: int
    collection: str
    kind: Literal["link", "file", "note"]
    title: str
    url: str
    excerpt: str
    # A note's Markdown and its HTML.
    note: str
    note_html: str
    tags: list[str]
    added_by: AuthorOut
    created_at: datetime
    page_url: str


def resource_out(request: HttpRequest, resource: Resource) -> ResourceOut:
    return ResourceOut(
        id=resource.pk,
        collection=resource.collection.slug,
        kind=resource.kind,  # type: ignore[arg-type]
        title=resource.title,
        url=resource.url,
        excerpt=resource.excerpt,
        note=resource.note,
        note_html=resource.note_html,
        tags=[tag.slug for tag in resource.tags.all()],
        added_by=person_out(resource.added_by),
        created_at=resource.created_at,
        page_url=request.build_absolute_uri(resource.get_absolute_url()),
    )


@router.get(
    "/communities/{slug}/library/collections/{collection}/resources",
    response={200: Page[ResourceOut], **ERRORS},
    summary="A collection's resources, in its order",
)
def list_resources(
    request: HttpRequest,
    slug: str,
    collection: str,
    cursor: str | None = None,
    limit: int = 25,
) -> Page[ResourceOut]:
    caller = caller_for(request, Scope.READ)
    found_collection, _access = queries.collection_for(caller.person, slug, collection)
    resources = (
        Resource.objects.filter(collection=found_collection)
        .select_related("added_by")
        .prefetch_related("tags")
    )
    found, next_cursor = cursor_page(
        resources, ordering=("position", "pk"), cursor=cursor, limit=limit
    )
    for resource in found:
        resource.collection = found_collection
    return Page[ResourceOut](
        items=[resource_out(request, r) for r in found], next_cursor=next_cursor
    )


@router.get(
    "/communities/{slug}/library/resources/{resource_id}",
    response={200: ResourceOut, **ERRORS},
    summary="A resource",
)
def get_resource(request: HttpRequest, slug: str, resource_id: int) -> ResourceOut:
    caller = caller_for(request, Scope.READ)
    resource, _access = queries.resource_for(caller.person, slug, resource_id)
    return resource_out(request, resource)


class ResourceIn(Schema):
    kind: Literal["link", "note"]
    title: str = ""
    # A link's address (kind "link").
    url: str = ""
    excerpt: str = ""
    # A note's Markdown (kind "note").
    note: str = ""
    # Tags of the community's vocabulary, by address.
    tags: list[str] = []


@router.post(
    "/communities/{slug}/library/collections/{collection}/resources",
    response={201: ResourceOut, **ERRORS},
    summary="Add a link or a note to a collection",
)
def create_resource(
    request: HttpRequest, slug: str, collection: str, data: ResourceIn
) -> Status[ResourceOut]:
    caller = caller_for(request, Scope.WRITE)
    found, access = queries.collection_for(caller.person, slug, collection)
    if not access.may_post(found.space):
        raise ApiError(403, _("You may not do this here."))
    if data.kind == "link":
        resource = actions.do_add_link(
            caller.person,
            found,
            url=data.url,
            title=data.title,
            excerpt=data.excerpt,
            tags=data.tags,
        )
    else:
        resource = actions.do_add_note(
            caller.person, found, title=data.title, note=data.note, tags=data.tags
        )
    resource.collection = found
    return Status(201, resource_out(request, resource))
