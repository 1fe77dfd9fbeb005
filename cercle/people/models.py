from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from cercle.richtext import render_markdown

if TYPE_CHECKING:
    from cercle.accounts.models import User


class Follow(models.Model):
    """Someone follows a person, a topic, a space or a tag: exactly one of the four."""

    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="followers",
    )
    topic = models.ForeignKey(
        "conversations.Topic", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    space = models.ForeignKey(
        "communities.Space", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    tag = models.ForeignKey(
        "conversations.Tag", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=(
                    Q(person__isnull=False, topic=None, space=None, tag=None)
                    | Q(person=None, topic__isnull=False, space=None, tag=None)
                    | Q(person=None, topic=None, space__isnull=False, tag=None)
                    | Q(person=None, topic=None, space=None, tag__isnull=False)
                ),
                name="follow_exactly_one_target",
            ),
            models.UniqueConstraint(
                fields=["follower", "person"],
                condition=Q(person__isnull=False),
                name="follow_person_once",
            ),
            models.UniqueConstraint(
                fields=["follower", "topic"],
                condition=Q(topic__isnull=False),
                name="follow_topic_once",
            ),
            models.UniqueConstraint(
                fields=["follower", "space"],
                condition=Q(space__isnull=False),
                name="follow_space_once",
            ),
            models.UniqueConstraint(
                fields=["follower", "tag"], condition=Q(tag__isnull=False), name="follow_tag_once"
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["topic"], name="follow_by_topic"),
            models.Index(fields=["space"], name="follow_by_space"),
            models.Index(fields=["tag"], name="follow_by_tag"),
            models.Index(fields=["person"], name="follow_by_person"),
        ]

    def __str__(self) -> str:
        target = self.person_id or self.topic_id or self.space_id or self.tag_id
        return f"{self.follower_id} follows {target}"


class FieldVisibility(models.TextChoices):
    """Who sees one field of a profile, among those who see the profile itself."""

    PROFILE = "profile", _("Everyone who can see my profile")
    COMMUNITIES = "communities", _("Members of my communities")
    ONLY_ME = "me", _("Only me")


class Level(models.IntegerChoices):
    LEARNING = 1, _("Learning")
    PRACTISING = 2, _("Practising")
    EXPERT = 3, _("Expert")


# The languages a member may say they speak: a short list, not every language on earth.
SPOKEN_LANGUAGES: list[tuple[str, StrOrPromise]] = [
    ("fr", _("French")),
    ("en", _("English")),
    ("de", _("German")),
    ("es", _("Spanish")),
    ("it", _("Italian")),
    ("nl", _("Dutch")),
    ("pt", _("Portuguese")),
    ("ar", _("Arabic")),
    ("zh", _("Chinese")),
    ("lsf", _("French Sign Language")),
]
MAX_LINKS = 5


def avatar_path(instance: Profile, filename: str) -> str:
    # Random names: the original file name is never kept, nor guessable.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "img"
    return f"avatars/{instance.person_id}-{secrets.token_hex(8)}.{extension}"


class Profile(models.Model):
    """What a member tells others about themselves, and who may see each part.

    Created lazily (`profile_for`): a person without one is shown a default profile.
    """

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="profile",
    )
    avatar = models.ImageField(_("photo"), upload_to=avatar_path, blank=True)
    headline = models.CharField(
        _("headline"),
        max_length=120,
        blank=True,
        help_text=_("One line about what you do, for example “Bike mechanic in Lyon”."),
    )
    bio = models.TextField(_("about me"), max_length=5000, blank=True, help_text=_("Markdown."))
    bio_html = models.TextField(editable=False, blank=True)
    organization = models.CharField(_("organization"), max_length=120, blank=True)
    location = models.CharField(_("location"), max_length=120, blank=True)
    languages = models.JSONField(_("languages I speak"), default=list, blank=True)
    interests = models.TextField(_("interests and passions"), max_length=1000, blank=True)
    ask_me_about = models.TextField(
        _("ask me about"),
        max_length=1000,
        blank=True,
        help_text=_("What others may come to you for."),
    )
    # [{"label": ..., "url": ...}], at most MAX_LINKS, http(s) only (checked by the action).
    links = models.JSONField(_("links"), default=list, blank=True)
    is_public = models.BooleanField(
        _("public profile"),
        default=False,
        help_text=_(
            "Public: anyone may see your profile. Otherwise only people who share a "
            "community with you."
        ),
    )
    named_in_analytics = models.BooleanField(
        _("named in the animators' figures"),
        default=True,
        help_text=_(
            "The coordinators' cockpit may name you in its lists (top contributors, members "
            "to welcome back). Unticked, you are still counted in the figures, never named."
        ),
    )
    email_visibility = models.CharField(
        _("who sees my email address"),
        max_length=12,
        choices=FieldVisibility.choices,
        default=FieldVisibility.ONLY_ME,
    )
    organization_visibility = models.CharField(
        _("who sees my organization"),
        max_length=12,
        choices=FieldVisibility.choices,
        default=FieldVisibility.PROFILE,
    )
    location_visibility = models.CharField(
        _("who sees my location"),
        max_length=12,
        choices=FieldVisibility.choices,
        default=FieldVisibility.PROFILE,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return f"profile of {self.person_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.bio_html = render_markdown(self.bio)
        super().save(*args, **kwargs)

    @property
    def language_names(self) -> list[str]:
        names = dict(SPOKEN_LANGUAGES)
        return [str(names[code]) for code in self.languages if code in names]


def profile_for(person: User) -> Profile:
    """The person's stored profile, created (empty, private) the first time it is needed."""
    profile, _created = Profile.objects.get_or_create(person=person)
    return profile


def stored_profile(person: User) -> Profile | None:
    """The person's profile if they have one: from the cache that select_related
    filled, or loaded once (a missing one raises an AttributeError, so None)."""
    profile: Profile | None = getattr(person, "profile", None)
    return profile


def stored_or_default_profile(person: User) -> Profile:
    """For reading only: the stored profile, or an unsaved default one (nothing is written)."""
    return stored_profile(person) or Profile(person=person)


class Expertise(models.Model):
    """A member's declared expertise on one of their community's tags."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expertise"
    )
    tag = models.ForeignKey("conversations.Tag", on_delete=models.CASCADE, related_name="experts")
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("expertise")
        verbose_name_plural = _("expertise")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["person", "tag"], name="expertise_once_per_tag"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["tag", "level"], name="expertise_by_tag"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} on {self.tag_id}: {self.level}"
