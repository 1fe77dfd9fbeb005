"""Reads of the idea board; every one is filtered through `cercle.permissions`: an
idea is seen by those who read its space."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from cercle import permissions
from cercle.communities.models import Community, Space
from cercle.ideas.models import Idea, IdeaDecision, IdeaStatus, IdeaVote

Actor = permissions.Actor
SORTS = ("votes", "newest")


def board(
    access: permissions.CommunityAccess, *, status: str = "", sort: str = "votes"
) -> QuerySet[Idea]:
    """The ideas of the community's spaces the reader reads, with `voted` for a member."""
    ideas = Idea.objects.filter(
        community=access.community, space__in=permissions.readable_spaces(access)
    ).select_related("author", "space", "community")
    if status in IdeaStatus.values:
        ideas = ideas.filter(status=status)
    if access.actor.is_authenticated:
        ideas = ideas.annotate(
            voted=Exists(IdeaVote.objects.filter(idea=OuterRef("pk"), person_id=access.actor.pk))
        )
    if sort == "newest":
        return ideas.order_by("-created_at", "-pk")
    return ideas.order_by("-vote_count", "-created_at", "-pk")


def proposable_spaces(access: permissions.CommunityAccess) -> list[Space]:
    """The spaces where the actor may propose an idea."""
    if not access.is_member:
        return []
    return [space for space in permissions.readable_spaces(access) if access.may_take_part(space)]


@dataclass
class IdeaPage:
    idea: Idea
    community: Community
    access: permissions.CommunityAccess
    decisions: list[IdeaDecision]
    voted: bool
    may_vote: bool
    may_decide: bool
    # The reader proposed it (their support is counted already).
    is_mine: bool = False


def idea_for(actor: Actor, slug: str, pk: int) -> tuple[Idea, permissions.CommunityAccess]:
    """An idea whose space the actor reads, or a 404 that does not tell whether it exists."""
    community, access = permissions.community_for(actor, slug)
    idea = Idea.objects.select_related("space", "author").filter(pk=pk, community=community).first()
    if idea is None or not access.reads(idea.space):
        raise Http404
    idea.community = community
    idea.space.community = community
    return idea, access


def idea_page(actor: Actor, slug: str, pk: int) -> IdeaPage:
    idea, access = idea_for(actor, slug, pk)
    voted = bool(
        actor.is_authenticated and IdeaVote.objects.filter(idea=idea, person_id=actor.pk).exists()
    )
    return IdeaPage(
        idea=idea,
        community=idea.community,
        access=access,
        decisions=list(idea.decisions.select_related("decided_by").order_by("created_at", "pk")),
        voted=voted,
        may_vote=permissions.ideas.may_vote_for_idea(access, idea),
        may_decide=permissions.ideas.may_decide_idea(access, idea),
        is_mine=actor.is_authenticated and idea.author_id == actor.pk,
    )


def landing_summary(access: permissions.CommunityAccess, limit: int = 3) -> list[Idea]:
    """The most voted open ideas, for the community's landing page."""
    if not access.reads_open_spaces():
        return []
    return list(
        Idea.objects.filter(
            community=access.community,
            space__in=permissions.readable_spaces(access),
            status__in=[IdeaStatus.NEW, IdeaStatus.DISCUSSION],
        )
        .select_related("community")
        .order_by("-vote_count", "-created_at")[:limit]
    )
