from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, ClassVar
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_stubs_ext import StrOrPromise

from cercle.richtext import render_markdown

if TYPE_CHECKING:
    from cercle.accounts.models import User


class Audience(models.TextChoices):
    INTERNAL = "internal", _("Internal: people of the organization only")
    EXTERNAL = "external", _("External: open to anyone")


class Entry(models.TextChoices):
    OPEN = "open", _("Open: join in one click")
    REQUEST = "request", _("On request: coordinators approve")
    INVITATION = "invitation", _("On invitation only")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public: non-members can read the public spaces")
    MEMBERS = "members", _("Members only: non-members see the landing page")


class Role(models.TextChoices):
    # A role is shown beside a person's name: in French, as the function it is
    # ("Coordination", "Modération"), which fits every person, rather than a noun
    # that would have to agree with them ("Coordinateur" for Camille).
    COORDINATOR = "coordinator", pgettext_lazy("role of a person", "Coordinator")
    MODERATOR = "moderator", pgettext_lazy("role of a person", "Moderator")
    MEMBER = "member", pgettext_lazy("role of a person", "Member")


class Status(models.TextChoices):
    INVITED = "invited", _("Invited")
    REQUESTED = "requested", _("Asked to join")
    ACTIVE = "active", _("Active")
    LEFT = "left", _("Left")
    BANNED = "banned", _("Banned")
    # Deprovisioned by the organisation (SCIM or an administrator): the membership of
    # an internal community waits, content kept, until the person is reactivated.
    SUSPENDED = "suspended", _("Suspended")


SHORT_LABELS: dict[str, StrOrPromise] = {
    Audience.INTERNAL: _("Internal"),
    Audience.EXTERNAL: _("External"),
    Entry.OPEN: _("Open"),
    Entry.REQUEST: _("On request"),
    Entry.INVITATION: _("On invitation"),
    Visibility.PUBLIC: _("Public"),
    Visibility.MEMBERS: _("Members only"),
}


class InternalEmailDomain(models.Model):
    """An email domain whose verified addresses make a person *internal*."""

    domain = models.CharField(
        _("email domain"),
        max_length=253,
        unique=True,
        help_text=_("For example example.org; subdomains are not included."),
    )

    class Meta:
        verbose_name = _("internal email domain")
        verbose_name_plural = _("internal email domains")
        ordering: ClassVar[list[str]] = ["domain"]

    def __str__(self) -> str:
        return self.domain

    def save(self, *args: object, **kwargs: object) -> None:
        self.domain = self.domain.strip().lower().lstrip("@")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


def _image_path(instance: Community, filename: str, kind: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "img"
    return f"communities/{instance.slug}/{kind}-{secrets.token_hex(8)}.{extension}"


def logo_path(instance: Community, filename: str) -> str:
    return _image_path(instance, filename, "logo")


def cover_path(instance: Community, filename: str) -> str:
    return _image_path(instance, filename, "cover")


def default_time_zone() -> str:
    return str(settings.TIME_ZONE)


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a time zone; use a name such as Europe/Paris."),
            params={"value": value},
        )


class Community(models.Model):
    """A community of practice: a domain, the people who share it, their practice."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("address"), max_length=60, unique=True)
    domain = models.CharField(
        _("domain"), max_length=200, help_text=_("What the community is about.")
    )
    purpose = models.CharField(
        _("purpose"),
        max_length=240,
        help_text=_("A rallying cry: why members come together, in one sentence."),
    )
    charter = models.TextField(_("charter"), blank=True, help_text=_("Markdown."))
    charter_html = models.TextField(editable=False, blank=True)
    benefits = models.TextField(
        _("member benefits"),
        blank=True,
        help_text=_("What members gain, one benefit per line."),
    )
    logo = models.ImageField(_("logo"), upload_to=logo_path, blank=True)
    cover = models.ImageField(_("cover image"), upload_to=cover_path, blank=True)
    language = models.CharField(
        _("main language"), max_length=8, choices=settings.LANGUAGES, default="fr"
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text=_(
            "Where the community lives: scheduled posts and events use its clock, "
            "for example Europe/Paris."
        ),
    )
    rhythm_gap_days = models.PositiveSmallIntegerField(
        _("longest quiet spell"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("The editorial calendar warns when no activity is planned for this many days."),
    )
    audience = models.CharField(
        _("audience"), max_length=10, choices=Audience.choices, default=Audience.EXTERNAL
    )
    entry = models.CharField(_("entry"), max_length=12, choices=Entry.choices, default=Entry.OPEN)
    visibility = models.CharField(
        _("visibility to non-members"),
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.PUBLIC,
    )
    coordinators_need_two_factor = models.BooleanField(
        _("coordinators must use two-factor sign-in"),
        default=False,
        help_text=_(
            "The community's coordinators must add an authenticator app or a security key "
            "before they can use Cercle."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering: ClassVar[list[str]] = ["name"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["audience", "entry"], name="community_typology"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.charter_html = render_markdown(self.charter)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def get_absolute_url(self) -> str:
        return reverse("community", kwargs={"slug": self.slug})

    @property
    def benefit_list(self) -> list[str]:
        return [line.strip(" -*\t") for line in self.benefits.splitlines() if line.strip(" -*\t")]

    @property
    def typology(self) -> list[str]:
        """Short labels of the community's type, for badges."""
        return [
            str(SHORT_LABELS[self.audience]),
            str(SHORT_LABELS[self.entry]),
            str(SHORT_LABELS[self.visibility]),
        ]

    @property
    def zone(self) -> ZoneInfo:
        """The community's clock, for scheduling and for showing times."""
        return ZoneInfo(self.time_zone)

    @property
    def is_internal(self) -> bool:
        return self.audience == Audience.INTERNAL

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC


class Space(models.Model):
    """A place inside a community: open to all its members, or a private working group."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="spaces")
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("address"), max_length=60)
    description = models.TextField(_("description"), blank=True)
    is_private = models.BooleanField(
        _("private"),
        default=False,
        help_text=_("Only its listed members and the coordinators see a private space."),
    )
    is_default = models.BooleanField(default=False, editable=False)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    members: models.ManyToManyField[User, SpaceMember] = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="SpaceMember",
        through_fields=("space", "person"),
        related_name="listed_spaces",
        blank=True,
    )

    class Meta:
        verbose_name = _("space")
        verbose_name_plural = _("spaces")
        ordering: ClassVar[list[str]] = ["position", "name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["community", "slug"], name="space_slug_per_community"),
            models.UniqueConstraint(
                fields=["community"], condition=Q(is_default=True), name="one_default_space"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("space", kwargs={"slug": self.community.slug, "space": self.slug})


class SpaceMember(models.Model):
    """A person listed in a private space (a working group)."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="listings")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="space_listings"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["space", "person"], name="one_listing_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.space}"


class Membership(models.Model):
    """A person's place in a community: their role and where they stand."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    request_message = models.TextField(_("message to the coordinators"), blank=True)
    decision_message = models.TextField(_("message to the person"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["person", "community"], name="one_membership"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["community", "status", "role"], name="membership_by_role"),
            models.Index(fields=["community", "status", "joined_at"], name="membership_newest"),
            models.Index(fields=["person", "status"], name="membership_by_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.community} ({self.role}, {self.status})"

    @property
    def is_active(self) -> bool:
        return self.status == Status.ACTIVE


def invitation_token() -> str:
    return secrets.token_urlsafe(32)


def invitation_expiry() -> datetime:
    return timezone.now() + timedelta(days=settings.INVITATION_DAYS)


class Invitation(models.Model):
    """A single-use invitation sent to an email address."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    token = models.CharField(max_length=64, unique=True, default=invitation_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    message = models.TextField(_("personal message"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    declined_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering: ClassVar[list[str]] = ["-created_at"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["community", "email"], name="invitation_by_email"),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.community}"

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.declined_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )
