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
        from allauth.account.signals import user_logged_in
        from allauth.socialaccount.signals import social_account_added

        from cercle.accounts import hooks as account_hooks
        from cercle.sso import domains, signals

        user_logged_in.connect(signals.on_user_logged_in, dispatch_uid="cercle_sso_signed_in")
        social_account_added.connect(
            signals.on_social_account_added, dispatch_uid="cercle_sso_account_added"
        )
        account_hooks.password_sign_in_refusal.register(domains.password_refusal)
