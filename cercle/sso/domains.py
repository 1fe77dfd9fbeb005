"""Organisation-only email domains: their people sign in through the organisation's
identity provider, never with a password (docs/sso.md)."""

from __future__ import annotations

from allauth.core import context as allauth_context
from django.utils.translation import gettext as _

from cercle.sso.models import SsoOnlyDomain
from cercle.sso.providers import provider_named


def domain_of(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower()


def password_refusal(email: str) -> str:
    """The message for a password log-in, reset or sign-up with `email` when its domain
    signs in through the organisation only; "" otherwise."""
    rule = SsoOnlyDomain.objects.filter(domain=domain_of(email)).first()
    if rule is None:
        return ""
    provider = provider_named(allauth_context.request, rule.provider_id)
    name = provider.name if provider is not None else rule.provider_id
    return _(
        "Addresses at %(domain)s sign in through their organisation: "
        "use the “Log in with %(provider)s” button instead of a password."
    ) % {"domain": rule.domain, "provider": name}
