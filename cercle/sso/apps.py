from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SsoConfig(AppConfig):
    """Signing in through the organisation: identity providers (OpenID Connect, SAML),
    accounts made or linked at first sign-in, rules that map groups to community roles,
    two-factor requirements (docs/sso.md)."""

    name = "cercle.sso"
    label = "sso"
    verbose_name = _("Single sign-on")

    def ready(self) -> None:
        from cercle.sso import mfa

        mfa.connect()
