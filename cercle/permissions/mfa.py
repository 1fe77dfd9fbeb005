"""Two-factor sign-in and sessions: who must use a second factor, who may change the
rules, who may end someone's sessions (docs/two-factor.md)."""

from __future__ import annotations

from cercle.accounts.models import SecurityPolicy, User
from cercle.communities.models import Community, Membership, Role, Status
from cercle.permissions.core import Actor, is_staff


def two_factor_reasons(person: Actor) -> list[str]:
    """Why `person` must use a second factor: "staff", "coordinator" (the instance's
    policy) and the names of the communities that require it of their coordinators;
    empty when nothing requires it."""
    if not person.is_authenticated or not person.is_active:
        return []
    reasons: list[str] = []
    coordinated = Membership.objects.filter(
        person_id=person.pk, status=Status.ACTIVE, role=Role.COORDINATOR
    )
    if SecurityPolicy.load().staff_and_coordinators_need_two_factor:
        if is_staff(person):
            reasons.append("staff")
        if coordinated.exists():
            reasons.append("coordinator")
    reasons.extend(
        coordinated.filter(community__coordinators_need_two_factor=True)
        .order_by("community__name")
        .values_list("community__name", flat=True)
    )
    return reasons


def must_use_two_factor(person: Actor) -> bool:
    """Staff and coordinators when staff require it for the whole instance; the
    coordinators of a community that requires it for its own."""
    return bool(two_factor_reasons(person))


def may_change_security_policy(actor: Actor) -> bool:
    """Only staff set what the whole instance requires."""
    return is_staff(actor)


def may_require_two_factor_in(actor: Actor, community: Community) -> bool:
    """A community's coordinators (and staff) decide what it asks of its coordinators."""
    if is_staff(actor):
        return True
    if not actor.is_authenticated or not actor.is_active:
        return False
    return Membership.objects.filter(
        person_id=actor.pk, community=community, status=Status.ACTIVE, role=Role.COORDINATOR
    ).exists()


def may_end_sessions_of(actor: Actor, person: User) -> bool:
    """A person ends their own sessions; staff end anyone's (a lost laptop, a leaver)."""
    if not actor.is_authenticated or not actor.is_active:
        return False
    return actor.pk == person.pk or is_staff(actor)
