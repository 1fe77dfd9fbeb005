"""Reactions on posts (thanks, helpful, agree, idea, well done): added and taken back
through the topic page's own action (`do_toggle_reaction`), asked first whether the
caller may react (`permissions.conversations.may_react`: not on one's own post)."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from cercle import permissions
from cercle.api.caller import Scope
from cercle.api.problems import ERRORS, ApiError
from cercle.api.routes.content import caller_for
from cercle.api.routes.posts import post_of
from cercle.conversations import actions, queries
from cercle.conversations.models import Post, Reaction

router = Router(tags=["reactions"])

ReactionKindName = Literal["thanks", "helpful", "agree", "idea", "celebrate"]


class ReactionsOut(Schema):
    post_id: int
    # How many of each kind the post has (kinds nobody used are left out).
    reactions: dict[str, int]
    # The caller's own.
    mine: list[str]


def _state(post: Post, access: permissions.CommunityAccess) -> ReactionsOut:
    view = queries.post_view(access.actor, post, access)
    return ReactionsOut(
        post_id=post.pk,
        reactions={kind: count for kind, count in view.reactions.items() if count},
        mine=sorted(view.mine),
    )


def _set(request: HttpRequest, post_id: int, kind: str, wanted: bool) -> ReactionsOut:
    caller = caller_for(request, Scope.WRITE)
    post, access = post_of(caller.person, post_id)
    if not permissions.conversations.may_react(access, post, post.topic.space):
        raise ApiError(403, _("You may not do this here."))
    there = Reaction.objects.filter(post=post, person=caller.person, kind=kind).exists()
    if there != wanted:
        # The page's toggle: it adds what is missing, takes back what is there.
        actions.do_toggle_reaction(caller.person, post, kind)
    return _state(post, access)


@router.put(
    "/posts/{post_id}/reactions/{kind}",
    response={200: ReactionsOut, **ERRORS},
    summary="React to a post (nothing changes if the reaction is there)",
)
def add_reaction(request: HttpRequest, post_id: int, kind: ReactionKindName) -> ReactionsOut:
    return _set(request, post_id, kind, True)


@router.delete(
    "/posts/{post_id}/reactions/{kind}",
    response={200: ReactionsOut, **ERRORS},
    summary="Take a reaction back",
)
def remove_reaction(request: HttpRequest, post_id: int, kind: ReactionKindName) -> ReactionsOut:
    return _set(request, post_id, kind, False)
