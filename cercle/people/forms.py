from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.forms import BoundField
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from cercle.communities.models import Role
from cercle.conversations.models import Tag
from cercle.errors import ActionRefused
from cercle.people.actions import clean_links
from cercle.people.models import MAX_LINKS, SPOKEN_LANGUAGES, FieldVisibility, Level, Profile

ABOUT_FIELDS = [
    "avatar", "remove_avatar", "headline", "bio", "organization", "location", "languages",
    "interests", "ask_me_about",
]  # fmt: skip
PRIVACY_FIELDS = [
    "is_public", "email_visibility", "organization_visibility", "location_visibility",
    "named_in_analytics",
]  # fmt: skip
VISIBILITY_HELP = _("Among the people who can see your profile.")


class ProfileForm(forms.Form):
    """Everything a member tells about themselves, grouped as the edit page shows it."""

    avatar = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    remove_avatar = forms.BooleanField(label=_("Remove my photo"), required=False)
    headline = forms.CharField(
        label=_("Headline"),
        max_length=120,
        required=False,
        help_text=_("One line about what you do, for example “Bike mechanic in Lyon”."),
    )
    bio = forms.CharField(
        label=_("About me"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Markdown: **bold**, *italics*, lists and links."),
    )
    organization = forms.CharField(label=_("Organization"), max_length=120, required=False)
    location = forms.CharField(
        label=_("Location"),
        max_length=120,
        required=False,
        help_text=_("A city or a region is enough."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages I speak"),
        choices=SPOKEN_LANGUAGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    interests = forms.CharField(
        label=_("Interests and passions"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    ask_me_about = forms.CharField(
        label=_("Ask me about"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What others may come to you for."),
    )
    is_public = forms.TypedChoiceField(
        label=_("Who can see my profile"),
        choices=[
            ("", _("Only people who share a community with me")),
            ("1", _("Anyone, even without an account")),
        ],
        coerce=bool,
        required=False,
        widget=forms.RadioSelect,
    )
    email_visibility = forms.ChoiceField(
        label=_("Who sees my email address"),
        choices=FieldVisibility.choices,
        widget=forms.RadioSelect,
    )
    organization_visibility = forms.ChoiceField(
        label=_("Who sees my organization"),
        choices=FieldVisibility.choices,
        widget=forms.RadioSelect,
        help_text=VISIBILITY_HELP,
    )
    location_visibility = forms.ChoiceField(
        label=_("Who sees my location"),
        choices=FieldVisibility.choices,
        widget=forms.RadioSelect,
        help_text=VISIBILITY_HELP,
    )
    named_in_analytics = forms.BooleanField(
        label=_("Named in the animators' figures"),
        required=False,
        help_text=_(
            "The coordinators' cockpit may name you in its lists (top contributors, members "
            "to welcome back) and suggest you as someone to ask about what you know. "
            "Unticked, you are still counted in the figures, never named."
        ),
    )

    def __init__(self, *args: Any, profile: Profile, email: str, **kwargs: Any) -> None:
        links = list(profile.links or [])
        initial: dict[str, Any] = {
            "headline": profile.headline,
            "bio": profile.bio,
            "organization": profile.organization,
            "location": profile.location,
            "languages": profile.languages,
            "interests": profile.interests,
            "ask_me_about": profile.ask_me_about,
            "is_public": "1" if profile.is_public else "",
            "email_visibility": profile.email_visibility,
            "organization_visibility": profile.organization_visibility,
            "location_visibility": profile.location_visibility,
            "named_in_analytics": profile.named_in_analytics,
        }
        for number in range(1, MAX_LINKS + 1):
            link = links[number - 1] if number <= len(links) else {}
            initial[f"link_label_{number}"] = link.get("label", "")
            initial[f"link_url_{number}"] = link.get("url", "")
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.has_avatar = bool(profile.avatar)
        if not self.has_avatar:
            del self.fields["remove_avatar"]
        self.fields["avatar"].help_text = _(
            "PNG, JPEG or WebP, %(size)d MB at most. Without a photo, your initials are shown."
        ) % {"size": settings.IMAGE_MAX_MB}
        self.fields["email_visibility"].help_text = _(
            "Your address is %(email)s. Among the people who can see your profile."
        ) % {"email": email}
        for number in range(1, MAX_LINKS + 1):
            self.fields[f"link_label_{number}"] = forms.CharField(
                label=_("Label of link %(number)d") % {"number": number},
                max_length=60,
                required=False,
            )
            self.fields[f"link_url_{number}"] = forms.CharField(
                label=_("Address of link %(number)d") % {"number": number},
                max_length=500,
                required=False,
                widget=forms.URLInput(attrs={"placeholder": "https://"}),
            )

    def link_pairs(self) -> list[tuple[str, str]]:
        data = self.cleaned_data
        return [
            (data.get(f"link_label_{n}", ""), data.get(f"link_url_{n}", ""))
            for n in range(1, MAX_LINKS + 1)
        ]

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        try:
            clean_links(self.link_pairs())
        except ActionRefused as refusal:
            self.add_error(None, refusal.message)
        return cleaned

    def _bound(self, names: list[str]) -> list[BoundField]:
        return [self[name] for name in names if name in self.fields]

    def sections(self) -> list[tuple[str, StrOrPromise, list[BoundField]]]:
        """(id, title, fields) of each part of the edit page."""
        links = [f"link_{part}_{n}" for n in range(1, MAX_LINKS + 1) for part in ("label", "url")]
        return [
            (
                "about",
                _("About you"),
                self._bound(ABOUT_FIELDS),
            ),
            ("links", _("Links"), self._bound(links)),
            (
                "privacy",
                _("Who sees what"),
                self._bound(PRIVACY_FIELDS),
            ),
        ]


class ExpertiseForm(forms.Form):
    tag = forms.TypedChoiceField(label=_("Tag"), coerce=int)
    level = forms.TypedChoiceField(label=_("Level"), choices=Level.choices, coerce=int)

    def __init__(self, *args: Any, tags: list[tuple[Any, list[Tag]]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.TypedChoiceField, self.fields["tag"]).choices = [
            (community.name, [(tag.pk, f"#{tag.slug} ({tag.name})") for tag in community_tags])
            for community, community_tags in tags
        ]


class DirectoryForm(forms.Form):
    """The directory's filters (read from the query string; bad values are ignored)."""

    q = forms.CharField(label=_("Name or @handle"), max_length=100, required=False)
    tag = forms.ChoiceField(label=_("Expertise"), required=False)
    role = forms.ChoiceField(
        label=_("Role"),
        required=False,
        choices=[("", _("Any role")), *Role.choices],
    )

    def __init__(self, *args: Any, tags: list[Tag], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["tag"]).choices = [
            ("", _("Any expertise")),
            *((t.slug, f"#{t.slug}") for t in tags),
        ]


class ExpertsForm(forms.Form):
    q = forms.CharField(
        label=_("Subject"),
        max_length=200,
        required=False,
        help_text=_("Words to look for in the conversations, for example “brakes”."),
    )
    tag = forms.ChoiceField(label=_("Tag"), required=False)

    def __init__(self, *args: Any, tags: list[Tag], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["tag"]).choices = [
            ("", _("Any tag")),
            *((t.slug, f"#{t.slug}") for t in tags),
        ]
