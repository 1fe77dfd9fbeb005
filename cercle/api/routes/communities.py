"""/communities: the communities the caller may see (the directory's query and
filters), and one community as its landing page shows it (the landing's query)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from ninja import Router, Schema

from cercle import permissions
from cercle.accounts.models import User
from cercle.api.caller import Scope
from cercle.api.pagination import Page, cursor_page
from cercle.api.problems import ERRORS
from cercle.api.routes.community_kit import SpaceRef, absolute, need, space_ref
from cercle.communities.models import Community, Invitation, Membership, Status
from cercle.membership import queries

router = Router(tags=["communities"])


class CommunityOut(Schema):
    id: int
    slug: str
    name: str
    domain: str
    purpose: str
    language: str
    time_zone: str
    audience: str
    entry: str
    visibility: str
    member_count: int
    created_at: datetime
    url: str
    # The caller's membership here: its status ("active", "requested", "invited",
    # "left", "banned", "suspended") and role, or null.
    my_status: str | None = None
    my_role: str | None = None


class CommunityCan(Schema):
    read: bool
    join: bool
    post: bool
    moderate: bool
    manage: bool
    decide_requests: bool
    invite: bool
    see_cockpit: bool


class CommunityDetailOut(CommunityOut):
    charter_html: str
    benefits: list[str]
    # Which of the landing page's membership cases the caller is in: "member",
    # "requested", "banned", "invited", "join" (open: join at once), "ask" (on
    # request) or "closed" (on invitation only).
    join: str
    spaces: list[SpaceRef]
    can: CommunityCan


def _fields(community: Community) -> dict[str, Any]:
    return {
        "id": community.pk,
        "slug": community.slug,
        "name": community.name,
        "domain": community.domain,
        "purpose": community.purpose,
        "language": community.language,
        "time_zone": community.time_zone,
        "audience": community.audience,
        "entry": community.entry,
        "visibility": community.visibility,
        "member_count": getattr(community, "member_count", 0),
        "created_at": community.created_at,
        "url": absolute(community.get_absolute_url()),
        "my_status": getattr(community, "my_status", None),
        "my_role": getattr(community, "my_role", None),
    }


def _with_my_membership(communities: QuerySet[Community], person_id: int) -> QuerySet[Community]:
    mine = Membership.objects.filter(community=OuterRef("pk"), person_id=person_id)
    return communities.annotate(
        my_status=Subquery(mine.values("status")[:1]),
        my_role=Subquery(mine.values("role")[:1]),
    )


@router.get(
    "", response={200: Page[CommunityOut], **ERRORS}, summary="List the communities you may see"
)
def list_communities(
    request: HttpRequest,
    q: str = "",
    audience: str = "",
    entry: str = "",
    mine: bool = False,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[CommunityOut]:
    """The communities whose landing page you may see, by name, as the directory
    lists them: `q` searches names and domains, `audience` (internal, external) and
    `entry` (open, request, invitation) filter, `mine` keeps those you are an active
    member of."""
    person = need(request, Scope.READ)
    communities = _with_my_membership(
        queries.directory(person, query=q.strip()[:100], audience=audience, entry=entry),
        person.pk,
    )
    if mine:
        active = Membership.objects.filter(person=person, status=Status.ACTIVE)
        communities = communities.filter(pk__in=active.values("community_id"))
    rows, next_cursor = cursor_page(
        communities, ordering=("name", "pk"), cursor=cursor, limit=limit
    )
    return Page[CommunityOut](
        items=[CommunityOut(**_fields(row)) for row in rows], next_cursor=next_cursor
    )


def _pending_invitation(person: User, community: Community) -> Invitation | None:
    """The invitation the landing page offers the person to answer (as its query finds it)."""
    return (
        Invitation.objects.filter(
            community=community, email__iexact=person.email, accepted_at=None, revoked_at=None
        )
        .order_by("-created_at")
        .first()
    )


@router.get("/{slug}", response={200: CommunityDetailOut, **ERRORS}, summary="One community")
def community_detail(request: HttpRequest, slug: str) -> CommunityDetailOut:
    """The community as its landing page shows it to you (a 404 when you may not see
    it): its charter, the spaces you may read, your membership and what you may do.
    The page's other sections (events, activities...) have their own resources."""
    person = need(request, Scope.READ)
    community, access = permissions.community_for(person, slug)
    membership = access.membership
    pending = _pending_invitation(person, community) if access.status == Status.INVITED else None
    community.member_count = community.memberships.filter(status=Status.ACTIVE).count()  # type: ignore[attr-defined]
    community.my_status = membership.status if membership else None  # type: ignore[attr-defined]
    community.my_role = membership.role if membership else None  # type: ignore[attr-defined]
    return CommunityDetailOut(
        **_fields(community),
        charter_html=community.charter_html,
        benefits=community.benefit_list,
        join=queries.join_state(access, pending),
        spaces=[space_ref(space) for space in permissions.readable_spaces(access)],
        can=CommunityCan(
            read=access.reads_open_spaces(),
            join=access.may_join(),
            post=access.may_post(),
            moderate=access.may_moderate(),
            manage=access.may_manage(),
            decide_requests=access.may_decide_requests(),
            invite=access.may_invite(),
            see_cockpit=permissions.cockpit.may_see_cockpit(access),
        ),
    )
