"""Forms of the onboarding pages; they only read input, the actions decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from cercle.conversations.models import Topic
from cercle.onboarding.actions import MAX_WELCOME_MESSAGE
from cercle.personas.models import Persona


class TopicChoiceField(forms.ModelChoiceField[Topic]):
    def label_from_instance(self, obj: Topic) -> str:
        return f"{obj.title} ({obj.space.name})"


class SettingsForm(forms.Form):
    welcome_message = forms.CharField(
        label=_("Welcome message"),
        required=False,
        max_length=MAX_WELCOME_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Markdown. Every new member receives it and finds it on their welcome page; "
            "leave it empty for a short default message."
        ),
    )
    persona = forms.ModelChoiceField(
        label=_("Sent by"),
        queryset=Persona.objects.none(),
        required=False,
        empty_label=_("The community"),
        help_text=_("The community itself, or one of its personas (shown as a persona)."),
    )
    introductions_topic = TopicChoiceField(
        label=_("Introductions topic"),
        queryset=Topic.objects.none(),
        required=False,
        empty_label=_("None yet"),
        help_text=_(
            "Where newcomers introduce themselves: a discussion in a space every member "
            "reads. You can also create one below."
        ),
    )

    def __init__(self, *args: Any, topics: Any, personas: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(TopicChoiceField, self.fields["introductions_topic"]).queryset = topics
        if personas.exists():
            cast(forms.ModelChoiceField[Persona], self.fields["persona"]).queryset = personas
        else:
            del self.fields["persona"]
