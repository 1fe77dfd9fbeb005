"""The API's door for OAuth applications: the person and scopes an OAuth 2.0 access
token stands for (django-oauth-toolkit issued it), or None when the request carries
no valid OAuth token. `cercle.api.auth` calls it for a bearer token that is not a
personal access token."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from cercle.accounts.models import User


def token_person(request: HttpRequest) -> tuple[User, frozenset[str], str] | None:
    """(person, scope names, rate-limit key) for a valid, unexpired OAuth access token
    of an active person in the request's Authorization header; None otherwise.

    The oauth branch fills this in (django-oauth-toolkit's `OAuthLibCore.verify_request`)."""
    return None
