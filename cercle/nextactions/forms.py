"""Forms of the queue of next actions; they only read input, the actions decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cercle.nextactions.actions import MAX_NOTE
from cercle.nextactions.models import ItemKind, Outcome


class NoteField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            label=_("Note (optional)"),
            max_length=MAX_NOTE,
            required=False,
            help_text=_("Kept with the decision, for the other coordinators."),
            **kwargs,
        )


class DecisionForm(forms.Form):
    """Done or dismissed, for one item named by its key."""

    kind = forms.ChoiceField(choices=ItemKind.choices)
    object_id = forms.IntegerField(min_value=0)
    outcome = forms.ChoiceField(choices=Outcome.choices)
    note = NoteField()


class PeopleField(forms.MultipleChoiceField):
    """Ids of people; which of them may be chosen is the action's to say."""

    def valid_value(self, value: Any) -> bool:
        return str(value).isdigit()

    def clean(self, value: Any) -> list[int]:
        return [int(pk) for pk in super().clean(value)]


class AskForm(forms.Form):
    expert = PeopleField(
        required=False, error_messages={"invalid_choice": _("Choose among the experts shown.")}
    )
    note = NoteField()
