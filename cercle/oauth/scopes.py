"""The scopes an OAuth application may ask for, and what each lets it do.

The names and labels are the API's (`cercle.api.caller.Scope` and `SCOPE_LABELS`,
same words, a test keeps them equal): this app sits below the API in the layers, so
it cannot import them. django-oauth-toolkit asks `ApplicationScopes` (settings:
`OAUTH2_PROVIDER["SCOPES_BACKEND_CLASS"]`) which scopes an application may receive:
those staff allowed when registering it."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from oauth2_provider.scopes import BaseScopes

SCOPE_NAMES = ("read", "write", "admin")

SCOPE_LABELS: dict[str, Promise] = {
    "read": _("Read what you may read"),
    "write": _("Write as you: post, react, vote, answer invitations"),
    "admin": _("Coordinate: manage members, read the cockpit"),
}

DEFAULT_SCOPES = ["read"]


def allowed_scope_names(application: Any) -> list[str]:
    """The scopes staff allowed `application` (every scope when no row says: an
    application made on the administration site)."""
    if application is None:
        return list(SCOPE_NAMES)
    row = getattr(application, "allowed_scopes", None)
    try:
        names = row.names if row is not None else list(SCOPE_NAMES)
    except AttributeError:
        names = list(SCOPE_NAMES)
    return [name for name in SCOPE_NAMES if name in names]


class ApplicationScopes(BaseScopes):
    def get_all_scopes(self) -> dict[str, str]:
        return {name: str(label) for name, label in SCOPE_LABELS.items()}

    def get_available_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        return allowed_scope_names(application)

    def get_default_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        available = allowed_scope_names(application)
        return [name for name in DEFAULT_SCOPES if name in available] or available[:1]
