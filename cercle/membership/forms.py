from __future__ import annotations

from typing import Any, cast
from zoneinfo import available_timezones

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from cercle.accounts.models import User
from cercle.communities.models import Community, Role, Space, default_time_zone

TIME_ZONES = [(zone, zone.replace("_", " ")) for zone in sorted(available_timezones())]


class CommunityForm(forms.ModelForm[Community]):
    class Meta:
        model = Community
        fields = [
            "name", "slug", "domain", "purpose", "benefits", "charter", "language",
            "time_zone", "rhythm_gap_days", "audience", "entry", "visibility", "logo", "cover",
            "coordinators_need_two_factor",
        ]  # fmt: skip
        widgets = {
            "benefits": forms.Textarea(attrs={"rows": 4}),
            "charter": forms.Textarea(attrs={"rows": 10}),
            "time_zone": forms.Select(choices=TIME_ZONES),
            "audience": forms.RadioSelect,
            "entry": forms.RadioSelect,
            "visibility": forms.RadioSelect,
            "logo": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
            "cover": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
        }
        help_texts = {
            "slug": _("The community's web address: lowercase letters, digits and hyphens."),
        }

    def _clean_image(self, name: str) -> Any:
        image = self.cleaned_data.get(name)
        if isinstance(image, UploadedFile) and image.size is not None:
            limit = settings.IMAGE_MAX_MB * 1024 * 1024
            if image.size > limit:
                raise forms.ValidationError(
                    _("This image is too large: the limit is %(size)d MB.")
                    % {"size": settings.IMAGE_MAX_MB}
                )
            if (image.content_type or "") not in {"image/png", "image/jpeg", "image/webp"}:
                raise forms.ValidationError(_("Use a PNG, JPEG or WebP image."))
        return image

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Both have sensible defaults: a form that leaves them out keeps them.
        self.fields["time_zone"].required = False
        self.fields["rhythm_gap_days"].required = False

    def clean_time_zone(self) -> str:
        zone = self.cleaned_data.get("time_zone")
        return str(zone or self.instance.time_zone or default_time_zone())

    def clean_rhythm_gap_days(self) -> int:
        days = self.cleaned_data.get("rhythm_gap_days")
        return int(days or self.instance.rhythm_gap_days or 7)

    def clean_logo(self) -> Any:
        return self._clean_image("logo")

    def clean_cover(self) -> Any:
        return self._clean_image("cover")


class SpaceForm(forms.ModelForm[Space]):
    class Meta:
        model = Space
        fields = ["name", "description", "is_private"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class JoinRequestForm(forms.Form):
    message = forms.CharField(
        label=_("A word to the coordinators (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Tell them who you are and what brings you here."),
    )


class DecisionForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the person (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InviteForm(forms.Form):
    addresses = forms.CharField(
        label=_("Email addresses"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Paste as many as you like: one per line, or separated by commas."),
    )
    message = forms.CharField(
        label=_("Personal message (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class ListInSpaceForm(forms.Form):
    person: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Member"), queryset=User.objects.none()
    )

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField[Any], self.fields["person"]).queryset = members
