"""How the API knows who calls: a bearer token (a personal access token, or an OAuth
application's token) or the site's own session with its CSRF check. Each gives a
`Caller` (request.auth); a deactivated person is nobody.

The scopes narrow what a caller may do before any endpoint runs: reading (GET, HEAD)
needs `read`, anything else needs `write` (a 403 problem otherwise). The `admin`
scope adds the coordinators' actions, which their endpoints check with
`caller.allows(Scope.ADMIN, community_id)`."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from cercle.api.caller import Caller, Scope, Via, session_caller
from cercle.api.problems import ApiError
from cercle.api.tokens import TOKEN_PREFIX, caller_for_token
from cercle.oauth.bearer import token_person

KNOWN_SCOPES = frozenset(scope.value for scope in Scope)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# The caller a bearer token stands for, looked up once per request (the middleware
# counting rate limits asks before the endpoint's own authentication does).
_BEARER_MEMO = "_cercle_api_bearer"


def needed_scope(request: HttpRequest) -> Scope:
    return Scope.READ if request.method in SAFE_METHODS else Scope.WRITE


def within_scopes(request: HttpRequest, caller: Caller) -> Caller:
    """The caller, when its scopes let it make this request; a 403 problem otherwise."""
    scope = needed_scope(request)
    if scope not in caller.scopes:
        if scope is Scope.READ:
            raise ApiError(403, _("This token may not read: give it the “read” scope."))
        raise ApiError(403, _("This token may only read: give it the “write” scope to change."))
    return caller


def bearer_token(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _space, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def bearer_caller(request: HttpRequest, token: str) -> Caller | None:
    """The caller a bearer token stands for (memoised on the request)."""
    memo: dict[str, Caller | None] = request.__dict__.setdefault(_BEARER_MEMO, {})
    if token not in memo:
        memo[token] = _lookup(request, token)
    return memo[token]


def _lookup(request: HttpRequest, token: str) -> Caller | None:
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


def request_caller(request: HttpRequest) -> Caller | None:
    """Who calls, as far as can be told before the endpoint runs (for rate limits and
    idempotency keys): a bearer token's caller, or the session's person. The
    endpoint's own authentication still decides (with its CSRF check)."""
    token = bearer_token(request)
    if token is not None:
        return bearer_caller(request, token)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_active:
        return session_caller(user)
    return None


class BearerAuth(HttpBearer):
    """`Authorization: Bearer <token>`: a personal access token (it starts with
    `cercle_pat_`) or an OAuth application's access token."""

    openapi_description = "A personal access token (cercle_pat_...) or an OAuth 2.0 access token."

    def authenticate(self, request: HttpRequest, token: str) -> Caller | None:
        caller = bearer_caller(request, token)
        return None if caller is None else within_scopes(request, caller)


class SessionAuth(NinjaSessionAuth):
    """The site's own pages: the session cookie, with Django's CSRF check on writes."""

    openapi_description = "The session of the site's own pages (CSRF token required on writes)."

    def authenticate(self, request: HttpRequest, key: str | None) -> Caller | None:
        if bearer_token(request) is not None:
            return None  # a bearer token was sent and refused: no falling back
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return session_caller(user)
        return None


AUTH = [BearerAuth(), SessionAuth()]
