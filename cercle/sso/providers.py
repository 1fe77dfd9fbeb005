"""The identity providers an operator configured, as Cercle shows them.

Providers come from `SOCIALACCOUNT_PROVIDERS` (filled from the environment,
`CERCLE_OIDC_PROVIDERS` / `CERCLE_SAML_PROVIDERS`) or from allauth's `SocialApp` rows
(the admin site). Either may say, in its `settings`, `"organisation": true`: the
organisation's own provider, whose people are *internal* (docs/sso.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from allauth.socialaccount.adapter import get_adapter
from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

if TYPE_CHECKING:
    from allauth.socialaccount.models import SocialApp
    from allauth.socialaccount.providers.base.provider import Provider

TRUE_WORDS = {"1", "true", "yes", "on", "y", "t"}
KIND_NAMES = {"openid_connect": "OpenID Connect", "saml": "SAML 2.0"}


def truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in TRUE_WORDS
    return bool(value)


def app_is_organisation(app: SocialApp | None) -> bool:
    if app is None:
        return False
    app_settings = app.settings if isinstance(app.settings, dict) else {}
    return truthy(app_settings.get("organisation"))


def provider_is_organisation(provider: Provider | None) -> bool:
    return app_is_organisation(getattr(provider, "app", None))


def provider_id_of(provider: Provider) -> str:
    """The id a provider's accounts, rules and `organisation_provider` use."""
    return str(provider.sub_id)


@dataclass(frozen=True)
class ProviderInfo:
    """One configured provider, for the log-in buttons and the staff page."""

    provider: Provider
    id: str
    name: str
    kind: str
    organisation: bool
    from_admin: bool
    # Absolute addresses to give the identity provider: (label, url).
    endpoints: tuple[tuple[str, str], ...]

    @property
    def kind_name(self) -> str:
        return KIND_NAMES.get(self.kind, self.kind)


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _endpoints(provider: Provider) -> tuple[tuple[str, str], ...]:
    app = provider.app
    try:
        if provider.id == "saml":
            slug = {"organization_slug": app.client_id}
            return (
                ("acs", _absolute(reverse("saml_acs", kwargs=slug))),
                ("metadata", _absolute(reverse("saml_metadata", kwargs=slug))),
                ("sls", _absolute(reverse("saml_sls", kwargs=slug))),
            )
        callback = getattr(provider, "get_callback_url", None)
        if callback is not None:
            return (("callback", _absolute(callback())),)
    except NoReverseMatch:
        pass
    return ()


def configured_providers(request: HttpRequest | None) -> list[ProviderInfo]:
    """Every provider with an app (environment or admin), organisation's first."""
    found = []
    for provider in get_adapter(request).list_providers(request):
        app = getattr(provider, "app", None)
        if app is None or (isinstance(app.settings, dict) and app.settings.get("hidden")):
            continue
        found.append(
            ProviderInfo(
                provider=provider,
                id=provider_id_of(provider),
                name=str(provider.name),
                kind=str(provider.id),
                organisation=app_is_organisation(app),
                from_admin=app.pk is not None,
                endpoints=_endpoints(provider),
            )
        )
    found.sort(key=lambda info: (not info.organisation, info.name.lower()))
    return found


def provider_named(request: HttpRequest | None, provider_id: str) -> ProviderInfo | None:
    return next((p for p in configured_providers(request) if p.id == provider_id), None)
