from __future__ import annotations

from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from cercle.animation.actions import MAX_BODY, MAX_GAP_DAYS, MIN_GAP_DAYS
from cercle.communities.models import Space

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def local_input(moment: datetime | None, zone: ZoneInfo) -> str:
    """An aware moment as a `datetime-local` input shows it, in `zone`."""
    return timezone.localtime(moment, zone).strftime(LOCAL_FORMAT) if moment else ""


def parse_local_input(value: str) -> str:
    """`value` if it is a `datetime-local` moment (a prefilled link), else ''."""
    try:
        datetime.strptime(value, LOCAL_FORMAT)  # noqa: DTZ007 - a wall-clock time, zoned later
    except ValueError:
        return ""
    return value


class PlannedPostForm(forms.Form):
    space = forms.ModelChoiceField(
        label=_("Space"), queryset=Space.objects.none(), to_field_name="slug", empty_label=None
    )
    topic_kind = forms.ChoiceField(label=_("Kind"), widget=forms.RadioSelect)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Markdown: **bold**, *italic*, lists, tables, `code`."),
        max_length=MAX_BODY,
    )
    publish_at = forms.DateTimeField(
        label=_("Publish on"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT),
        input_formats=[LOCAL_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
    )

    def __init__(
        self,
        *args: Any,
        spaces: list[Space],
        kinds: list[tuple[str, StrOrPromise]],
        zone: ZoneInfo,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone
        space_field = cast(forms.ModelChoiceField[Space], self.fields["space"])
        space_field.queryset = Space.objects.filter(pk__in=[space.pk for space in spaces])
        space_field.choices = [(space.slug, space.name) for space in spaces]
        cast(forms.ChoiceField, self.fields["topic_kind"]).choices = kinds
        self.fields["publish_at"].help_text = _(
            "In the community's time zone, %(zone)s. Leave empty to publish at once."
        ) % {"zone": zone.key}

    def full_clean(self) -> None:
        # The typed wall-clock time is the community's, whoever plans it and wherever.
        with timezone.override(self.zone):
            super().full_clean()


class RhythmForm(forms.Form):
    rhythm_gap_days = forms.IntegerField(
        label=_("Point out a gap after this many days without activity"),
        min_value=MIN_GAP_DAYS,
        max_value=MAX_GAP_DAYS,
    )
