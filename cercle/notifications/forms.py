from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cercle.notifications.models import (
    DIGEST,
    EMAIL_DEFAULTS,
    PREFERENCE_LABELS,
    Frequency,
    Period,
)

HELP = {
    DIGEST: _(
        "A summary of each of your communities: top discussions, questions you can "
        "answer, new members."
    ),
}


class EmailPreferencesForm(forms.Form):
    """One choice per kind of email, and one for the community digest."""

    def __init__(self, data: Any = None, *, preferences: dict[str, str]) -> None:
        super().__init__(data, initial=preferences)
        for kind in EMAIL_DEFAULTS:
            self.fields[kind] = forms.ChoiceField(
                label=PREFERENCE_LABELS[kind], choices=Frequency.choices
            )
        self.fields[DIGEST] = forms.ChoiceField(
            label=PREFERENCE_LABELS[DIGEST], choices=Period.choices, help_text=HELP[DIGEST]
        )
