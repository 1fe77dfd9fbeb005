"""Personal access tokens: who makes, sees and revokes them, and which communities a
token's `admin` scope may be limited to (the ones its person coordinates now)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from cercle.communities.models import Community, Membership, Role, Status
from cercle.permissions.core import Actor

if TYPE_CHECKING:
    from cercle.api.models import PersonalToken


def may_make_tokens(actor: Actor) -> bool:
    """Any signed-in person with an active account: a token acts as them and no more."""
    return bool(actor.is_authenticated and actor.is_active)


def may_revoke_token(actor: Actor, token: PersonalToken) -> bool:
    """Only its person (staff end someone's access by deactivating the account)."""
    return bool(actor.is_authenticated and token.person_id == actor.pk)


def coordinated_communities(actor: Actor) -> QuerySet[Community]:
    """The communities the person coordinates: where an `admin` scope can act."""
    if not actor.is_authenticated:
        return Community.objects.none()
    return Community.objects.filter(
        pk__in=Membership.objects.filter(
            person_id=actor.pk, role=Role.COORDINATOR, status=Status.ACTIVE
        ).values("community_id")
    ).order_by("name", "pk")
