"""What Cercle knows of the addresses it sends to: those that bounce."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BounceKind(models.TextChoices):
    HARD = "hard", _("Permanent failure")
    SOFT = "soft", _("Temporary failure")


class Bounce(models.Model):
    """An address mail to which came back undelivered (a delivery report, RFC 3464).

    While `stopped` is set, nothing is sent to it: a hard bounce stops at once, soft
    bounces after several (docs/mail.md). The person sees why on their account page,
    and starts mail again there once they fixed it (or by changing their address)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bounces"
    )
    address = models.EmailField(_("address"), max_length=254)
    kind = models.CharField(_("kind"), max_length=8, choices=BounceKind.choices)
    # The report's words: the status code (5.1.1) and the server's diagnostic.
    status = models.CharField(_("status"), max_length=16, blank=True)
    diagnostic = models.CharField(_("diagnostic"), max_length=500, blank=True)
    count = models.PositiveIntegerField(default=1)
    first_at = models.DateTimeField(auto_now_add=True)
    last_at = models.DateTimeField(auto_now=True)
    stopped = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("bounce")
        verbose_name_plural = _("bounces")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["person", "address"], name="one_bounce_per_address"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            # Sending asks whether an address is stopped, by address.
            models.Index(
                fields=["address"], condition=models.Q(stopped=True), name="bounce_stopped"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} bounce of {self.address}"
