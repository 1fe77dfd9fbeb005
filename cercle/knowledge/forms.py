"""Forms of the library pages; they only read input, the actions decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
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


IMAGE_TYPES = "image/png,image/jpeg,image/webp"


class CollectionEditForm(CollectionForm):
    """The collection's edit form: its words and its cover (checked by the action)."""

    cover = forms.FileField(
        label=_("Cover image"),
        required=False,
        widget=forms.FileInput(attrs={"accept": IMAGE_TYPES}),
    )
    cover_alt = forms.CharField(
        label=_("Description of the cover"),
        max_length=300,
        required=False,
        help_text=_(
            "What the image shows, for those who do not see it. Leave empty if it is "
            "only decorative."
        ),
    )
    remove_cover = forms.BooleanField(label=_("Remove the cover"), required=False)

    def __init__(self, *args: Any, has_cover: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("spaces", None)
        super().__init__(*args, **kwargs)
        self.fields["cover"].help_text = _("PNG, JPEG or WebP, %(size)d MB at most.") % {
            "size": settings.IMAGE_MAX_MB
        }
        if not has_cover:
            del self.fields["remove_cover"]


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


class ResourceEditForm(_ResourceForm):
    """Edit a resource of any kind: the fields that do not fit its kind are left out."""

    url = forms.URLField(label=_("Web address"), max_length=2000, assume_scheme="https")
    upload = forms.FileField(
        label=_("Replace the file"),
        required=False,
        help_text=_("Leave empty to keep the current file."),
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    excerpt = forms.CharField(
        label=_("Excerpt"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why it is worth reading, in your own words."),
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 10}), help_text=_("Markdown.")
    )
    field_order = ["url", "upload", "title", "excerpt", "note", "tags"]

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kind != "link":
            del self.fields["url"]
        if kind != "file":
            del self.fields["upload"]
        if kind != "note":
            del self.fields["note"]
        if kind == "link":
            self.fields["title"].required = False
            self.fields["title"].help_text = _("Leave empty to use the address.")


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 4}))


class BookmarksForm(forms.Form):
    upload = forms.FileField(
        label=_("Bookmarks file"),
        help_text=_("The HTML file your browser writes with “Export bookmarks”."),
    )
