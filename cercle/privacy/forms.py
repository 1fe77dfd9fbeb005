from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cercle.accounts.forms import DeleteAccountForm
from cercle.accounts.models import User
from cercle.privacy.erasure import ERASE, KEEP


class EraseAccountForm(DeleteAccountForm):
    """The account deletion form, with the person's choice for their contributions."""

    contributions = forms.ChoiceField(
        label=_("What you wrote"),
        widget=forms.RadioSelect,
        choices=[
            (KEEP, _("Keep my contributions, signed “a former member”")),
            (ERASE, _("Erase my contributions")),
        ],
        help_text=_("The table above says what each choice does to each kind."),
    )

    field_order = ["contributions", "password", "confirm"]


class StaffExportForm(forms.Form):
    email = forms.EmailField(
        label=_("The person's email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person: User | None = None

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip()
        self.person = User.objects.filter(email__iexact=email).first()
        if self.person is None:
            raise forms.ValidationError(_("Nobody has an account with this address."))
        return email
