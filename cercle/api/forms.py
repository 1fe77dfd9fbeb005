from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from cercle.api.caller import Scope
from cercle.api.models import DEFAULT_LIFETIME_DAYS, LIFETIMES_DAYS
from cercle.communities.models import Community

# What a token may do, from the least to the most: each level adds to the one before.
LEVELS = {
    "read": (Scope.READ,),
    "write": (Scope.READ, Scope.WRITE),
    "admin": (Scope.READ, Scope.WRITE, Scope.ADMIN),
}
LEVEL_CHOICES = [
    ("read", _("Read: what you may read, nothing more")),
    ("write", _("Read and write: post, react, vote and answer as you")),
    ("admin", _("Read, write and coordinate: also manage members and read the cockpit")),
]


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What uses it, for example “Weekly report script”."),
    )
    level = forms.ChoiceField(
        label=_("What it may do"),
        choices=LEVEL_CHOICES,
        initial="read",
        widget=forms.RadioSelect,
        help_text=_("Never more than you may do yourself."),
    )
    days = forms.TypedChoiceField(
        label=_("Expires after"),
        coerce=int,
        choices=(),  # filled in __init__, in the reader's language
        initial=DEFAULT_LIFETIME_DAYS,
    )
    communities = forms.ModelMultipleChoiceField(
        label=_("Coordinate only in"),
        queryset=Community.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("With “coordinate”: leave all unticked for every community you coordinate."),
    )

    def __init__(self, *args: Any, coordinated: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["days"]).choices = [
            (days, _("%(days)d days") % {"days": days}) for days in LIFETIMES_DAYS
        ]
        if coordinated is None or not coordinated.exists():
            del self.fields["communities"]
            cast(forms.ChoiceField, self.fields["level"]).choices = LEVEL_CHOICES[:2]
        else:
            cast(
                "forms.ModelMultipleChoiceField[Community]", self.fields["communities"]
            ).queryset = coordinated

    def scopes(self) -> tuple[Scope, ...]:
        return LEVELS[self.cleaned_data["level"]]
