"""The security log's filters: a GET form that keeps what was chosen."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cercle.audit.models import SecurityKind


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class SecurityLogFilterForm(forms.Form):
    """Every field is optional; a value that is not valid is named next to its field,
    and the log then lists nothing rather than ignoring the filter."""

    person = forms.CharField(
        label=_("Person (name or email)"),
        required=False,
        max_length=254,
        help_text=_("Who did it or whom it is about; part of a name or an address is enough."),
    )
    kind = forms.ChoiceField(
        label=_("What"), required=False, choices=[("", _("Everything")), *SecurityKind.choices]
    )
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("Until"), required=False, widget=DateInput())
    ip = forms.GenericIPAddressField(
        label=pgettext_lazy("a filter of the security log", "IP address"),
        required=False,
        unpack_ipv4=True,
        protocol="both",
    )

    def __init__(self, data: Any) -> None:
        super().__init__(data)
        for name, field in self.fields.items():
            field.widget.attrs["id"] = f"security-{name}"
        self.fields["person"].widget.input_type = "search"

    def clean_person(self) -> str:
        person: str = self.cleaned_data["person"]
        return person.strip()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end of the period comes before its start."))
        return cleaned

    @property
    def is_filtering(self) -> bool:
        return any(self.data.get(name) for name in self.fields)
