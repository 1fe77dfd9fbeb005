"""How the API knows who calls: a bearer token (a personal access token, or an OAuth
application's token) or the site's own session with its CSRF check. Each gives a
`Caller` (request.auth); a deactivated person is nobody."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from cercle.api.caller import Caller, Scope, Via, session_caller
from cercle.api.tokens import TOKEN_PREFIX, caller_for_token
from cercle.oauth.bearer import token_person

KNOWN_SCOPES = frozenset(scope.value for scope in Scope)


class BearerAuth(HttpBearer):
    """`Authorization: Bearer <token>`: a personal access token (it starts with
    `cercle_pat_`) or an OAuth application's access token."""

    openapi_description = "A personal access token (cercle_pat_...) or an OAuth 2.0 access token."

    def authenticate(self, request: HttpRequest, token: str) -> Caller | None:
        if token.startswith(TOKEN_PREFIX):
            return caller_for_token(token)
        found = token_person(request)
        if found is None:
            return None
        person, scope_names, key = found
        if not person.is_active:
            return None
        return Caller(
            person=person,
            via=Via.OAUTH,
            scopes=frozenset(Scope(name) for name in scope_names if name in KNOWN_SCOPES),
            key=key,
        )


class SessionAuth(NinjaSessionAuth):
    """The site's own pages: the session cookie, with Django's CSRF check on writes."""

    openapi_description = "The session of the site's own pages (CSRF token required on writes)."

    def authenticate(self, request: HttpRequest, key: str | None) -> Caller | None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return session_caller(user)
        return None


AUTH = [BearerAuth(), SessionAuth()]
