"""A community's tags: its curated vocabulary, read by those who read the community
and curated (created, deleted) by those the permissions package lets
(`permissions.conversations.may_curate_tags`: its coordinators, and staff)."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from cercle import permissions
from cercle.api.caller import Caller, Scope
from cercle.api.pagination import Page, cursor_page
from cercle.api.problems import ERRORS, ApiError
from cercle.api.routes.content import caller_for, community_of
from cercle.conversations import actions
from cercle.conversations.models import Tag

router = Router(tags=["tags"])


class TagOut(Schema):
    slug: str
    name: str
    description: str


def tag_out(tag: Tag) -> TagOut:
    return TagOut(slug=tag.slug, name=tag.name, description=tag.description)


@router.get(
    "/communities/{slug}/tags", response={200: Page[TagOut], **ERRORS}, summary="A community's tags"
)
def list_tags(
    request: HttpRequest, slug: str, cursor: str | None = None, limit: int = 100
) -> Page[TagOut]:
    caller = caller_for(request, Scope.READ)
    community, _access = community_of(caller, slug)
    found, next_cursor = cursor_page(
        Tag.objects.filter(community=community), ordering=("slug", "pk"), cursor=cursor, limit=limit
    )
    return Page[TagOut](items=[tag_out(tag) for tag in found], next_cursor=next_cursor)


class TagIn(Schema):
    name: str
    description: str = ""


def _curator(request: HttpRequest, slug: str) -> tuple[Caller, permissions.CommunityAccess]:
    caller = caller_for(request, Scope.WRITE)
    _community, access = community_of(caller, slug, content=False)
    if not permissions.conversations.may_curate_tags(access):
        raise ApiError(403, _("You may not do this here."))
    return caller, access


@router.post("/communities/{slug}/tags", response={201: TagOut, **ERRORS}, summary="Add a tag")
def create_tag(request: HttpRequest, slug: str, data: TagIn) -> Status[TagOut]:
    caller, access = _curator(request, slug)
    tag = actions.do_create_tag(
        caller.person,
        access.community,
        name=data.name,
        description=data.description,
    )
    return Status(201, tag_out(tag))


@router.delete(
    "/communities/{slug}/tags/{tag}", response={204: None, **ERRORS}, summary="Delete a tag"
)
def delete_tag(request: HttpRequest, slug: str, tag: str) -> Status[None]:
    caller, access = _curator(request, slug)
    found = Tag.objects.filter(community=access.community, slug=tag).first()
    if found is None:
        raise Http404
    found.community = access.community
    actions.do_delete_tag(caller.person, found)
    return Status(204, None)
