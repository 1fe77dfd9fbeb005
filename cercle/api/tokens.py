"""Personal access tokens: made on the account page, shown once, stored hashed,
expiring, revocable (docs/api.md, "Authentication"). `caller_for_token` turns the
secret a script sends into the `Caller` it stands for."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from cercle.api.caller import Caller, Scope, Via
from cercle.api.models import TOKEN_PREFIX, PersonalToken, hash_token

__all__ = ["TOKEN_PREFIX", "caller_for_token"]

# Noting each use would write on every request: once a minute is enough to tell a
# person which token a script still uses.
LAST_USED_EVERY_SECONDS = 60


def caller_for_token(token: str) -> Caller | None:
    """The caller a personal access token stands for, or None (unknown, revoked,
    expired, or its person deactivated)."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    now = timezone.now()
    found = (
        PersonalToken.objects.select_related("person")
        .filter(secret_hash=hash_token(token), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if found is None or not found.person.is_active:
        return None
    # One conditional UPDATE on every request (it changes a row at most once a
    # minute): the same queries for every request, so that endpoints' query counts
    # do not depend on when the token was last used.
    PersonalToken.objects.filter(pk=found.pk).filter(
        Q(last_used_at__isnull=True)
        | Q(last_used_at__lt=now - timedelta(seconds=LAST_USED_EVERY_SECONDS))
    ).update(last_used_at=now)
    scopes = frozenset(Scope(name) for name in found.scopes if name in set(Scope))
    admin_communities: frozenset[int] | None = None
    if Scope.ADMIN in scopes:
        limited = frozenset(found.admin_communities.values_list("pk", flat=True))
        admin_communities = limited or None
    return Caller(
        person=found.person,
        via=Via.TOKEN,
        scopes=scopes,
        admin_communities=admin_communities,
        key=f"token:{found.pk}",
    )
