from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from cercle.conversations.models import FlagReason, Kind, Tag

if TYPE_CHECKING:
    from cercle.personas.models import Persona


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


class PostAsMixin(forms.Form):
    """A persona asked for but no longer offered (retired, or the writer no longer one
    of its speakers) is refused: the message must not go out under the writer's name."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "post_as" not in self.fields and self.data.get("post_as"):
            raise forms.ValidationError(_("You may no longer speak as this persona."))
        return cleaned


def add_post_as(form: forms.Form, personas: Sequence[Persona], name: str) -> None:
    """The "Post as" choice, first in the form, for those who may speak as a persona:
    themselves (empty value) or one of the personas (its id)."""
    if not personas:
        return
    choices = [("", _("Myself (%(name)s)") % {"name": name})]
    choices += [(str(persona.pk), persona.name) for persona in personas]
    field = forms.ChoiceField(
        label=_("Post as"),
        choices=choices,
        required=False,
        help_text=_("Members see a persona's name and story, never who writes for it."),
    )
    form.fields = {"post_as": field, **form.fields}


def chosen_persona(form: forms.Form, personas: Sequence[Persona]) -> Persona | None:
    wanted = form.cleaned_data.get("post_as") or ""
    return next((p for p in personas if str(p.pk) == wanted), None)


class TopicForm(PostAsMixin, forms.Form):
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
        self,
        *args: Any,
        tags: Any,
        kinds: list[tuple[str, StrOrPromise]],
        personas: Sequence[Persona] = (),
        writer: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField[Tag], self.fields["tags"]).queryset = tags
        if not tags.exists():
            del self.fields["tags"]
        cast(forms.ChoiceField, self.fields["kind"]).choices = kinds
        add_post_as(self, personas, writer)


class ReplyForm(PostAsMixin, forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        widget=forms.Textarea(attrs={"rows": 6, "data-mentions": ""}),
        max_length=50_000,
    )
    reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)
    attachments = MultipleFileField(label=_("Attachments"))

    def __init__(
        self, *args: Any, personas: Sequence[Persona] = (), writer: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        add_post_as(self, personas, writer)


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
