"""Reads that pages (and later the API) share; every one asks `cercle.permissions`."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from cercle import permissions
from cercle.accounts.models import User
from cercle.communities.models import (
    Audience,
    Community,
    Entry,
    Invitation,
    Membership,
    Role,
    Space,
    Status,
)
from cercle.ui import sections

Actor = permissions.Actor


def directory(
    actor: Actor, *, query: str = "", audience: str = "", entry: str = ""
) -> QuerySet[Community]:
    """Communities the actor may see, filtered, with their member counts."""
    communities = permissions.visible_communities(actor)
    if query:
        communities = communities.filter(Q(name__icontains=query) | Q(domain__icontains=query))
    if audience in Audience.values:
        communities = communities.filter(audience=audience)
    if entry in Entry.values:
        communities = communities.filter(entry=entry)
    return communities.annotate(
        member_count=Count("memberships", filter=Q(memberships__status=Status.ACTIVE))
    ).order_by("name")


def community_for(actor: Actor, slug: str) -> tuple[Community, permissions.CommunityAccess]:
    """The community at `slug` with the actor's access, or a 404 when they may not see it."""
    community = Community.objects.filter(slug=slug).first()
    if community is None:
        raise Http404
    access = permissions.community_access(actor, community)
    if not access.sees_landing():
        raise Http404
    return community, access


def space_for(
    actor: Actor, slug: str, space_slug: str
) -> tuple[Space, permissions.CommunityAccess]:
    """A space the actor may read, or a 404 that does not tell whether it exists."""
    community, access = community_for(actor, slug)
    space = Space.objects.filter(community=community, slug=space_slug).first()
    if space is None or not access.reads(space):
        raise Http404
    space.community = community
    return space, access


def community_can(access: permissions.CommunityAccess) -> dict[str, bool]:
    """What the community's header shows (its administration tabs), from the
    permissions package: pages that draw `communities/_community_head.html` pass it
    in their `can` record."""
    manage = access.may_manage()
    see_members = manage or access.may_decide_requests()
    moderate = access.is_moderator
    return {
        "administer": manage or see_members or moderate,
        "manage": manage,
        "see_members": see_members,
        "moderate": moderate,
    }


@dataclass
class Landing:
    community: Community
    access: permissions.CommunityAccess
    spaces: list[Space]
    recognized: list[Membership]
    newest: list[Membership]
    member_count: int
    pending_invitation: Invitation | None
    # "visitor", "member", "requested", "banned", "invited", "join", "ask" or "closed":
    # which of the membership box's cases the reader is in (communities/_join.html).
    join: str = "visitor"
    role_label: str = ""
    can: dict[str, bool] = field(default_factory=dict)
    # What the apps above add to the page (cercle/ui/sections.py), main column and aside.
    main_sections: list[sections.Shown] = field(default_factory=list)
    aside_sections: list[sections.Shown] = field(default_factory=list)


def join_state(access: permissions.CommunityAccess, pending: Invitation | None) -> str:
    """The membership box's case for this reader (see `Landing.join`)."""
    if not access.actor.is_authenticated:
        return "visitor"
    cases = (
        (access.is_member, "member"),
        (access.status == Status.REQUESTED, "requested"),
        (access.is_banned, "banned"),
        (access.has_pending_invitation and pending is not None, "invited"),
    )
    for holds, state in cases:
        if holds:
            return state
    if not access.may_join():
        return "closed"
    return "join" if access.community.entry == Entry.OPEN else "ask"


def landing(actor: Actor, slug: str) -> Landing:
    community, access = community_for(actor, slug)
    active = Membership.objects.filter(community=community, status=Status.ACTIVE).select_related(
        "person"
    )
    recognized = list(
        active.filter(role__in=[Role.COORDINATOR, Role.MODERATOR]).order_by("role", "joined_at")[:6]
    )
    newest = list(
        active.filter(role=Role.MEMBER)
        .exclude(pk__in=[m.pk for m in recognized])
        .order_by("-joined_at")[:6]
    )
    pending = None
    if access.status == Status.INVITED and isinstance(actor, User):
        pending = (
            Invitation.objects.filter(
                community=community, email__iexact=actor.email, accepted_at=None, revoked_at=None
            )
            .order_by("-created_at")
            .first()
        )
    return Landing(
        community=community,
        access=access,
        spaces=list(permissions.readable_spaces(access)),
        recognized=recognized,
        newest=newest,
        member_count=active.count(),
        pending_invitation=pending,
        join=join_state(access, pending),
        role_label=access.membership.get_role_display() if access.membership else "",
        can={**community_can(access), "read": access.reads_open_spaces()},
        main_sections=sections.gather("community.landing.main", access=access),
        aside_sections=sections.gather("community.landing.aside", access=access),
    )


def my_memberships(actor: User) -> QuerySet[Membership]:
    """The actor's memberships worth listing: active, asked, invited."""
    return (
        Membership.objects.filter(
            person=actor, status__in=[Status.ACTIVE, Status.REQUESTED, Status.INVITED]
        )
        .select_related("community")
        .order_by("community__name")
    )


def switcher_communities(actor: Actor) -> list[Community]:
    """The communities in the header's switcher: where the actor is an active member."""
    if not actor.is_authenticated:
        return []
    return [
        m.community
        for m in Membership.objects.filter(person_id=actor.pk, status=Status.ACTIVE)
        .select_related("community")
        .order_by("community__name")[:50]
    ]


def members_for_management(community: Community) -> dict[str, list[Membership]]:
    memberships = (
        Membership.objects.filter(community=community)
        .exclude(status=Status.LEFT)
        .select_related("person")
        .order_by("person__display_name")
    )
    grouped: dict[str, list[Membership]] = {status: [] for status in Status.values}
    for membership in memberships:
        grouped[membership.status].append(membership)
    return grouped


def pending_invitations(community: Community) -> list[Invitation]:
    return [i for i in community.invitations.select_related("invited_by")[:200] if i.is_pending]
