"""OpenID Connect identity providers configured by the operator (docs/sso.md).

`CERCLE_OIDC_PROVIDERS` holds a JSON list of providers; `openid_connect_apps` reads
and checks it at start-up (settings.py), turning each entry into one app of allauth's
`openid_connect` provider, and fails with a message that names the entry and the field
when something is wrong. Secrets can stay out of files and of the database: an entry
may name another environment variable (`secret_env`) that holds its client secret.

This module is imported by the settings: it imports nothing of Django's apps or
models, nor allauth (the sign-in and logout at run time are in oidc_views.py and
oidc_logout.py).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

ENV_NAME = "CERCLE_OIDC_PROVIDERS"
DEFAULT_SCOPES = ["openid", "email", "profile"]

_FIELDS = {
    "id",
    "name",
    "server_url",
    "client_id",
    "secret",
    "secret_env",
    "scopes",
    "organisation",
    "groups_claim",
}
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}


def _fail(where: str, message: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"{ENV_NAME}: {where}: {message}")


def _text(entry: Mapping[str, Any], field: str, where: str) -> str:
    value = entry.get(field)
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, f"'{field}' is required and must be a non-empty string.")
    return value.strip()


def _server_url(entry: Mapping[str, Any], where: str) -> str:
    url = _text(entry, "server_url", where)
    parts = urlsplit(url)
    loopback = parts.hostname in _LOOPBACK
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        raise _fail(
            where,
            f"'server_url' {url!r} must be an https:// URL (the issuer; plain http:// "
            "is accepted for localhost only).",
        )
    if not parts.hostname:
        raise _fail(where, f"'server_url' {url!r} has no host.")
    return url.rstrip("/")


def _secret(entry: Mapping[str, Any], where: str, environ: Mapping[str, str]) -> str:
    has_secret = "secret" in entry
    has_env = "secret_env" in entry
    if has_secret == has_env:
        raise _fail(
            where,
            "give exactly one of 'secret' (the client secret) or 'secret_env' "
            "(the name of the environment variable that holds it).",
        )
    if has_secret:
        return _text(entry, "secret", where)
    variable = _text(entry, "secret_env", where)
    value = environ.get(variable, "").strip()
    if not value:
        raise _fail(
            where, f"'secret_env' names {variable}, which is not set or empty in the environment."
        )
    return value


def _scopes(entry: Mapping[str, Any], where: str) -> list[str]:
    scopes = entry.get("scopes", DEFAULT_SCOPES)
    if isinstance(scopes, str):
        scopes = scopes.split()
    if not isinstance(scopes, list) or not all(
        isinstance(scope, str) and scope.strip() for scope in scopes
    ):
        raise _fail(where, "'scopes' must be a list of non-empty strings.")
    cleaned = [scope.strip() for scope in scopes]
    if "openid" not in cleaned:
        raise _fail(where, "'scopes' must include 'openid'.")
    return cleaned


def _app(entry: Any, index: int, environ: Mapping[str, str]) -> dict[str, Any]:
    where = f"entry {index}"
    if not isinstance(entry, dict):
        raise _fail(where, "each provider must be a JSON object.")
    provider_id = entry.get("id")
    if not isinstance(provider_id, str) or not _ID.match(provider_id):
        raise _fail(
            where,
            "'id' is required: lower-case letters, digits, '-' or '_', at most 40 "
            "characters (it appears in the callback URL).",
        )
    where = f"entry {index} (id {provider_id!r})"
    unknown = sorted(set(entry) - _FIELDS)
    if unknown:
        raise _fail(
            where,
            f"unknown field(s) {', '.join(unknown)}; the fields are {', '.join(sorted(_FIELDS))}.",
        )
    organisation = entry.get("organisation", False)
    if not isinstance(organisation, bool):
        raise _fail(where, "'organisation' must be true or false.")
    settings: dict[str, Any] = {
        "server_url": _server_url(entry, where),
        "scope": _scopes(entry, where),
        "organisation": organisation,
        "oauth_pkce_enabled": True,
    }
    if "groups_claim" in entry:
        settings["groups_claim"] = _text(entry, "groups_claim", where)
    return {
        "provider_id": provider_id,
        "name": _text(entry, "name", where),
        "client_id": _text(entry, "client_id", where),
        "secret": _secret(entry, where, environ),
        "settings": settings,
    }


def openid_connect_apps(environ: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """The providers of `CERCLE_OIDC_PROVIDERS` as allauth `openid_connect` APPS."""
    env = os.environ if environ is None else environ
    raw = env.get(ENV_NAME, "").strip()
    if not raw:
        return []
    try:
        entries = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ImproperlyConfigured(f"{ENV_NAME} is not valid JSON: {error}.") from None
    if not isinstance(entries, list):
        raise ImproperlyConfigured(f"{ENV_NAME} must be a JSON list of providers.")
    apps = [_app(entry, index, env) for index, entry in enumerate(entries)]
    seen: set[str] = set()
    for app in apps:
        if app["provider_id"] in seen:
            raise ImproperlyConfigured(f"{ENV_NAME}: the id {app['provider_id']!r} is used twice.")
        seen.add(app["provider_id"])
    return apps


def socialaccount_providers(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """`SOCIALACCOUNT_PROVIDERS["openid_connect"]`: the apps, with PKCE on for every one
    (apps added as SocialApp rows on the admin site get it too)."""
    return {"APPS": openid_connect_apps(environ), "OAUTH_PKCE_ENABLED": True}


def form_action_origins(apps: list[dict[str, Any]]) -> list[str]:
    """The providers' origins, for the Content-Security-Policy's `form-action`: the
    browser applies it to the redirects that follow a form (the sign-in button's POST
    goes on to the provider's authorization endpoint, the logout's POST to its
    end_session endpoint), and both live on the issuer's origin at Keycloak, Entra ID
    and Google."""
    origins: list[str] = []
    for app in apps:
        parts = urlsplit(app["settings"]["server_url"])
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in origins:
            origins.append(origin)
    return origins
