"""Forms of the library pages; they only read input, the actions decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cercle.communities.models import Space
from cercle.conversations.models import Tag


class CollectionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    space = forms.ModelChoiceField(
        label=_("Space"),
        queryset=Space.objects.none(),
        help_text=_("Who may read the collection: the readers of this space."),
    )

    def __init__(self, *args: Any, spaces: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if spaces is None:
            del self.fields["space"]
        else:
            self.fields["space"].queryset = spaces  # type: ignore[attr-defined]


class _ResourceForm(forms.Form):
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"),
        queryset=Tag.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, tags: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tags"].queryset = tags if tags is not None else Tag.objects.none()  # type: ignore[attr-defined]
        if tags is None or not tags.exists():
            del self.fields["tags"]


class LinkForm(_ResourceForm):
    url = forms.URLField(label=_("Web address"), max_length=2000, assume_scheme="https")
    title = forms.CharField(
        label=_("Title"),
        max_length=300,
        required=False,
        help_text=_("Leave empty to use the address, or fetch it from the page."),
    )
    excerpt = forms.CharField(
        label=_("Excerpt"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why it is worth reading, in your own words."),
    )
    field_order = ["url", "title", "excerpt", "tags"]


class FileForm(_ResourceForm):
    upload = forms.FileField(label=_("File"))
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    excerpt = forms.CharField(
        label=_("Excerpt"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    field_order = ["upload", "title", "excerpt", "tags"]


class NoteForm(_ResourceForm):
    title = forms.CharField(label=_("Title"), max_length=300)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 10}), help_text=_("Markdown.")
    )
    field_order = ["title", "note", "tags"]


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 4}))


class BookmarksForm(forms.Form):
    upload = forms.FileField(
        label=_("Bookmarks file"),
        help_text=_("The HTML file your browser writes with “Export bookmarks”."),
    )
