"""Forms of the badge pages; they only read input, the actions decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cercle.accounts.models import User
from cercle.badges.actions import MAX_CITATION, MAX_DESCRIPTION, MAX_EMOJI, MAX_NAME, MAX_REASON
from cercle.communities.models import Community, Status

IMAGE_TYPES = "image/png,image/jpeg,image/webp"


class BadgeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=MAX_NAME)
    description = forms.CharField(
        label=_("What it recognizes"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    emoji = forms.CharField(
        label=_("Emoji (optional)"),
        max_length=MAX_EMOJI,
        required=False,
        help_text=_("One emoji shown with the badge, for example 🚲."),
    )
    image = forms.FileField(
        label=_("Image (optional)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": IMAGE_TYPES}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["image"].help_text = _("PNG, JPEG or WebP, %(size)d MB at most.") % {
            "size": settings.IMAGE_MAX_MB
        }


class MemberField(forms.CharField):
    """A member of the community, typed as their @handle (shown on their profile)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Member"))
        kwargs.setdefault("max_length", 60)
        kwargs.setdefault("help_text", _("Their @handle, as shown on their profile."))
        super().__init__(*args, **kwargs)
        self.community: Community | None = None

    def clean(self, value: Any) -> Any:
        handle = str(super().clean(value)).strip().lstrip("@").lower()
        person = User.objects.filter(
            handle=handle,
            is_active=True,
            memberships__community=self.community,
            memberships__status=Status.ACTIVE,
        ).first()
        if person is None:
            raise forms.ValidationError(_("No member of this community has this handle."))
        return person


class _WithMember(forms.Form):
    def __init__(self, *args: Any, community: Community, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(MemberField, self.fields["member"]).community = community


class AwardForm(_WithMember):
    member = MemberField()
    reason = forms.CharField(
        label=_("Reason"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why they receive it: shown on their profile with the badge."),
    )


class PinForm(_WithMember):
    rank = forms.TypedChoiceField(
        label=_("Place"),
        choices=[(1, "1"), (2, "2"), (3, "3")],
        coerce=int,
    )
    member = MemberField()
    citation = forms.CharField(
        label=_("Citation (optional)"),
        max_length=MAX_CITATION,
        required=False,
        help_text=_("A short line on why, shown on the community's page."),
    )


class CitationForm(forms.Form):
    citation = forms.CharField(label=_("Citation"), max_length=MAX_CITATION, required=False)
