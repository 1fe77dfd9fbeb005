"""allauth's log-in form in Cercle's words. Apart from cercle.accounts.forms, which
allauth's own forms module imports (the sign-up form class): importing allauth's forms
from there would be circular."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from django import forms
from django.utils.translation import gettext_lazy as _

from cercle.accounts.hooks import refusal_for


class LoginForm(AllauthLoginForm):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "remember" in self.fields:
            self.fields["remember"].label = _("Keep me logged in")

    def clean(self) -> dict[str, Any]:
        # An address whose people sign in through their organisation never gets as far
        # as a password check (docs/sso.md, organisation-only domains).
        refusal = refusal_for(str(self.data.get("login", "")).strip())
        if refusal:
            raise forms.ValidationError(refusal)
        cleaned: dict[str, Any] = super().clean()
        user = getattr(self, "user", None)
        if user is not None and (refusal := refusal_for(user.email)):
            self.user = None
            raise forms.ValidationError(refusal)
        return cleaned


class ResetPasswordForm(AllauthResetPasswordForm):  # type: ignore[misc]
    """allauth's form, refusing the addresses of organisation-only domains: they have
    no password to reset."""

    def clean_email(self) -> str:
        email: str = super().clean_email()
        if refusal := refusal_for(email):
            raise forms.ValidationError(refusal)
        return email
