from __future__ import annotations

from typing import Any

from django import forms
from django.forms import BoundField
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from cercle.notifications.models import (
    DIGEST,
    EMAIL_DEFAULTS,
    MAILING_LIST,
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
    """One choice per kind of email, one for the community digest, and mailing-list mode
    in a group of its own."""

    def __init__(
        self,
        data: Any = None,
        *,
        preferences: dict[str, str],
        mailing_list: bool = False,
        replies_by_email: bool = False,
    ) -> None:
        super().__init__(data, initial={**preferences, MAILING_LIST: mailing_list})
        for kind in EMAIL_DEFAULTS:
            self.fields[kind] = forms.ChoiceField(
                label=PREFERENCE_LABELS[kind], choices=Frequency.choices
            )
        self.fields[DIGEST] = forms.ChoiceField(
            label=PREFERENCE_LABELS[DIGEST], choices=Period.choices, help_text=HELP[DIGEST]
        )
        self.fields[MAILING_LIST] = forms.BooleanField(
            label=_(
                "Mailing-list mode: every new post of the spaces and topics I follow, one "
                "email each; reply by email to take part"
            ),
            required=False,
            help_text=(
                _(
                    "Each email holds the whole post; replying to it posts your answer in "
                    "the topic. You then receive no separate notification email about "
                    "those posts."
                )
                if replies_by_email
                else _(
                    "Each email holds the whole post. Replying by email is not open on "
                    "this site: answer on the page."
                )
            ),
        )

    @property
    def groups(self) -> list[tuple[StrOrPromise, list[BoundField]]]:
        """The fieldsets of the page: the kinds of news, then mailing-list mode."""
        return [
            (_("How often, for each kind of news"), [self[k] for k in [*EMAIL_DEFAULTS, DIGEST]]),
            (_("Mailing-list mode"), [self[MAILING_LIST]]),
        ]

    def preferences(self) -> dict[str, str]:
        """What to save (`do_set_email_preferences`): mailing-list mode as on or off."""
        wanted = {key: value for key, value in self.cleaned_data.items() if key != MAILING_LIST}
        on = self.cleaned_data.get(MAILING_LIST)
        wanted[MAILING_LIST] = Frequency.IMMEDIATELY if on else Frequency.NEVER
        return wanted
