from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cercle.accounts.hooks import refusal_for
from cercle.accounts.models import User


class SignupForm(forms.Form):
    """Extra sign-up fields, merged by allauth into its own form."""

    display_name = forms.CharField(
        label=_("Your name"),
        max_length=80,
        help_text=_("How other members will see you."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    field_order = ["display_name", "email", "password1", "password2"]

    def clean_display_name(self) -> str:
        name: str = self.cleaned_data["display_name"].strip()
        if not name:
            raise forms.ValidationError(_("Please tell us your name."))
        return name

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or self.cleaned_data
        # allauth's social sign-up form (a sign-in through the organisation that lacks
        # an address) derives from this one too: only a password sign-up is refused
        # for the addresses of organisation-only domains (docs/sso.md).
        if not hasattr(self, "sociallogin") and (
            refusal := refusal_for(str(cleaned.get("email") or ""))
        ):
            self.add_error("email", refusal)
        return cleaned

    def signup(self, request: Any, user: User) -> None:
        """allauth calls this after saving the user; the adapter already did the work."""


class PreferencesForm(forms.ModelForm[User]):
    class Meta:
        model = User
        fields = ["display_name", "language"]
        widgets = {"display_name": forms.TextInput(attrs={"autocomplete": "name"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = cast(forms.ChoiceField, self.fields["language"])
        language.choices = [("", _("Follow my browser")), *settings.LANGUAGES]


class DeleteAccountForm(forms.Form):
    """Deleting an account cannot be undone: ask for the password and an explicit confirmation."""

    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account will be deleted and cannot be restored."),
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This password is not correct."))
        return password
