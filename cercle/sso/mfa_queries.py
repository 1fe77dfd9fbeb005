"""What the two-factor and sessions staff pages show."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from cercle.accounts.models import SecurityPolicy, User
from cercle.communities.models import Community, Membership, Role, Status


@dataclass
class PolicyPage:
    policy: SecurityPolicy
    # Staff and coordinators with no second factor yet (the policy's reach today).
    without_factor: list[User]
    communities_requiring: int


def policy_page() -> PolicyPage:
    has_factor = Authenticator.objects.filter(user_id=OuterRef("pk")).exclude(
        type=Authenticator.Type.RECOVERY_CODES
    )
    coordinates = Membership.objects.filter(
        person_id=OuterRef("pk"), status=Status.ACTIVE, role=Role.COORDINATOR
    )
    without = (
        User.objects.filter(is_active=True)
        .filter(Q(is_staff=True) | Q(Exists(coordinates)))
        .exclude(Exists(has_factor))
        .order_by("display_name", "email")
    )
    return PolicyPage(
        policy=SecurityPolicy.load(),
        without_factor=list(without[:50]),
        communities_requiring=Community.objects.filter(coordinators_need_two_factor=True).count(),
    )


def find_person(text: str) -> User | None:
    text = text.strip().removeprefix("@")
    if not text:
        return None
    return User.objects.filter(Q(email__iexact=text) | Q(handle__iexact=text)).first()


def sessions_of(person: User) -> list[UserSession]:
    return list(UserSession.objects.filter(user_id=person.pk).order_by("-created_at"))


@dataclass
class SessionRow:
    session: UserSession
    current: bool


def my_sessions(person: User, current_key: str | None) -> list[SessionRow]:
    """The person's live sessions, this one first, in two queries whatever their number
    (allauth's own list looks each one up in turn and deletes the dead ones on a GET).
    Rows whose Django session expired are left out; ending sessions deletes them."""
    rows = list(UserSession.objects.filter(user_id=person.pk).order_by("-created_at"))
    live = set(
        Session.objects.filter(
            session_key__in=[row.session_key for row in rows], expire_date__gt=timezone.now()
        ).values_list("session_key", flat=True)
    )
    found = [
        SessionRow(session=row, current=row.session_key == current_key)
        for row in rows
        if row.session_key in live
    ]
    return sorted(found, key=lambda row: not row.current)
