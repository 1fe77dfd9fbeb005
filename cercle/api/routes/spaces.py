"""/communities/{slug}/spaces: the spaces of a community the caller may read
(`permissions.readable_spaces`, as the landing page and the navigation list them),
and one of them (`permissions.space_for`: a 404 for a space the caller may not read,
whether it exists or not), with the address where you may start a topic in it by
email, if any."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from cercle import permissions
from cercle.api.caller import Scope
from cercle.api.pagination import Page, cursor_page
from cercle.api.problems import ERRORS
from cercle.api.routes.community_kit import CommunityRef, absolute, community_ref, need
from cercle.communities.models import Space
from cercle.mailin import queries as mail_queries
from cercle.people import actions as people_actions

router = Router(tags=["spaces"])


class SpaceOut(Schema):
    id: int
    slug: str
    name: str
    description: str
    is_private: bool
    is_default: bool
    position: int
    created_at: datetime
    url: str


class SpaceCan(Schema):
    post: bool
    moderate: bool
    manage: bool
    follow: bool


class SpaceDetailOut(SpaceOut):
    community: CommunityRef
    following: bool
    can: SpaceCan
    email: str | None = Field(
        description="The address where you may start a topic here by email (its subject "
        "becomes the title), while the space takes new topics by email; else null."
    )
    email_starts: str | None = Field(
        description="The kind of topic a message to `email` starts: discussion, question or "
        "announcement; null with `email`."
    )


def _space_out(space: Space) -> SpaceOut:
    return SpaceOut(**_fields(space))


def _fields(space: Space) -> dict[str, Any]:
    return {
        "id": space.pk,
        "slug": space.slug,
        "name": space.name,
        "description": space.description,
        "is_private": space.is_private,
        "is_default": space.is_default,
        "position": space.position,
        "created_at": space.created_at,
        "url": absolute(space.get_absolute_url()),
    }


@router.get(
    "/{slug}/spaces",
    response={200: Page[SpaceOut], **ERRORS},
    summary="List the spaces you may read",
)
def list_spaces(
    request: HttpRequest,
    slug: str,
    private: bool | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[SpaceOut]:
    """The community's spaces you may read, in their order; `private` keeps the
    private (true) or open (false) ones. Empty when you may see the community's
    landing page but not read its spaces."""
    person = need(request, Scope.READ)
    community, access = permissions.community_for(person, slug)
    spaces = permissions.readable_spaces(access)
    if private is not None:
        spaces = spaces.filter(is_private=private)
    rows, next_cursor = cursor_page(
        spaces, ordering=("position", "name", "pk"), cursor=cursor, limit=limit
    )
    for row in rows:
        row.community = community
    return Page[SpaceOut](items=[_space_out(row) for row in rows], next_cursor=next_cursor)


@router.get(
    "/{slug}/spaces/{space_slug}", response={200: SpaceDetailOut, **ERRORS}, summary="One space"
)
def space_detail(request: HttpRequest, slug: str, space_slug: str) -> SpaceDetailOut:
    person = need(request, Scope.READ)
    space, access = permissions.space_for(person, slug, space_slug)
    may_follow = permissions.people.may_follow_in(access, space)
    email, email_starts = mail_queries.space_email_for(access, space) or (None, None)
    return SpaceDetailOut(
        **_fields(space),
        community=community_ref(space.community),
        following=people_actions.is_following(person, space),
        can=SpaceCan(
            post=access.may_post(space),
            moderate=access.may_moderate(space),
            manage=access.may_manage(space),
            follow=may_follow,
        ),
        email=email,
        email_starts=email_starts,
    )
