"""Every write of SCIM provisioning: tokens, deprovisioning and reactivation, the
people and groups the directory creates, changes and deletes.

Each function runs in one transaction and writes its row of the security log in it,
so a change rolled back leaves no row saying it happened (docs/scim.md).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cercle import permissions
from cercle.accounts.sessions import delete_sessions
from cercle.audit.log import record_security_event
from cercle.audit.models import SecurityKind
from cercle.communities.models import Audience, Membership, Status
from cercle.errors import ActionRefused
from cercle.scim.models import (
    ScimGroup,
    ScimToken,
    SuspendedMembership,
    hash_token,
    new_token,
)
from cercle.sso.mapping import apply_identity

if TYPE_CHECKING:
    from cercle.accounts.models import User

logger = logging.getLogger(__name__)

PROVIDER_ID = "scim"
# The statuses a deprovisioning suspends: every place the person holds or waits for
# in an internal community (a person who left or was banned stays so).
SUSPENDED_STATUSES = (Status.ACTIVE, Status.INVITED, Status.REQUESTED)


# -- Tokens ------------------------------------------------------------------


def create_token(actor: User, *, name: str) -> tuple[ScimToken, str]:
    """Make a token and return it with its secret, which is shown once and never
    stored (only its SHA-256 is)."""
    if not permissions.scim.may_manage_scim(actor):
        raise ActionRefused(_("Only staff manage provisioning tokens."))
    name = name.strip()
    if not name:
        raise ActionRefused(_("Give the token a name, for example the directory it is for."))
    secret = new_token()
    with transaction.atomic():
        token = ScimToken.objects.create(
            name=name[:100], secret_hash=hash_token(secret), created_by=actor
        )
        record_security_event(
            SecurityKind.TOKEN_CREATED, actor=actor, what="scim", token=token.pk, name=token.name
        )
    return token, secret


def revoke_token(actor: User, token: ScimToken) -> None:
    if not permissions.scim.may_manage_scim(actor):
        raise ActionRefused(_("Only staff manage provisioning tokens."))
    if token.revoked_at is not None:
        return
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_security_event(
            SecurityKind.TOKEN_REVOKED, actor=actor, what="scim", token=token.pk, name=token.name
        )


def authenticate_token(secret: str) -> ScimToken | None:
    """The active token with this secret, its last use noted; None for any other."""
    if not secret:
        return None
    token = ScimToken.objects.filter(
        secret_hash=hash_token(secret), revoked_at__isnull=True
    ).first()
    if token is not None:
        now = timezone.now()
        # At most one write a minute: an import of thousands of people is not slowed.
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ScimToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
    return token


# -- Deprovisioning ------------------------------------------------------------


def deactivate_person(person: User, *, by: User | None, reason: str) -> list[Membership]:
    """Deprovision a person in one transaction: they can no longer sign in, every
    session of theirs ends, their tokens stop working (every token checks
    `is_active`), and their memberships of internal communities are suspended, their
    content kept. Returns the memberships suspended."""
    with transaction.atomic():
        person = type(person).objects.select_for_update().get(pk=person.pk)
        suspended = list(
            Membership.objects.select_for_update()
            .filter(
                person=person,
                community__audience=Audience.INTERNAL,
                status__in=SUSPENDED_STATUSES,
            )
            .select_related("community")
        )
        for membership in suspended:
            SuspendedMembership.objects.update_or_create(
                membership=membership, defaults={"previous_status": membership.status}
            )
        Membership.objects.filter(pk__in=[m.pk for m in suspended]).update(
            status=Status.SUSPENDED, updated_at=timezone.now()
        )
        was_active = person.is_active
        person.is_active = False
        person.save(update_fields=["is_active"])
        # Every session allauth lists ends at once (its data deleted from the store);
        # any other one ends at its next request: Django signs out inactive people.
        sessions = delete_sessions(person)
        record_security_event(
            SecurityKind.DEACTIVATED,
            actor=by,
            subject=person,
            reason=reason,
            was_active=was_active,
            sessions_ended=sessions,
            suspended=[m.community.slug for m in suspended],
        )
    return suspended


def reactivate_person(person: User, *, by: User | None, reason: str) -> list[Membership]:
    """Undo a deprovisioning: the person may sign in again and exactly the
    memberships it suspended get their previous status back."""
    with transaction.atomic():
        person = type(person).objects.select_for_update().get(pk=person.pk)
        rows = list(
            SuspendedMembership.objects.select_for_update()
            .filter(membership__person=person)
            .select_related("membership__community")
        )
        restored = []
        for row in rows:
            membership = row.membership
            if membership.status == Status.SUSPENDED:
                membership.status = row.previous_status
                membership.save(update_fields=["status", "updated_at"])
                restored.append(membership)
        SuspendedMembership.objects.filter(pk__in=[row.pk for row in rows]).delete()
        person.is_active = True
        person.save(update_fields=["is_active"])
        record_security_event(
            SecurityKind.REACTIVATED,
            actor=by,
            subject=person,
            reason=reason,
            restored=[m.community.slug for m in restored],
        )
    return restored


# -- People and groups -----------------------------------------------------------


def record_provisioning(
    person: User | None, *, operation: str, resource: str, **detail: Any
) -> None:
    record_security_event(
        SecurityKind.PROVISIONED,
        subject=person,
        subject_label="" if person is not None else str(detail.get("name", "")),
        operation=operation,
        resource=resource,
        **detail,
    )


def set_primary_address(person: User, email: str) -> None:
    """Make `email` the person's verified primary address: the directory vouches for it."""
    EmailAddress.objects.filter(user=person, primary=True).exclude(email__iexact=email).update(
        primary=False
    )
    address = EmailAddress.objects.filter(user=person, email__iexact=email).first()
    if address is None:
        EmailAddress.objects.create(user=person, email=email, verified=True, primary=True)
    elif not (address.verified and address.primary):
        address.verified = True
        address.primary = True
        address.save(update_fields=["verified", "primary"])


def apply_group_mapping(people: Iterable[User]) -> None:
    """Feed each person's directory groups to the mapping rules of sign-in
    (`cercle.sso.mapping.apply_identity`), as a sign-in through the organisation's
    provider would."""
    for person in people:
        if not person.is_active:
            continue
        names = list(
            ScimGroup.objects.filter(members=person)
            .order_by("display_name")
            .values_list("display_name", flat=True)
        )
        apply_identity(
            person,
            provider_id=PROVIDER_ID,
            organisation=True,
            claims={"groups": names},
            dry_run=False,
        )
