"""The search page's box and filters: a GET form that keeps what was chosen."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cercle.communities.models import Community, Space
from cercle.search.query import SearchFilters

# What "Kind" offers, and the filter each choice sets: a topic's kind, or a kind of
# document of its own (the library's resources, the wiki's articles).
KINDS: dict[str, dict[str, str]] = {
    "question": {"topic_kind": "question"},
    "discussion": {"topic_kind": "discussion"},
    "announcement": {"topic_kind": "announcement"},
    "resource": {"kind": "resource"},
    "article": {"kind": "article"},
}
# Filters tucked under "More filters" (open when one of them is set).
MORE = ("space", "tag", "author", "since", "until")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class SearchForm(forms.Form):
    """Every field is optional; a value that is not valid is named next to its field,
    and the search then finds nothing rather than ignoring the filter."""

    q = forms.CharField(label=_("Words to find"), required=False, max_length=200)
    community = forms.ChoiceField(label=_("Community"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[
            ("", _("Any kind")),
            ("question", _("Questions")),
            ("discussion", _("Discussions")),
            ("announcement", _("Announcements")),
            ("resource", _("Library resources")),
            ("article", _("Wiki articles")),
        ],
    )
    solved = forms.ChoiceField(
        label=_("Solved"),
        required=False,
        choices=[("", _("Solved or not")), ("yes", _("Solved only")), ("no", _("Not solved yet"))],
    )
    space = forms.TypedChoiceField(label=_("Space"), required=False, coerce=int, empty_value=None)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=40)
    author = forms.CharField(label=_("Author (@handle)"), required=False, max_length=41)
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("Until"), required=False, widget=DateInput())

    def __init__(
        self, data: Any, *, communities: Sequence[Community], spaces: Sequence[Space]
    ) -> None:
        super().__init__(data)
        for name, field in self.fields.items():
            field.widget.attrs["id"] = f"search-{name}"
        self.fields["q"].widget.input_type = "search"
        community_field = cast(forms.ChoiceField, self.fields["community"])
        community_field.choices = [
            ("", _("All my communities")),
            *((community.slug, community.name) for community in communities),
        ]
        # The spaces the reader may read, under their community's name; any other
        # space (unreadable, or none) is "not one of the choices": nothing to leak.
        grouped: dict[str, list[tuple[int, str]]] = {}
        for space in spaces:
            grouped.setdefault(space.community.name, []).append((space.pk, space.name))
        space_field = cast(forms.TypedChoiceField, self.fields["space"])
        space_field.choices = [("", _("Any space")), *grouped.items()]

    def clean_tag(self) -> str:
        tag: str = self.cleaned_data["tag"]
        return tag.lstrip("#").strip()

    def clean_author(self) -> str:
        author: str = self.cleaned_data["author"]
        return author.strip().lstrip("@")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end of the period comes before its start."))
        return cleaned

    @property
    def text(self) -> str:
        return str(self.cleaned_data.get("q") or "").strip() if self.is_bound else ""

    @property
    def more_is_open(self) -> bool:
        """Whether "More filters" starts open: one of them is set or refused."""
        return any(self.data.get(name) or self.errors.get(name) for name in MORE)

    def filters(self, communities: Sequence[Community], author_id: int | None) -> SearchFilters:
        """The filters chosen (call once the form is valid). `author_id` is the
        author's account, or None when no author is asked for."""
        data = self.cleaned_data
        community = next((c for c in communities if c.slug == data["community"]), None)
        kind = dict(KINDS.get(data["kind"], {}))
        solved = {"yes": True, "no": False}.get(data["solved"])
        if solved is False and not kind:
            # "Not solved yet" is said of questions: a discussion is never solved.
            kind = {"topic_kind": "question"}
        return SearchFilters(
            community_id=community.pk if community else None,
            space_id=data["space"],
            solved=solved,
            tag=data["tag"][:40],
            author_id=author_id,
            since=_start_of(data["since"]),
            until=_start_of(data["until"] + timedelta(days=1) if data["until"] else None),
            **kind,
        )


def _start_of(day: Any) -> datetime | None:
    """Midnight at the start of `day`, in the reader's time zone."""
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, time.min))
