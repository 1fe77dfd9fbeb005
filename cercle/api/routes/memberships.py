"""Memberships: joining, asking to join, leaving, answering one's invitation
(/communities/{slug}/...), the coordinators' side (pending requests and invitations,
with the `admin` scope), and the caller's own memberships (/memberships).

Every change is the action the pages call (`cercle.membership.actions`); a refusal
says what the page says (a 422 problem), and what the caller may not see is a 404."""

from __future__ import annotations

from datetime import datetime

from django.db.models import F, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from cercle import permissions
from cercle.accounts.models import User
from cercle.api.caller import Scope
from cercle.api.pagination import Page, cursor_page
from cercle.api.problems import ERRORS, ApiError
from cercle.api.routes.community_kit import (
    CommunityRef,
    PersonRef,
    community_ref,
    need,
    person_ref,
)
from cercle.communities.models import Community, Invitation, Membership
from cercle.communities.models import Status as MembershipStatus
from cercle.membership import actions, queries

router = Router(tags=["memberships"])
mine_router = Router(tags=["memberships"])

MESSAGE_LENGTH = 2000


class MembershipOut(Schema):
    id: int
    community: CommunityRef
    status: str
    role: str
    request_message: str
    decision_message: str
    created_at: datetime
    joined_at: datetime | None


class RequestOut(Schema):
    """A request to join, as the coordinators' members page lists it."""

    id: int
    person: PersonRef
    message: str
    created_at: datetime


class InvitationOut(Schema):
    id: int
    email: str
    message: str
    invited_by: PersonRef | None
    created_at: datetime
    expires_at: datetime


class MessageIn(Schema):
    message: str = Field("", max_length=MESSAGE_LENGTH)


class InviteIn(Schema):
    # Addresses one by one, or pasted in any shape (one per line, commas...).
    addresses: list[str] = Field(..., min_length=1)
    message: str = Field("", max_length=MESSAGE_LENGTH)


class Skipped(Schema):
    email: str
    reason: str


class InvitationReportOut(Schema):
    sent: list[str]
    skipped: list[Skipped]


def _membership_out(membership: Membership) -> MembershipOut:
    return MembershipOut(
        id=membership.pk,
        community=community_ref(membership.community),
        status=membership.status,
        role=membership.role,
        request_message=membership.request_message,
        decision_message=membership.decision_message,
        created_at=membership.created_at,
        joined_at=membership.joined_at,
    )


# --- The caller's own memberships ------------------------------------------------------------


@mine_router.get("", response={200: Page[MembershipOut], **ERRORS}, summary="List your memberships")
def my_memberships(
    request: HttpRequest,
    status: str = "",
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[MembershipOut]:
    """Your memberships worth listing, as "My communities" shows them: active, asked
    and invited (`status` keeps one of these), by community name."""
    person = need(request, Scope.READ)
    # Ordered by an annotation: a cursor keeps plain values, not related rows.
    memberships = queries.my_memberships(person).annotate(community_name=F("community__name"))
    if status:
        memberships = memberships.filter(status=status)
    rows, next_cursor = cursor_page(
        memberships, ordering=("community_name", "pk"), cursor=cursor, limit=limit
    )
    return Page[MembershipOut](
        items=[_membership_out(row) for row in rows], next_cursor=next_cursor
    )


# --- Joining, leaving, answering an invitation --------------------------------------------------


def _community(person: User, slug: str) -> Community:
    community, _access = permissions.community_for(person, slug)
    return community


@router.post(
    "/{slug}/join", response={201: MembershipOut, **ERRORS}, summary="Join, or ask to join"
)
def join(request: HttpRequest, slug: str, body: MessageIn) -> Status[MembershipOut]:
    """Join an open community at once (status "active"), or ask to join one on request
    (status "requested", with your message to its coordinators)."""
    person = need(request, Scope.WRITE)
    community = _community(person, slug)
    membership = actions.do_join(person, community, message=body.message)
    return Status(201, _membership_out(membership))


@router.delete(
    "/{slug}/join", response={204: None, **ERRORS}, summary="Withdraw your request to join"
)
def cancel_request(request: HttpRequest, slug: str) -> Status[None]:
    person = need(request, Scope.WRITE)
    actions.do_cancel_request(person, _community(person, slug))
    return Status(204, None)


@router.post("/{slug}/leave", response={204: None, **ERRORS}, summary="Leave the community")
def leave(request: HttpRequest, slug: str) -> Status[None]:
    person = need(request, Scope.WRITE)
    actions.do_leave(person, _community(person, slug))
    return Status(204, None)


def _my_invitation(person: User, community: Community) -> Invitation:
    """The invitation the landing page offers the caller to accept or decline."""
    found = (
        Invitation.objects.filter(
            community=community,
            email__iexact=person.email,
            accepted_at=None,
            declined_at=None,
            revoked_at=None,
        )
        .order_by("-created_at")
        .first()
    )
    if found is None:
        raise ApiError(422, _("You have no invitation to this community waiting for an answer."))
    return found


@router.post(
    "/{slug}/invitation/accept",
    response={200: MembershipOut, **ERRORS},
    summary="Accept your invitation",
)
def accept_invitation(request: HttpRequest, slug: str) -> MembershipOut:
    person = need(request, Scope.WRITE)
    community = _community(person, slug)
    membership = actions.do_accept_invitation(person, _my_invitation(person, community).token)
    return _membership_out(membership)


@router.post(
    "/{slug}/invitation/decline", response={204: None, **ERRORS}, summary="Decline your invitation"
)
def decline_invitation(request: HttpRequest, slug: str) -> Status[None]:
    person = need(request, Scope.WRITE)
    community = _community(person, slug)
    actions.do_decline_invitation(person, _my_invitation(person, community).token)
    return Status(204, None)


# --- The coordinators' side: requests and invitations -----------------------------------------


def _deciding(request: HttpRequest, slug: str, scope: Scope) -> tuple[User, Community]:
    """A community where the caller decides requests (coordinators, moderators and
    staff, as the members page), with the admin scope; others get a 404 as there."""
    person = need(request, Scope.READ)
    community, access = permissions.community_for(person, slug)
    if not access.may_decide_requests():
        raise Http404
    need(request, scope, community)
    return person, community


def _inviting(request: HttpRequest, slug: str) -> tuple[User, Community]:
    person = need(request, Scope.READ)
    community, access = permissions.community_for(person, slug)
    if not access.may_invite():
        raise Http404
    need(request, Scope.ADMIN, community)
    return person, community


def _pending_requests(community: Community) -> QuerySet[Membership]:
    return Membership.objects.filter(
        community=community, status=MembershipStatus.REQUESTED
    ).select_related("person")


@router.get(
    "/{slug}/requests",
    response={200: Page[RequestOut], **ERRORS},
    summary="List the requests to join waiting",
)
def list_requests(
    request: HttpRequest, slug: str, cursor: str | None = None, limit: int | None = None
) -> Page[RequestOut]:
    """The requests to join waiting for an answer, oldest first (`admin` scope;
    those who decide requests: coordinators, moderators)."""
    _person, community = _deciding(request, slug, Scope.ADMIN)
    rows, next_cursor = cursor_page(
        _pending_requests(community), ordering=("created_at", "pk"), cursor=cursor, limit=limit
    )
    return Page[RequestOut](
        items=[
            RequestOut(
                id=row.pk,
                person=person_ref(row.person),
                message=row.request_message,
                created_at=row.created_at,
            )
            for row in rows
        ],
        next_cursor=next_cursor,
    )


def _decide(
    request: HttpRequest, slug: str, membership_id: int, body: MessageIn, *, approve: bool
) -> MembershipOut:
    person, community = _deciding(request, slug, Scope.ADMIN)
    membership = (
        Membership.objects.select_related("person", "community")
        .filter(pk=membership_id, community=community)
        .first()
    )
    if membership is None:
        raise Http404
    decided = actions.do_decide_request(person, membership, approve=approve, message=body.message)
    return _membership_out(decided)


@router.post(
    "/{slug}/requests/{membership_id}/approve",
    response={200: MembershipOut, **ERRORS},
    summary="Approve a request",
)
def approve_request(
    request: HttpRequest, slug: str, membership_id: int, body: MessageIn
) -> MembershipOut:
    return _decide(request, slug, membership_id, body, approve=True)


@router.post(
    "/{slug}/requests/{membership_id}/decline",
    response={200: MembershipOut, **ERRORS},
    summary="Decline a request",
)
def decline_request(
    request: HttpRequest, slug: str, membership_id: int, body: MessageIn
) -> MembershipOut:
    return _decide(request, slug, membership_id, body, approve=False)


@router.get(
    "/{slug}/invitations",
    response={200: Page[InvitationOut], **ERRORS},
    summary="List the pending invitations",
)
def list_invitations(
    request: HttpRequest, slug: str, cursor: str | None = None, limit: int | None = None
) -> Page[InvitationOut]:
    """The invitations neither answered, revoked nor expired, newest first (`admin`
    scope; those who may invite: coordinators and staff)."""
    _person, community = _inviting(request, slug)
    pending = Invitation.objects.filter(
        community=community,
        accepted_at=None,
        declined_at=None,
        revoked_at=None,
        expires_at__gt=timezone.now(),
    ).select_related("invited_by")
    rows, next_cursor = cursor_page(
        pending, ordering=("-created_at", "-pk"), cursor=cursor, limit=limit
    )
    return Page[InvitationOut](
        items=[
            InvitationOut(
                id=row.pk,
                email=row.email,
                message=row.message,
                invited_by=person_ref(row.invited_by) if row.invited_by else None,
                created_at=row.created_at,
                expires_at=row.expires_at,
            )
            for row in rows
        ],
        next_cursor=next_cursor,
    )


@router.post(
    "/{slug}/invitations", response={200: InvitationReportOut, **ERRORS}, summary="Invite people"
)
def invite(request: HttpRequest, slug: str, body: InviteIn) -> InvitationReportOut:
    """Invite people by email address (at most 200 at once); what cannot be sent is
    reported with its reason, as on the members page."""
    person, community = _inviting(request, slug)
    addresses = actions.parse_addresses("\n".join(body.addresses))
    report = actions.do_invite(person, community, addresses, message=body.message)
    return InvitationReportOut(
        sent=report.sent,
        skipped=[Skipped(email=email, reason=reason) for email, reason in report.skipped],
    )


@router.delete(
    "/{slug}/invitations/{invitation_id}",
    response={204: None, **ERRORS},
    summary="Revoke an invitation",
)
def revoke_invitation(request: HttpRequest, slug: str, invitation_id: int) -> Status[None]:
    person, community = _inviting(request, slug)
    found = Invitation.objects.filter(pk=invitation_id, community=community).first()
    if found is None:
        raise Http404
    found.community = community
    actions.do_revoke_invitation(person, found)
    return Status(204, None)
