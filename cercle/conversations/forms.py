from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from cercle.conversations.models import FlagReason, Kind, Tag


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; each is checked by content in the action."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class TopicForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, widget=forms.RadioSelect)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 10, "data-mentions": ""}),
        help_text=_(
            "Markdown: **bold**, *italic*, lists, tables, `code`; @handle mentions a member."
        ),
        max_length=50_000,
    )
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"),
        queryset=Tag.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    attachments = MultipleFileField(
        label=_("Attachments"), help_text=_("Images, PDF, office documents.")
    )

    def __init__(
        self, *args: Any, tags: Any, kinds: list[tuple[str, StrOrPromise]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField[Tag], self.fields["tags"]).queryset = tags
        if not tags.exists():
            del self.fields["tags"]
        cast(forms.ChoiceField, self.fields["kind"]).choices = kinds


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        widget=forms.Textarea(attrs={"rows": 6, "data-mentions": ""}),
        max_length=50_000,
    )
    reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)
    attachments = MultipleFileField(label=_("Attachments"))


class EditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    body = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 12}), max_length=50_000
    )


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why should moderators look at this message?"),
        choices=FlagReason.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Details (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TagForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=40)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
