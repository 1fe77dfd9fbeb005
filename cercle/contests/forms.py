"""Contest forms. Times are typed in the community's time zone (`datetime-local`
inputs) and become aware datetimes here; the actions check every rule."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cercle.communities.models import Space
from cercle.contests.actions import ContestPlan, CriterionSpec
from cercle.contests.models import Contest, Criterion, EntryFile, Mode
from cercle.conversations.forms import MultipleFileField

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
HANDLE = re.compile(r"@?([a-z0-9][a-z0-9_-]*)", re.IGNORECASE)


def local_moment(value: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time in `zone` as an aware datetime; a time skipped by a daylight
    saving change does not exist there and is refused."""
    aware = value.replace(tzinfo=zone)
    back = aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if back != value.replace(tzinfo=None):
        raise forms.ValidationError(
            _("This time does not exist in %(zone)s (the clocks change): choose another."),
            params={"zone": str(zone)},
            code="nonexistent",
        )
    return aware


def parse_local(text: str, zone: ZoneInfo) -> datetime | None:
    """`YYYY-MM-DDTHH:MM` in `zone` (a link's ?publish_at=), or None if it is not one."""
    try:
        # A wall-clock time, made aware in the community's zone at once.
        return local_moment(datetime.strptime(text, LOCAL_FORMAT), zone)  # noqa: DTZ007
    except (ValueError, forms.ValidationError):
        return None


class LocalDateTimeField(forms.DateTimeField):
    """A `datetime-local` input read and shown in the community's time zone."""

    def __init__(self, *, zone: ZoneInfo, **kwargs: Any) -> None:
        self.zone = zone
        kwargs.setdefault(
            "widget", forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT)
        )
        kwargs.setdefault("input_formats", [LOCAL_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"])
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value
        for format in self.input_formats:
            try:
                parsed = datetime.strptime(str(value).strip(), format)  # noqa: DTZ007 - made aware below
            except ValueError:
                continue
            return local_moment(parsed, self.zone)
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.astimezone(self.zone).replace(tzinfo=None)
        return value


def handles_from(text: str) -> list[str]:
    """The @handles written in a text field, in order, without repeats."""
    return list(dict.fromkeys(match.lower() for match in HANDLE.findall(text or "")))


TEXT_HELP = _("Markdown: **bold**, *italic*, lists, links.")


class ContestForm(forms.Form):
    """A new contest, or one being edited; once entries are open (`locked`) only the
    title, brief and rules remain."""

    PLAN_FIELDS = (
        "publish_at",
        "submissions_open_at",
        "submissions_close_at",
        "voting_open_at",
        "voting_close_at",
        "mode",
        "votes_per_member",
        "winner_count",
        "hide_authors",
        "jurors",
    )

    title = forms.CharField(label=_("Title"), max_length=200)
    space = forms.ModelChoiceField(label=_("Space"), queryset=Space.objects.none())
    brief = forms.CharField(
        label=_("Brief"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20_000,
        help_text=_(
            "What to create, for whom and why. Markdown: **bold**, *italic*, lists, links."
        ),
    )
    rules = forms.CharField(
        label=_("Rules"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20_000,
        help_text=_(
            "Who may enter, what is allowed, how entries are judged. "
            "Markdown: **bold**, *italic*, lists, links."
        ),
    )
    mode = forms.ChoiceField(
        label=_("How the winners are chosen"), choices=Mode.choices, widget=forms.RadioSelect
    )
    votes_per_member = forms.IntegerField(
        label=_("Votes per member (community vote)"),
        min_value=1,
        max_value=50,
        initial=3,
        help_text=_("At most one vote per entry, never for one's own."),
    )
    winner_count = forms.IntegerField(
        label=_("Number of winners"), min_value=1, max_value=20, initial=3
    )
    hide_authors = forms.BooleanField(
        label=_("Hide the authors' names until the results"), required=False, initial=True
    )
    jurors = forms.CharField(
        label=_("Jurors (jury)"),
        required=False,
        max_length=1000,
        help_text=_("Their @handles, separated by commas or spaces: members who read the space."),
    )

    def __init__(
        self,
        *args: Any,
        zone: ZoneInfo,
        spaces: QuerySet[Space] | None,
        locked: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone
        zone_name = str(zone)
        moments = {
            "publish_at": (
                _("Publish at"),
                _("Empty: publish now. Time in %(zone)s.") % {"zone": zone_name},
                False,
            ),
            "submissions_open_at": (_("Entries open"), None, True),
            "submissions_close_at": (_("Entries close"), None, True),
            "voting_open_at": (_("Voting opens"), None, True),
            "voting_close_at": (_("Voting closes"), None, True),
        }
        fields: dict[str, forms.Field] = {}
        for name, current in self.fields.items():
            if name == "mode":
                for moment, (label, help_text, required) in moments.items():
                    fields[moment] = LocalDateTimeField(
                        zone=zone,
                        label=label,
                        required=required,
                        help_text=help_text or _("Time in %(zone)s.") % {"zone": zone_name},
                    )
            fields[name] = current
        self.fields = fields
        if spaces is None:
            del self.fields["space"]
        else:
            cast(forms.ModelChoiceField[Space], self.fields["space"]).queryset = spaces
        if locked:
            for name in self.PLAN_FIELDS:
                del self.fields[name]

    @property
    def locked(self) -> bool:
        return "mode" not in self.fields

    def plan(self, criteria: list[CriterionSpec]) -> ContestPlan:
        data = self.cleaned_data
        return ContestPlan(
            publish_at=data.get("publish_at"),
            submissions_open_at=data["submissions_open_at"],
            submissions_close_at=data["submissions_close_at"],
            voting_open_at=data["voting_open_at"],
            voting_close_at=data["voting_close_at"],
            mode=data["mode"],
            votes_per_member=data["votes_per_member"],
            winner_count=data["winner_count"],
            hide_authors=data["hide_authors"],
            juror_handles=handles_from(data.get("jurors", "")),
            criteria=criteria,
        )


class CriterionForm(forms.Form):
    name = forms.CharField(label=_("Criterion"), max_length=100, required=False)
    description = forms.CharField(
        label=_("What the jury looks for"), max_length=500, required=False
    )
    max_score = forms.IntegerField(
        label=_("Maximum score"), min_value=1, max_value=100, initial=10, required=False
    )


class BaseCriteriaFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def specs(self) -> list[CriterionSpec]:
        """The rows that name a criterion; empty rows are left aside."""
        found = []
        for form in self.forms:
            data = form.cleaned_data
            if data.get("name", "").strip():
                found.append(
                    CriterionSpec(
                        name=data["name"],
                        description=data.get("description") or "",
                        max_score=data.get("max_score") or 10,
                    )
                )
        return found


def criteria_formset(
    data: Any = None, criteria: list[Criterion] | None = None
) -> BaseCriteriaFormSet:
    """Rows for the existing criteria, then empty rows up to four (no JavaScript adds rows)."""
    initial = [
        {"name": c.name, "description": c.description, "max_score": c.max_score}
        for c in criteria or []
    ]
    formset_class = forms.formset_factory(
        CriterionForm,
        formset=BaseCriteriaFormSet,
        extra=max(4 - len(initial), 1),
        max_num=10,
        absolute_max=10,
    )
    return cast(BaseCriteriaFormSet, formset_class(data, initial=initial, prefix="criteria"))


def contest_initial(contest: Contest) -> dict[str, Any]:
    return {
        "title": contest.title,
        "brief": contest.brief,
        "rules": contest.rules,
        "publish_at": contest.publish_at,
        "submissions_open_at": contest.submissions_open_at,
        "submissions_close_at": contest.submissions_close_at,
        "voting_open_at": contest.voting_open_at,
        "voting_close_at": contest.voting_close_at,
        "mode": contest.mode,
        "votes_per_member": contest.votes_per_member,
        "winner_count": contest.winner_count,
        "hide_authors": contest.hide_authors,
        "jurors": ", ".join(
            "@" + handle
            for handle in contest.jurors.order_by("handle").values_list("handle", flat=True)
        ),
    }


class FileChoiceField(forms.ModelMultipleChoiceField[EntryFile]):
    def label_from_instance(self, obj: EntryFile) -> str:
        return obj.original_name


class EntryForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=20_000,
        required=False,
        help_text=TEXT_HELP,
    )
    attachments = MultipleFileField(
        label=_("Images or files"),
        help_text=_("Up to 5: images (PNG, JPEG, GIF, WebP), PDF, office documents, text."),
    )
    remove_files = FileChoiceField(
        label=_("Remove these files"),
        queryset=EntryFile.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, files_of_entry: QuerySet[EntryFile] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if files_of_entry is None or not files_of_entry.exists():
            del self.fields["remove_files"]
        else:
            cast(FileChoiceField, self.fields["remove_files"]).queryset = files_of_entry


class ScoreForm(forms.Form):
    """One number per criterion, from 0 to its maximum."""

    def __init__(self, *args: Any, criteria: list[Criterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for criterion in criteria:
            self.fields[f"criterion_{criterion.pk}"] = forms.IntegerField(
                label=_("%(name)s (0 to %(max)d)")
                % {"name": criterion.name, "max": criterion.max_score},
                min_value=0,
                max_value=criterion.max_score,
                help_text=criterion.description,
            )

    def scores(self) -> dict[int, int]:
        return {
            int(name.removeprefix("criterion_")): value for name, value in self.cleaned_data.items()
        }
