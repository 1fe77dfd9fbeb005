"""What SCIM provisioning stores beside the people themselves: the bearer tokens the
organisation's directory uses, the link between a person and their directory entry,
the directory's groups, and the memberships a deprovisioning suspended
(docs/scim.md)."""

from __future__ import annotations

import hashlib
import secrets
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "cercle_scim_"  # noqa: S105 - a prefix that names the token, not a secret


def hash_token(token: str) -> str:
    """The SHA-256 of a token: what is stored, so that the database never holds a
    usable secret (a 256-bit random token needs no slow hash)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class ScimToken(models.Model):
    """A bearer token for the SCIM endpoints, shown once when made, stored hashed."""

    name = models.CharField(_("name"), max_length=100)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("SCIM token")
        verbose_name_plural = _("SCIM tokens")
        ordering: ClassVar[list[str]] = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ScimIdentity(models.Model):
    """A person as the organisation's directory knows them.

    `document` keeps the SCIM attributes the directory last set (name, displayName,
    emails...), so that what it reads back is what it wrote; the person's own fields
    (email, display name, active) are derived from it by `cercle.scim.storage`.
    """

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scim_identity"
    )
    user_name = models.CharField(_("user name"), max_length=254)
    external_id = models.CharField(
        _("external identifier"), max_length=254, null=True, blank=True, unique=True
    )
    document = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("SCIM identity")
        verbose_name_plural = _("SCIM identities")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            # userName is not case-sensitive (RFC 7643, 4.1.1).
            models.UniqueConstraint(Lower("user_name"), name="scim_unique_user_name"),
        ]

    def __str__(self) -> str:
        return self.user_name


class ScimGroup(models.Model):
    """A group of the organisation's directory; its name feeds the same mapping
    rules as the groups a sign-in brings (cercle.sso.mapping)."""

    display_name = models.CharField(_("name"), max_length=200)
    external_id = models.CharField(
        _("external identifier"), max_length=254, null=True, blank=True, unique=True
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="scim_groups", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("SCIM group")
        verbose_name_plural = _("SCIM groups")
        ordering: ClassVar[list[str]] = ["display_name", "pk"]

    def __str__(self) -> str:
        return self.display_name


class SuspendedMembership(models.Model):
    """A membership of an internal community that a deprovisioning suspended, with
    the status it had: reactivation restores exactly these, nothing more."""

    membership = models.OneToOneField(
        "communities.Membership", on_delete=models.CASCADE, related_name="+"
    )
    previous_status = models.CharField(max_length=10)
    suspended_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("suspended membership")
        verbose_name_plural = _("suspended memberships")

    def __str__(self) -> str:
        return f"{self.membership_id} was {self.previous_status}"
