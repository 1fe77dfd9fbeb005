from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from cercle.communities.models import Space
from cercle.ideas.models import IdeaStatus


class IdeaForm(forms.Form):
    title = forms.CharField(label=_("Your idea, in a sentence"), max_length=200)
    description = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What it would change and how, in Markdown."),
    )
    space = forms.ChoiceField(label=_("Space"))

    def __init__(self, *args: Any, spaces: Sequence[Space], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spaces = {str(space.pk): space for space in spaces}
        field = cast(forms.ChoiceField, self.fields["space"])
        field.choices = [(str(space.pk), space.name) for space in spaces]
        if len(spaces) == 1:
            field.widget = forms.HiddenInput()
            field.initial = str(spaces[0].pk)

    def chosen_space(self) -> Space:
        return self.spaces[self.cleaned_data["space"]]


class DecisionForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=IdeaStatus.choices)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Members read it with the decision, on the idea's page."),
    )

    def __init__(self, *args: Any, current: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["status"])
        field.choices = [(value, label) for value, label in IdeaStatus.choices if value != current]
