"""The API's door for OAuth applications: the person and scopes an OAuth 2.0 access
token stands for (django-oauth-toolkit issued it), or None when the request carries
no valid OAuth token. `cercle.api.auth` calls it for a bearer token that is not a
personal access token."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.utils import timezone
from oauth2_provider.models import AccessToken
from oauth2_provider.oauth2_backends import get_oauthlib_core

if TYPE_CHECKING:
    from cercle.accounts.models import User

# How often a token's last use is written down (the account page shows it): at most
# once a minute per token, so a busy application does not write at each call.
LAST_USE_STEP = timedelta(minutes=1)


def token_person(request: HttpRequest) -> tuple[User, frozenset[str], str] | None:
    """(person, scope names, rate-limit key) for a valid, unexpired OAuth access token
    of an active person in the request's Authorization header; None otherwise.

    django-oauth-toolkit checks the token (known, not expired, not revoked); a token
    with no person (none is issued: authorization code only) or of a deactivated
    person stands for nobody. The rate-limit key is per application and person."""
    valid, oauth_request = get_oauthlib_core().verify_request(  # type: ignore[no-untyped-call]
        request, scopes=[]
    )
    if not valid or oauth_request is None:
        return None
    token = getattr(oauth_request, "access_token", None)
    person = getattr(oauth_request, "user", None)
    if token is None or person is None or not person.is_active or token.application_id is None:
        return None
    now = timezone.now()
    # `updated` (auto_now) is the token's last use: DOT changes nothing else on it.
    if token.updated < now - LAST_USE_STEP:
        AccessToken.objects.filter(pk=token.pk).update(updated=now)
    scopes = frozenset(token.scope.split())
    return person, scopes, f"oauth:{token.application_id}:{person.pk}"
