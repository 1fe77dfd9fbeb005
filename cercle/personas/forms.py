from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cercle.personas.models import Persona


class PersonaForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    story = forms.CharField(
        label=_("Story"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Who the persona is, in Markdown: members read it on the persona's page."),
    )
    avatar = forms.FileField(
        label=_("Picture"),
        required=False,
        help_text=_("PNG, JPEG or WebP. Without one, the persona's initials are shown."),
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    remove_avatar = forms.BooleanField(label=_("Remove the picture"), required=False)
    speakers = forms.CharField(
        label=_("Who may speak as this persona"),
        required=False,
        max_length=2000,
        help_text=_(
            "Handles of members, separated by spaces or commas (for example @anna @bob). "
            "Coordinators always may."
        ),
    )

    def __init__(self, *args: Any, persona: Persona | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if persona is None or not persona.avatar:
            del self.fields["remove_avatar"]
