"""The idea board: ideas as its page lists them (`queries.board`: in the spaces the
caller reads, by votes or newest, by status), proposing one (`do_propose_idea`) and
voting for one or taking the vote back (`do_vote`, `do_unvote`; not for one's own
idea, nor a decided one: `permissions.ideas.may_vote_for_idea`)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from cercle import permissions
from cercle.api.caller import Scope
from cercle.api.pagination import Page, cursor_page
from cercle.api.problems import ERRORS, ApiError
from cercle.api.routes.content import (
    AuthorOut,
    ContentSpace,
    caller_for,
    community_of,
    person_out,
    space_of,
    space_ref,
)
from cercle.ideas import actions, queries
from cercle.ideas.models import Idea

router = Router(tags=["ideas"])

ORDERINGS: dict[str, tuple[str, ...]] = {
    "votes": ("-vote_count", "-created_at", "-pk"),
    "newest": ("-created_at", "-pk"),
}


class IdeaOut(Schema):
    id: int
    community: str
    space: ContentSpace
    title: str
    description: str
    description_html: str
    author: AuthorOut
    # new, discussion, adopted or declined.
    status: str
    vote_count: int
    # Whether the caller voted for it.
    voted: bool
    created_at: datetime
    url: str


def idea_out(request: HttpRequest, idea: Idea, voted: bool | None = None) -> IdeaOut:
    return IdeaOut(
        id=idea.pk,
        community=idea.community.slug,
        space=space_ref(idea.space),
        title=idea.title,
        description=idea.description,
        description_html=idea.description_html,
        author=person_out(idea.author),
        status=idea.status,
        vote_count=idea.vote_count,
        voted=bool(getattr(idea, "voted", False) if voted is None else voted),
        created_at=idea.created_at,
        url=request.build_absolute_uri(idea.get_absolute_url()),
    )


@router.get(
    "/communities/{slug}/ideas", response={200: Page[IdeaOut], **ERRORS}, summary="The idea board"
)
def list_ideas(
    request: HttpRequest,
    slug: str,
    status: str = "",
    sort: Literal["votes", "newest"] = "votes",
    cursor: str | None = None,
    limit: int = 25,
) -> Page[IdeaOut]:
    caller = caller_for(request, Scope.READ)
    community, access = community_of(caller, slug)
    found, next_cursor = cursor_page(
        queries.board(access, status=status, sort=sort),
        ordering=ORDERINGS[sort],
        cursor=cursor,
        limit=limit,
    )
    for idea in found:
        idea.community = community
    return Page[IdeaOut](items=[idea_out(request, idea) for idea in found], next_cursor=next_cursor)


class IdeaDetailOut(IdeaOut):
    may_vote: bool


def idea_detail(
    request: HttpRequest, caller_person: permissions.Actor, slug: str, pk: int
) -> IdeaDetailOut:
    page = queries.idea_page(caller_person, slug, pk)
    return IdeaDetailOut(
        **idea_out(request, page.idea, page.voted).model_dump(), may_vote=page.may_vote
    )


@router.get(
    "/communities/{slug}/ideas/{idea_id}",
    response={200: IdeaDetailOut, **ERRORS},
    summary="An idea",
)
def get_idea(request: HttpRequest, slug: str, idea_id: int) -> IdeaDetailOut:
    caller = caller_for(request, Scope.READ)
    return idea_detail(request, caller.person, slug, idea_id)


class IdeaIn(Schema):
    space: str
    title: str
    description: str = ""


@router.post(
    "/communities/{slug}/ideas", response={201: IdeaDetailOut, **ERRORS}, summary="Propose an idea"
)
def propose(request: HttpRequest, slug: str, data: IdeaIn) -> Status[IdeaDetailOut]:
    caller = caller_for(request, Scope.WRITE)
    _community, access = community_of(caller, slug)
    space = space_of(access, data.space)
    if not access.may_take_part(space):
        raise ApiError(403, _("You may not do this here."))
    idea = actions.do_propose_idea(
        caller.person, space, title=data.title, description=data.description
    )
    return Status(201, idea_detail(request, caller.person, slug, idea.pk))


def _vote(request: HttpRequest, slug: str, idea_id: int, *, wanted: bool) -> IdeaDetailOut:
    caller = caller_for(request, Scope.WRITE)
    idea, access = queries.idea_for(caller.person, slug, idea_id)
    if not access.may_take_part(idea.space):
        raise ApiError(403, _("You may not do this here."))
    # The rest (one's own idea, a decided one) is the action's to refuse, in its words:
    # `permissions.ideas.may_vote_for_idea`.
    if wanted:
        actions.do_vote(caller.person, idea)
    else:
        actions.do_unvote(caller.person, idea)
    return idea_detail(request, caller.person, slug, idea_id)


@router.put(
    "/communities/{slug}/ideas/{idea_id}/vote",
    response={200: IdeaDetailOut, **ERRORS},
    summary="Vote for an idea",
)
def vote(request: HttpRequest, slug: str, idea_id: int) -> IdeaDetailOut:
    return _vote(request, slug, idea_id, wanted=True)


@router.delete(
    "/communities/{slug}/ideas/{idea_id}/vote",
    response={200: IdeaDetailOut, **ERRORS},
    summary="Take one's vote back",
)
def unvote(request: HttpRequest, slug: str, idea_id: int) -> IdeaDetailOut:
    return _vote(request, slug, idea_id, wanted=False)
