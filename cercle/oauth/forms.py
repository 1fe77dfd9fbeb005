"""The staff form of an OAuth application."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cercle.oauth.actions import Registration
from cercle.oauth.scopes import SCOPE_LABELS, SCOPE_NAMES

CONFIDENTIAL = "confidential"
PUBLIC = "public"


class ApplicationForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=255,
        help_text=_("People see it on the consent screen, for example “Intranet of the IT team”."),
    )
    redirect_uris = forms.CharField(
        label=_("Redirect URIs"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Where Cercle sends people back with the authorization code, one per line. "
            "Only these exact addresses are accepted."
        ),
    )
    client_type = forms.ChoiceField(
        label=_("Client type"),
        choices=[
            (
                CONFIDENTIAL,
                _("Confidential: a server that keeps a secret (it gets a client secret)"),
            ),
            (
                PUBLIC,
                _("Public: an app in a browser or on a phone, which cannot keep a secret"),
            ),
        ],
        widget=forms.RadioSelect,
        initial=CONFIDENTIAL,
    )
    scopes = forms.MultipleChoiceField(
        label=_("Allowed scopes"),
        choices=[(name, SCOPE_LABELS[name]) for name in SCOPE_NAMES],
        widget=forms.CheckboxSelectMultiple,
        initial=["read"],
        help_text=_("The most the application may ask for; each person still consents."),
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            # The client type goes with the credentials: a new type is a new registration.
            del self.fields["client_type"]

    def registration(self, *, confidential: bool | None = None) -> Registration:
        data = self.cleaned_data
        return Registration(
            name=data["name"],
            redirect_uris=data["redirect_uris"].split(),
            confidential=(
                data.get("client_type") == CONFIDENTIAL if confidential is None else confidential
            ),
            scopes=list(data["scopes"]),
        )
