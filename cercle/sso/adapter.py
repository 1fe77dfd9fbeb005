"""allauth's social accounts, fitted to Cercle (docs/sso.md, "Accounts").

- The first sign-in through a provider creates the account (named from the claims
  `name`, `given_name` + `family_name` or SAML's displayName), or links it to an
  existing account, only when that account's address is verified and the provider
  vouches for the address (it says so, or it is the organisation's provider).
- An existing account whose matching address is not verified, or that the provider
  does not vouch for, is never linked: the person sees a page that says why.
- Every sign-in then applies the mapping rules (`cercle.sso.mapping.apply_identity`,
  from the `user_logged_in` signal, cercle/sso/signals.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base.constants import AuthError
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import render
from django.utils import translation

from cercle.accounts.models import User
from cercle.audit.log import record_security_event
from cercle.audit.models import SecurityKind
from cercle.sso.claims import claims_of, display_name_of
from cercle.sso.providers import provider_id_of, provider_is_organisation

if TYPE_CHECKING:
    from allauth.socialaccount.models import SocialLogin
    from allauth.socialaccount.providers.base.provider import Provider

# Why a sign-in was refused (the page and the security log say it).
UNVERIFIED_ACCOUNT = "unverified_account"
ADDRESS_NOT_VOUCHED = "address_not_vouched"


class SocialAccountAdapter(DefaultSocialAccountAdapter):  # type: ignore[misc]
    def is_email_verified(self, provider: Provider, email: str) -> bool:
        """The organisation's provider vouches for its people's addresses; any other
        provider only when it says so (`email_verified`, or `verified_email` in its
        settings)."""
        if provider_is_organisation(provider):
            return True
        return bool(super().is_email_verified(provider, email))

    def authenticate_by_email(self, sociallogin: SocialLogin) -> tuple[User, str] | None:
        """Link to an existing account only through an address that both the provider
        and that account have verified."""
        for address in sociallogin.email_addresses:
            if not address.verified or not self.can_authenticate_by_email(
                sociallogin, address.email
            ):
                continue
            verified = (
                EmailAddress.objects.filter(email__iexact=address.email, verified=True)
                .select_related("user")
                .first()
            )
            if verified is not None and verified.user.is_active:
                user: User = verified.user
                return user, address.email
        return None

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        if sociallogin.is_existing or sociallogin.state.get("process") == "connect":
            return  # a known account, or a signed-in person connecting one
        reason = self._refusal(sociallogin)
        if reason:
            address = sociallogin.email_addresses[0].email if sociallogin.email_addresses else ""
            record_security_event(
                SecurityKind.SSO_REFUSED,
                subject_label=address,
                request=request,
                provider=sociallogin.account.provider,
                reason=reason,
            )
            context = {
                "reason": reason,
                "provider_name": sociallogin.provider.name,
                "email": address,
            }
            raise ImmediateHttpResponse(render(request, "sso/refused.html", context, status=403))

    def _refusal(self, sociallogin: SocialLogin) -> str:
        """Why this new identity may not go on, or "": its addresses must not belong to
        an account it was not linked to (linking happened in `authenticate_by_email`)."""
        for address in sociallogin.email_addresses:
            taken = EmailAddress.objects.filter(email__iexact=address.email).first()
            holder = (
                taken.user_id
                if taken is not None
                else User.objects.filter(email__iexact=address.email)
                .values_list("pk", flat=True)
                .first()
            )
            if holder is None:
                continue
            if taken is None or not taken.verified:
                return UNVERIFIED_ACCOUNT
            return ADDRESS_NOT_VOUCHED
        return ""

    def populate_user(
        self, request: HttpRequest, sociallogin: SocialLogin, data: dict[str, Any]
    ) -> User:
        user: User = super().populate_user(request, sociallogin, data)
        claims = claims_of(sociallogin)
        name = display_name_of(claims) or " ".join(
            str(part) for part in (data.get("first_name"), data.get("last_name")) if part
        )
        user.display_name = (name or str(data.get("name") or "")).strip()[:80] or (
            (user.email or "").split("@")[0] or str(sociallogin.provider.name)
        )
        language = translation.get_language() or ""
        user.language = language if language in {"en", "fr"} else ""
        return user

    def save_user(self, request: HttpRequest, sociallogin: SocialLogin, form: Any = None) -> User:
        user: User = super().save_user(request, sociallogin, form)
        record_security_event(
            SecurityKind.ACCOUNT_CREATED,
            subject=user,
            request=request,
            provider=provider_id_of(sociallogin.provider),
            via="sso",
        )
        return user

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Provider,
        error: str | None = None,
        exception: BaseException | None = None,
        extra_context: dict[str, Any] | None = None,
    ) -> None:
        """Say on the error page what went wrong (`sso_reason`, read by
        socialaccount/authentication_error.html) and log it."""
        super().on_authentication_error(request, provider, error, exception, extra_context)
        context = extra_context if extra_context is not None else {}
        reason = authentication_error_reason(request, error, exception, context)
        context["sso_reason"] = reason
        technical = (
            [type(exception).__name__ + (f": {exception}" if str(exception) else "")]
            if (exception is not None)
            else []
        )
        technical += [str(item) for item in context.get("saml_errors") or []]
        if context.get("saml_last_error_reason"):
            technical.append(str(context["saml_last_error_reason"]))
        if request.GET.get("error"):
            technical.append(
                " ".join(
                    str(request.GET.get(name, "")) for name in ("error", "error_description")
                ).strip()
            )
        context["sso_technical"] = [line[:300] for line in technical if line]
        if reason != "cancelled":
            record_security_event(
                SecurityKind.SSO_REFUSED,
                request=request,
                provider=provider_id_of(provider) if provider is not None else None,
                reason=reason,
                error="; ".join(context["sso_technical"])[:500] or None,
            )


def authentication_error_reason(
    request: HttpRequest,
    error: str | None,
    exception: BaseException | None,
    context: dict[str, Any],
) -> str:
    """A short code for what went wrong, which the error page explains."""
    checks = (
        (error == AuthError.CANCELLED, "cancelled"),
        (error == AuthError.DENIED, "denied"),
        (bool(context.get("saml_errors") or context.get("saml_last_error_reason")), "assertion"),
        ("state_id" in context or isinstance(exception, PermissionDenied), "state"),
        (bool(request.GET.get("error")), "denied"),
        (exception is not None, "exchange"),
    )
    return next((reason for matched, reason in checks if matched), "unknown")
