"""The Content-Security-Policy's `form-action` for providers configured on the
administration site.

Chromium holds the redirect that follows a form's POST to `form-action`: the sign-in
button posts to Cercle, which redirects to the provider. The providers of the
environment are known at start-up (cercle/settings.py adds their origins); those of the
administration site (allauth's SocialApp rows) are read only by the pages that show a
provider's button, and `FormOriginsMiddleware` adds their origins to that page's policy.
No other page pays a query for it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.http import HttpRequest, HttpResponseBase

from cercle.sso import oidc, saml
from cercle.sso.oidc_logout import logout_origin

_ATTRIBUTE = "_cercle_form_origins"


def admin_app_origins(apps: Iterable[Any]) -> list[str]:
    """The origins of SocialApp rows (OpenID Connect: the issuer; SAML: the IdP's SSO or
    metadata URL), as the environment's providers have theirs."""
    origins: list[str] = []
    for app in apps:
        app_settings = app.settings if isinstance(app.settings, dict) else {}
        found: list[str] = []
        if app.provider == "openid_connect" and app_settings.get("server_url"):
            found = oidc.form_action_origins([{"settings": app_settings}])
        elif app.provider == "saml" and isinstance(app_settings.get("idp"), dict):
            found = saml.form_action_origins([{"settings": app_settings}])
        origins.extend(origin for origin in found if origin not in origins)
    return origins


def allow_form_origins(request: HttpRequest, origins: Iterable[str]) -> None:
    """Let this page's forms lead to `origins` (read by `FormOriginsMiddleware`)."""
    allowed: list[str] = getattr(request, _ATTRIBUTE, [])
    allowed.extend(origin for origin in origins if origin not in allowed)
    setattr(request, _ATTRIBUTE, allowed)


class FormOriginsMiddleware:
    """Adds the origins a page asked for to its policy's `form-action` (listed after
    django-csp's middleware, so that it hands the response to it with the update)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        # A person signed in through an OpenID Connect provider: every page's logout
        # form leads to the provider's end_session (cercle/sso/oidc_logout.py).
        allow_form_origins(request, [origin for origin in [logout_origin(request)] if origin])
        origins = getattr(request, _ATTRIBUTE, None)
        if origins:
            update: dict[str, Any] = dict(getattr(response, "_csp_update", None) or {})
            existing = update.get("form-action") or []
            if isinstance(existing, str):
                existing = [existing]
            update["form-action"] = [*existing, *origins]
            setattr(response, "_csp_update", update)  # noqa: B010 - django-csp's attribute
        return response
