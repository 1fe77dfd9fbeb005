"""The forms of the mail pages: a space's mail setting, and the log's filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cercle.conversations.models import Kind
from cercle.mailin.models import Outcome
from cercle.mailin.queries import LogFilter
from cercle.mailin.settings_actions import TOPIC_KINDS


class SpaceMailForm(forms.Form):
    """One space's setting; the page shows one per space, each with its own prefix."""

    enabled = forms.BooleanField(label=_("Takes new topics by email"), required=False)
    kind = forms.ChoiceField(
        label=_("A message starts"),
        choices=[(kind, Kind(kind).label) for kind in TOPIC_KINDS],
        error_messages={
            "invalid_choice": _(
                "Choose what a message starts: a discussion, a question or an announcement."
            ),
            "required": _(
                "Choose what a message starts: a discussion, a question or an announcement."
            ),
        },
    )


class ReceivedFilterForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        choices=[("", _("Every outcome")), *Outcome.choices],
    )
    q = forms.CharField(
        label=_("Sender or subject"),
        required=False,
        max_length=200,
        strip=True,
    )

    def log_filter(self) -> LogFilter:
        if not self.is_valid():
            return LogFilter()
        return LogFilter(
            outcome=self.cleaned_data.get("outcome") or "",
            search=self.cleaned_data.get("q") or "",
        )
