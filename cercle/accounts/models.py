from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

RESERVED_HANDLES = {"me", "admin", "new", "settings", "all", "everyone", "here"}


def unique_handle(name: str) -> str:
    """A free @handle made from a name: "Léa Dubois" gives lea-dubois, then lea-dubois-2..."""
    # Handles follow the mention pattern: lowercase letters, digits and hyphens.
    base = slugify(name).replace("_", "-")[:34].strip("-") or "member"
    handle, number = base, 1
    # Words used in addresses such as /people/me/ are never handles.
    while handle in RESERVED_HANDLES or User.objects.filter(handle=handle).exists():
        number += 1
        handle = f"{base}-{number}"
    return handle


class UserManager(DjangoUserManager["User"]):
    """People sign in with their email address; there is no username."""

    use_in_migrations = True

    def _create_user_by_email(self, email: str, password: str | None, **extra_fields: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra_fields: Any
    ) -> User:
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user_by_email(email, password, **extra_fields)

    def create_superuser(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra_fields: Any
    ) -> User:
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user_by_email(email, password, **extra_fields)


class User(AbstractUser):
    """A person with an account on this Cercle instance.

    Memberships, profiles and roles live in their own apps; this model holds only
    what every page needs: who the person is called and which language they read.
    """

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(
        _("display name"),
        max_length=80,
        help_text=_("How other members see you, for example “Camille Martin”."),
    )
    handle = models.SlugField(
        _("handle"),
        max_length=40,
        unique=True,
        help_text=_("How others mention you, as @handle."),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("The language of pages and emails; empty follows the browser."),
    )
    # Set when the person signs in through (or is provisioned by) an identity provider
    # marked as the organisation's: it makes them *internal* whatever their address
    # (docs/sso.md). Empty for everyone else; cleared when that is no longer true.
    organisation_provider = models.CharField(
        _("organisation's identity provider"),
        max_length=200,
        blank=True,
        help_text=_("The identity provider that vouches for this person as internal."),
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["display_name"]

    objects: ClassVar[UserManager] = UserManager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering: ClassVar[list[str]] = ["display_name", "email"]

    def __str__(self) -> str:
        return self.display_name or self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.handle:
            self.handle = unique_handle(self.display_name or self.email.split("@")[0])
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name.split(" ")[0] if self.display_name else self.email


class SecurityPolicy(models.Model):
    """The instance's sign-in rules that staff set on a page (one row, `load()`).

    Whether a given person must use a second factor is answered by
    `cercle.permissions.mfa.must_use_two_factor`, which also reads each community's
    own requirement for its coordinators."""

    staff_and_coordinators_need_two_factor = models.BooleanField(
        _("staff and coordinators must use two-factor sign-in"),
        default=False,
        help_text=_(
            "Staff and the coordinators of every community must add an authenticator app "
            "or a security key before they can use Cercle."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("security policy")
        verbose_name_plural = _("security policy")

    def __str__(self) -> str:
        return str(_("Security policy"))

    @classmethod
    def load(cls) -> SecurityPolicy:
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy
