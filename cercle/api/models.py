"""What the API stores: the personal access tokens people make on their account page
(shown once, stored hashed, expiring, revocable), and the answers given to POSTs
that carried an `Idempotency-Key`, kept a day so that a repeated request gets the
first answer instead of running its action twice (docs/api.md)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "cercle_pat_"  # noqa: S105 - a prefix that names the token, not a secret

# The lifetimes a person may choose; a token always expires.
LIFETIMES_DAYS = (30, 90, 365)
DEFAULT_LIFETIME_DAYS = 90


def hash_token(token: str) -> str:
    """The SHA-256 of a token: what is stored, so that the database never holds a
    usable secret (a 256-bit random token needs no slow hash)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class PersonalToken(models.Model):
    """A personal access token: acts as its person, narrowed by its scopes."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("person"),
    )
    name = models.CharField(_("name"), max_length=100)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The last characters of the secret, shown in the list so that a person recognises
    # the token a script uses (never enough to guess it).
    hint = models.CharField(_("ends with"), max_length=8, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    # The communities its `admin` scope is limited to; none: wherever the person
    # coordinates.
    admin_communities = models.ManyToManyField(
        "communities.Community",
        blank=True,
        related_name="+",
        verbose_name=_("coordinated communities it may act in"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("personal access token")
        verbose_name_plural = _("personal access tokens")
        ordering: ClassVar[list[str]] = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and not self.is_expired


KEEP_IDEMPOTENT_ANSWERS = timedelta(hours=24)


class IdempotentRequest(models.Model):
    """A POST sent with an `Idempotency-Key`: the caller, the key, a fingerprint of the
    request, and once answered, the answer to give again for 24 hours."""

    # Who sent it: the caller's key (a token, an application's grant or a session),
    # so that two callers never read each other's answers.
    caller = models.CharField(max_length=100)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Empty while the first request runs.
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(blank=True, default=b"")
    location = models.CharField(max_length=2000, blank=True)

    class Meta:
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["caller", "key"], name="api_idempotency_once")
        ]

    def __str__(self) -> str:
        return f"{self.caller} {self.key}"
