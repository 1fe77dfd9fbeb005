"""What every sign-in through an identity provider does after allauth: log it and
apply the mapping rules (registered from `SsoConfig.ready()`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

from cercle.accounts.models import User
from cercle.audit.log import record_security_event
from cercle.audit.models import SecurityKind
from cercle.sso.claims import claims_of
from cercle.sso.mapping import apply_identity
from cercle.sso.providers import provider_is_organisation

if TYPE_CHECKING:
    from allauth.socialaccount.models import SocialLogin


def apply_sign_in(request: HttpRequest | None, user: User, sociallogin: SocialLogin) -> None:
    apply_identity(
        user,
        provider_id=sociallogin.account.provider,
        organisation=provider_is_organisation(sociallogin.provider),
        claims=claims_of(sociallogin),
        request=request,
    )


def on_user_logged_in(
    sender: Any, request: HttpRequest, user: User, sociallogin: SocialLogin | None = None, **_: Any
) -> None:
    if sociallogin is None:
        return
    record_security_event(
        SecurityKind.SSO_SIGN_IN,
        actor=user,
        subject=user,
        request=request,
        provider=sociallogin.account.provider,
    )
    apply_sign_in(request, user, sociallogin)


def on_social_account_added(
    sender: Any, request: HttpRequest, sociallogin: SocialLogin, **_: Any
) -> None:
    """A provider linked to an account: at a first sign-in by a verified address, or
    by a signed-in person from their account's connections page (then the rules
    apply at once; at a sign-in, `user_logged_in` applies them)."""
    user = sociallogin.user
    if not isinstance(user, User):
        return
    record_security_event(
        SecurityKind.ACCOUNT_LINKED,
        actor=user if getattr(request, "user", None) == user else None,
        subject=user,
        request=request,
        provider=sociallogin.account.provider,
    )
    if sociallogin.state.get("process") == "connect":
        apply_sign_in(request, user, sociallogin)
