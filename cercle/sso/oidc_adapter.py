"""The account adapter that honours the identity provider's logout.

A minimal subclass for the branch that brings OpenID Connect sign-in: the method
below belongs in Cercle's single account adapter (two lines, see
`get_logout_redirect_url`)."""

from __future__ import annotations

from django.http import HttpRequest

from cercle.accounts.adapter import AccountAdapter
from cercle.sso.oidc_logout import end_session_url


class SsoAccountAdapter(AccountAdapter):
    def get_logout_redirect_url(self, request: HttpRequest) -> str:
        # allauth asks before it ends the session, which still holds the ID token.
        after: str = super().get_logout_redirect_url(request)
        return end_session_url(request, after) or after
