"""allauth's OpenID Connect log-in and callback views, with the nonce checked.

allauth (65) sends `state` and, with OAUTH_PKCE_ENABLED, a PKCE code challenge, and
checks the state at the callback; it sends no `nonce`. These views, mounted on the
same paths as allauth's (cercle/sso/urls.py comes first in cercle/urls.py), add one:
a random nonce is sent with the authorization request and kept in allauth's state
for that request, and the ID token that comes back must carry it, or the sign-in is
refused with allauth's error page (which the social adapter explains and logs as
SSO_REFUSED, cercle/sso/adapter.py). They also keep the ID token in the session of a
person who signed in, for the provider's logout (cercle.sso.oidc_logout.end_session_url).
"""

from __future__ import annotations

import secrets
from typing import Any

from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.base.utils import respond_to_login_on_get
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import (
    OAuth2CallbackView,
    OAuth2LoginView,
)
from allauth.socialaccount.providers.openid_connect.views import (
    OpenIDConnectOAuth2Adapter,
)
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare

from cercle.sso.oidc_logout import remember_sign_in

NONCE_KEY = "cercle_oidc_nonce"


class NonceCheckingAdapter(OpenIDConnectOAuth2Adapter):  # type: ignore[misc]
    """allauth's adapter, told the state of the request it completes."""

    state: dict[str, Any] | None = None
    id_token: str = ""

    def _decode_id_token(self, app: Any, id_token: str) -> dict[str, Any]:
        claims: dict[str, Any] = super()._decode_id_token(app, id_token)
        expected = (self.state or {}).get(NONCE_KEY)
        received = claims.get("nonce")
        if (
            not isinstance(expected, str)
            or not isinstance(received, str)
            or not constant_time_compare(expected, received)
        ):
            raise OAuth2Error("The ID token's nonce is not the one sent with the request.")
        self.id_token = id_token
        return claims

    def complete_login(self, request: HttpRequest, app: Any, token: Any, **kwargs: Any) -> Any:
        login = super().complete_login(request, app, token, **kwargs)
        alias_groups(login.account.extra_data, app.settings.get("groups_claim"))
        return login


def alias_groups(extra_data: Any, claim: Any) -> None:
    """A provider whose groups travel in another claim (`groups_claim`, e.g. Entra ID's
    app `roles`): its values are read as `groups`, the attribute mapping rules name."""
    if not isinstance(claim, str) or not claim or claim == "groups":
        return
    for part in ("userinfo", "id_token"):
        data = extra_data.get(part) if isinstance(extra_data, dict) else None
        if isinstance(data, dict) and claim in data:
            data["groups"] = data[claim]


class NonceLoginView(OAuth2LoginView):  # type: ignore[misc]
    """allauth's log-in view (BaseLoginView.dispatch), with a nonce added."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        provider = self.get_provider()
        response: HttpResponse | None = respond_to_login_on_get(request, provider)
        if response:
            return response
        redirect_kwargs = provider.get_redirect_from_request_kwargs(request)
        nonce = secrets.token_urlsafe(32)
        redirect_kwargs["auth_params"]["nonce"] = nonce
        redirect_kwargs[NONCE_KEY] = nonce  # kept in allauth's state for this request
        result: HttpResponse = provider.redirect(request, **redirect_kwargs)
        return result


class NonceCallbackView(OAuth2CallbackView):  # type: ignore[misc]
    """allauth's callback view; the adapter sees the state it found for the request."""

    adapter: NonceCheckingAdapter

    def _get_state(self, request: HttpRequest, provider: Any) -> tuple[Any, Any]:
        state, response = super()._get_state(request, provider)
        self.adapter.state = state
        return state, response

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().dispatch(request, *args, **kwargs)
        state = self.adapter.state or {}
        if (
            self.adapter.id_token
            and state.get("process") == "login"
            and request.user.is_authenticated
        ):
            remember_sign_in(request, self.adapter.provider_id, self.adapter.id_token)
        return response


def login(request: HttpRequest, provider_id: str) -> HttpResponse:
    view = NonceLoginView.adapter_view(NonceCheckingAdapter(request, provider_id))
    return _or_404(view, request)


def callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    view = NonceCallbackView.adapter_view(NonceCheckingAdapter(request, provider_id))
    return _or_404(view, request)


def _or_404(view: Any, request: HttpRequest) -> HttpResponse:
    try:
        response: HttpResponse = view(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None
    return response
