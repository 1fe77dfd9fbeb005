"""The provider's logout honoured (RP-initiated logout).

The ID token received at a sign-in through an OpenID Connect provider is kept in the
session (oidc_views.py); when the person logs out of Cercle, the account adapter asks
`end_session_url` where to send them: the provider's `end_session_endpoint`, with the
token as `id_token_hint` and the way back to Cercle, so the provider's session ends too.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode, urlsplit

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.http import HttpRequest
from requests import RequestException

# The session key that holds, after a sign-in through an OpenID Connect provider,
# which provider it was and the raw ID token it sent (for `id_token_hint` at logout).
SESSION_KEY = "cercle_oidc_signed_in"

log = logging.getLogger(__name__)


def remember_sign_in(request: HttpRequest, provider_id: str, id_token: str) -> None:
    """Keep which provider signed the person in, and its ID token, for the logout; and
    the provider's origin, which every page's logout form may then lead to (a provider
    set on the administration site is not in the settings' form-action: cercle/sso/csp.py)."""
    origin = ""
    try:
        provider = get_adapter(request).get_provider(request, provider_id)
        parts = urlsplit(str(provider.app.settings.get("server_url", "")))
        if parts.scheme in {"http", "https"} and parts.netloc:
            origin = f"{parts.scheme}://{parts.netloc}"
    except SocialApp.DoesNotExist:
        pass
    request.session[SESSION_KEY] = {
        "provider_id": provider_id,
        "id_token": id_token,
        "origin": origin,
    }


def logout_origin(request: HttpRequest) -> str:
    """The origin of the provider that signed this session in ("" if none)."""
    session = getattr(request, "session", None)
    # Only a session the request already read (every signed-in page does): asking
    # must never cost a page a query it did not make.
    if session is None or not session.accessed:
        return ""
    kept = session.get(SESSION_KEY)
    return str(kept.get("origin") or "") if isinstance(kept, dict) else ""


def end_session_url(request: HttpRequest, after: str) -> str | None:
    """Where to send a person who signs out, when they signed in through an OpenID
    Connect provider that advertises an `end_session_endpoint`: that endpoint, with
    the ID token as `id_token_hint` and `after` (made absolute) as the way back.
    None when the sign-in was not through such a provider or it cannot be reached
    (Cercle's own logout still happens)."""
    kept = request.session.get(SESSION_KEY)
    if not isinstance(kept, dict) or not kept.get("id_token"):
        return None
    provider_id = str(kept.get("provider_id", ""))
    try:
        provider = get_adapter(request).get_provider(request, provider_id)
        endpoint = OpenIDConnectOAuth2Adapter(request, provider_id).openid_config.get(
            "end_session_endpoint"
        )
    except (SocialApp.DoesNotExist, RequestException, ValueError) as error:
        log.warning("No provider logout for %s: %s", provider_id, error)
        return None
    if not isinstance(endpoint, str) or not endpoint:
        return None
    query = urlencode(
        {
            "id_token_hint": kept["id_token"],
            "post_logout_redirect_uri": request.build_absolute_uri(after),
            "client_id": provider.app.client_id,
        }
    )
    separator = "&" if "?" in endpoint else "?"
    return f"{endpoint}{separator}{query}"
