"""`SSO_PROVIDERS` (the configured identity providers, organisation's first) and
`SSO_PROVIDERS_CONFIGURED` for every template: the log-in and sign-up buttons, the
account menu's "Organisation sign-in". Both are lazy: only a page that shows them reads
the providers (one query for the admin's rows), once per request."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from cercle.sso.csp import admin_app_origins, allow_form_origins
from cercle.sso.providers import ProviderInfo, configured_providers


def sso(request: HttpRequest) -> dict[str, Any]:
    def providers() -> list[ProviderInfo]:
        cached: list[ProviderInfo] | None = getattr(request, "_cercle_sso_providers", None)
        if cached is None:
            cached = configured_providers(request)
            setattr(request, "_cercle_sso_providers", cached)  # noqa: B010 - per request
            # The buttons of providers set on the administration site lead to their
            # origins: this page's policy lets its forms go there (cercle/sso/csp.py).
            admin_apps = [info.provider.app for info in cached if info.from_admin]
            allow_form_origins(request, admin_app_origins(admin_apps))
        return cached

    return {
        "SSO_PROVIDERS": SimpleLazyObject(providers),
        "SSO_PROVIDERS_CONFIGURED": SimpleLazyObject(lambda: bool(providers())),
    }
