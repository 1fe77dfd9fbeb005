"""Reads that pages (and later the API) share; every one asks `cercle.permissions`."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from cercle import permissions, sections
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
    # What the apps above add to the page (cercle/sections.py), main column and aside,
    # and the animators' tools gathered in one "Animate" card.
    main_sections: list[sections.Shown] = field(default_factory=list)
    aside_sections: list[sections.Shown] = field(default_factory=list)
    animate_sections: list[sections.Shown] = field(default_factory=list)
    # The spaces where the reader may ask a question / start a discussion: the page's
    # two primary actions lead to the composer of one of them.
    ask_spaces: list[Space] = field(default_factory=list)
    discuss_spaces: list[Space] = field(default_factory=list)


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
    community, access = permissions.community_for(actor, slug)
    active = Membership.objects.filter(community=community, status=Status.ACTIVE).select_related(
        "person__profile"
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
    spaces = list(permissions.readable_spaces(access))
    for space in spaces:
        space.community = community

    def where(kind: str) -> list[Space]:
        return [s for s in spaces if permissions.conversations.may_start_topic(access, s, kind)]

    return Landing(
        community=community,
        access=access,
        spaces=spaces,
        recognized=recognized,
        newest=newest,
        member_count=active.count(),
        pending_invitation=pending,
        join=join_state(access, pending),
        role_label=access.membership.get_role_display() if access.membership else "",
        can={**permissions.community_can(access), "read": access.reads_open_spaces()},
        main_sections=sections.gather("community.landing.main", access=access),
        aside_sections=sections.gather("community.landing.aside", access=access),
        animate_sections=sections.gather("community.landing.animate", access=access),
        ask_spaces=where("question"),
        discuss_spaces=where("discussion"),
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
