from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class TwoFactorPolicyForm(forms.Form):
    staff_and_coordinators_need_two_factor = forms.BooleanField(
        label=_("Staff and coordinators must use two-factor sign-in"),
        required=False,
        help_text=_(
            "Applies to staff and to the coordinators of every community. Someone "
            "without a second factor is sent to add one at their next sign-in."
        ),
    )


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Email address or handle"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
