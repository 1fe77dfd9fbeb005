"""Every write about personal access tokens: making one (its secret returned once and
never stored) and revoking one, each with its row of the security log in the same
transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cercle import permissions
from cercle.api.caller import Scope
from cercle.api.models import (
    DEFAULT_LIFETIME_DAYS,
    LIFETIMES_DAYS,
    PersonalToken,
    hash_token,
    new_token,
)
from cercle.audit.log import record_security_event
from cercle.audit.models import SecurityKind
from cercle.errors import ActionRefused

if TYPE_CHECKING:
    from django.http import HttpRequest

    from cercle.accounts.models import User
    from cercle.communities.models import Community


def do_create_token(
    actor: User,
    *,
    name: str,
    scopes: Iterable[str],
    days: int = DEFAULT_LIFETIME_DAYS,
    admin_communities: Iterable[Community] = (),
    request: HttpRequest | None = None,
) -> tuple[PersonalToken, str]:
    """Make a token for `actor` and return it with its secret, shown once: only its
    SHA-256 is stored."""
    if not permissions.api.may_make_tokens(actor):
        raise ActionRefused(_("Log in with an active account to make a token."))
    name = name.strip()
    if not name:
        raise ActionRefused(_("Give the token a name, for example the script that uses it."))
    chosen = {Scope(scope) for scope in scopes if scope in set(Scope)}
    if not chosen:
        raise ActionRefused(_("Choose at least one scope."))
    if days not in LIFETIMES_DAYS:
        raise ActionRefused(_("Choose how long the token lasts."))
    limited = list(admin_communities)
    if limited:
        if Scope.ADMIN not in chosen:
            raise ActionRefused(
                _("Limiting the token to communities needs the “Coordinate” scope.")
            )
        coordinated = set(
            permissions.api.coordinated_communities(actor).values_list("pk", flat=True)
        )
        if any(community.pk not in coordinated for community in limited):
            raise ActionRefused(_("You can only choose communities you coordinate."))
    secret = new_token()
    with transaction.atomic():
        token = PersonalToken.objects.create(
            person=actor,
            name=name[:100],
            secret_hash=hash_token(secret),
            hint=secret[-4:],
            scopes=sorted(scope.value for scope in chosen),
            expires_at=timezone.now() + timedelta(days=days),
        )
        if limited:
            token.admin_communities.set(limited)
        record_security_event(
            SecurityKind.TOKEN_CREATED,
            actor=actor,
            subject=actor,
            request=request,
            what="api",
            token=token.pk,
            name=token.name,
            scopes=token.scopes,
            days=days,
        )
    return token, secret


def do_revoke_token(
    actor: User, token: PersonalToken, *, request: HttpRequest | None = None
) -> None:
    """The token stops working at once; revoking it again changes nothing."""
    if not permissions.api.may_revoke_token(actor, token):
        raise ActionRefused(_("This token does not exist."), not_found=True)
    if token.revoked_at is not None:
        return
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_security_event(
            SecurityKind.TOKEN_REVOKED,
            actor=actor,
            subject=token.person,
            request=request,
            what="api",
            token=token.pk,
            name=token.name,
        )
