"""/follows: what the caller follows (people, topics, spaces, tags), following
something (`do_follow`, which refuses what one may not read: a 404) and no longer
following it (`do_unfollow`).

The list shows only what the caller may still see: a topic in a space they no longer
read, or a person they may no longer see, is left out (the follow itself stays, as
on the pages, and counts again if access comes back)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.db.models import Q
from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status

from cercle import permissions
from cercle.accounts.models import User
from cercle.api.caller import Scope
from cercle.api.pagination import Page, cursor_page
from cercle.api.problems import ERRORS
from cercle.api.routes.community_kit import (
    CommunityRef,
    PersonRef,
    absolute,
    community_ref,
    need,
    person_ref,
)
from cercle.communities.models import Space
from cercle.conversations.models import Tag, Topic
from cercle.people import actions
from cercle.people.models import Follow

router = Router(tags=["follows"])

Kind = Literal["person", "topic", "space", "tag"]


class FollowedTopic(Schema):
    id: int
    title: str
    community: CommunityRef
    url: str


class FollowedSpace(Schema):
    slug: str
    name: str
    community: CommunityRef
    url: str


class FollowedTag(Schema):
    slug: str
    name: str
    community: CommunityRef


class FollowOut(Schema):
    id: int
    kind: Kind
    created_at: datetime
    # Exactly one of these is set, as `kind` says.
    person: PersonRef | None = None
    topic: FollowedTopic | None = None
    space: FollowedSpace | None = None
    tag: FollowedTag | None = None


class FollowIn(Schema):
    kind: Kind
    id: int  # the person's, topic's, space's or tag's id


def _out(follow: Follow) -> FollowOut:
    out = FollowOut(id=follow.pk, kind="person", created_at=follow.created_at)
    if follow.person is not None:
        out.person = person_ref(follow.person)
    elif follow.topic is not None:
        out.kind = "topic"
        topic = follow.topic
        out.topic = FollowedTopic(
            id=topic.pk,
            title=topic.title,
            community=community_ref(topic.community),
            url=absolute(topic.get_absolute_url()),
        )
    elif follow.space is not None:
        out.kind = "space"
        space = follow.space
        out.space = FollowedSpace(
            slug=space.slug,
            name=space.name,
            community=community_ref(space.community),
            url=absolute(space.get_absolute_url()),
        )
    elif follow.tag is not None:
        out.kind = "tag"
        tag = follow.tag
        out.tag = FollowedTag(slug=tag.slug, name=tag.name, community=community_ref(tag.community))
    return out


def _still_visible(person: User) -> Q:
    """The follows whose target the person may still see: the same rules as
    `permissions.people.may_follow`, as one filter."""
    readable = permissions.readable_spaces_everywhere(person)
    return (
        (Q(person__isnull=False) & permissions.visible_people(person, "person__"))
        | Q(topic__space__in=readable.values("pk"), topic__is_hidden=False)
        | Q(space__in=readable.values("pk"))
        | Q(tag__community_id__in=readable.filter(is_private=False).values("community_id"))
    )


@router.get("", response={200: Page[FollowOut], **ERRORS}, summary="List what you follow")
def list_follows(
    request: HttpRequest,
    kind: Kind | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[FollowOut]:
    """What you follow and may still see, newest first; `kind` keeps one kind."""
    person = need(request, Scope.READ)
    follows = (
        Follow.objects.filter(follower=person)
        .filter(_still_visible(person))
        .select_related(
            "person",
            "topic__community",
            "topic__space",
            "space__community",
            "tag__community",
        )
    )
    if kind is not None:
        follows = follows.filter(**{f"{kind}__isnull": False})
    rows, next_cursor = cursor_page(
        follows, ordering=("-created_at", "-pk"), cursor=cursor, limit=limit
    )
    return Page[FollowOut](items=[_out(row) for row in rows], next_cursor=next_cursor)


def _target(kind: str, target_id: int) -> actions.Target:
    """What the follow page's button names (`people.views._target`), or a 404."""
    found: actions.Target | None
    if kind == "person":
        found = User.objects.filter(pk=target_id, is_active=True).first()
    elif kind == "topic":
        found = (
            Topic.objects.select_related("space__community", "community")
            .filter(pk=target_id)
            .first()
        )
    elif kind == "space":
        found = Space.objects.select_related("community").filter(pk=target_id).first()
    else:
        found = Tag.objects.select_related("community").filter(pk=target_id).first()
    if found is None:
        raise Http404
    return found


@router.post(
    "", response={201: FollowOut, **ERRORS}, summary="Follow a person, topic, space or tag"
)
def follow(request: HttpRequest, body: FollowIn) -> Status[FollowOut]:
    """Follow what you may see (a 404 otherwise, whether it exists or not); following
    it twice is refused (422)."""
    person = need(request, Scope.WRITE)
    target = _target(body.kind, body.id)
    created = actions.do_follow(person, target)
    setattr(created, body.kind, target)
    return Status(201, _out(created))


@router.delete("/{follow_id}", response={204: None, **ERRORS}, summary="No longer follow")
def unfollow(request: HttpRequest, follow_id: int) -> Status[None]:
    """Stop following (the follow's id, from the list); someone else's is a 404."""
    person = need(request, Scope.WRITE)
    found = (
        Follow.objects.filter(pk=follow_id, follower=person)
        .select_related("person", "topic", "space", "tag")
        .first()
    )
    if found is None:
        raise Http404
    target = found.person or found.topic or found.space or found.tag
    if target is None:  # pragma: no cover - the table's constraint: exactly one is set
        raise Http404
    actions.do_unfollow(person, target)
    return Status(204, None)
