from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, cast

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from cercle import permissions
from cercle.communities.models import Space
from cercle.errors import ActionRefused
from cercle.value import contributions
from cercle.value.actions import MAX_TEXT, MAX_TITLE
from cercle.value.models import CYCLE_EXPLANATIONS, Cycle

WHOLE_COMMUNITY = ""


def cycle_choices() -> list[tuple[str, Any]]:
    """Each cycle with its one-line explanation, so the writer picks knowingly."""
    return [
        (value, format_lazy("{} — {}", label, CYCLE_EXPLANATIONS[value]))
        for value, label in Cycle.choices
    ]


class StoryForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=MAX_TITLE,
        help_text=_("The change in a sentence, for example “Our first shared budget template”."),
    )
    cycle = forms.ChoiceField(
        label=_("Which value does the story tell?"), widget=forms.RadioSelect, choices=()
    )
    text = forms.CharField(
        label=_("What happened"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Who took part, what they did with what the community gave them, what changed "
            "and for whom. In Markdown. Members and the sponsors read it."
        ),
    )
    space = forms.ChoiceField(label=_("Space the story is about"), required=False)
    links = forms.CharField(
        label=_("Contributions involved"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The addresses of this community's topics, wiki articles or library resources "
            "that made it happen, one a line: copy them from the address bar."
        ),
    )

    def __init__(
        self,
        *args: Any,
        access: permissions.CommunityAccess,
        spaces: Sequence[Space],
        hosts: Collection[str],
        current_space: Space | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.access = access
        self.hosts = hosts
        cast(forms.ChoiceField, self.fields["cycle"]).choices = cycle_choices()
        self.spaces = {str(space.pk): space for space in spaces}
        choices: list[tuple[str, Any]] = [(WHOLE_COMMUNITY, _("The whole community"))]
        choices += [(str(space.pk), space.name) for space in spaces]
        if current_space is not None and str(current_space.pk) not in self.spaces:
            # The editor no longer reads it: keep it without telling its name.
            self.spaces[str(current_space.pk)] = current_space
            choices.append((str(current_space.pk), _("Unchanged (a space you do not read)")))
        cast(forms.ChoiceField, self.fields["space"]).choices = choices

    def clean_links(self) -> list[contributions.Target]:
        lines = contributions.split_lines(self.cleaned_data.get("links", ""))
        try:
            return contributions.resolve_addresses(self.access, lines, self.hosts)
        except ActionRefused as refusal:
            raise forms.ValidationError(refusal.message) from refusal

    def chosen_space(self) -> Space | None:
        return self.spaces.get(self.cleaned_data.get("space") or WHOLE_COMMUNITY)

    def story(self) -> dict[str, Any]:
        """What the story says, as `do_record_story` and `do_edit_story` take it."""
        return {
            "cycle": self.cleaned_data["cycle"],
            "title": self.cleaned_data["title"],
            "text": self.cleaned_data["text"],
            "space": self.chosen_space(),
            "contributions": self.cleaned_data["links"],
        }


class SponsorForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address of the person"),
        max_length=254,
        help_text=_(
            "A member or anyone with an account here: a sponsor reads the summary, "
            "not the members' conversations."
        ),
    )
