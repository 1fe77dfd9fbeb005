from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cercle.webhooks import catalogue, sending


class EndpointForm(forms.Form):
    url = forms.CharField(
        label=_("Address"),
        max_length=500,
        help_text=_("Where Cercle sends each event, with a POST: an https:// address."),
        widget=forms.URLInput(attrs={"autocomplete": "url", "inputmode": "url"}),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=200,
        required=False,
        help_text=_("What receives it, for the next person who reads this page."),
    )
    types = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[(kind.name, kind.label) for kind in catalogue.EVENT_TYPES],
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Only what the owner of the endpoint may read is ever sent; flags go only to "
            "an owner who moderates the space."
        ),
        error_messages={"required": _("Choose at least one event.")},
    )

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"].strip()
        try:
            sending.checked(url)
        except sending.Refused as refusal:
            raise forms.ValidationError(refusal.message) from None
        return url


class EditEndpointForm(EndpointForm):
    active = forms.BooleanField(
        label=pgettext_lazy("webhook endpoint", "On"),
        required=False,
        help_text=_("Send the chosen events to this address."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["url"].widget.attrs["autocomplete"] = "off"
