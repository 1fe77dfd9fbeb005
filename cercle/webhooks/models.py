"""Endpoints a coordinator (for a community) or staff (for the instance) registers, and
each delivery made to them, kept as the delivery log (docs/api.md)."""

from __future__ import annotations

import base64
import secrets
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cercle.webhooks import catalogue


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def new_message_id() -> str:
    """A delivery's `webhook-id`: the same for every attempt of one message."""
    return "msg_" + secrets.token_urlsafe(18)


class Endpoint(models.Model):
    """A URL told of what happens: in one community, or (no community) everywhere."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    # None: an instance-wide endpoint, registered by staff.
    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhook_endpoints",
    )
    url = models.URLField(_("address"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    secret = models.CharField(max_length=100, default=new_secret)
    # The chosen types' names between commas (",topic.created,post.created,"), so that
    # one portable `contains` finds the endpoints of a type.
    types = models.CharField(max_length=1000, blank=True)
    active = models.BooleanField(_("active"), default=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    # Since when every attempt has failed (None after a success): a day of it disables.
    failing_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["community", "active"], name="webhook_endpoint_community"),
        ]

    def __str__(self) -> str:
        return self.url

    def get_absolute_url(self) -> str:
        if self.community is None:
            return reverse("webhooks:staff_endpoint", kwargs={"pk": self.pk})
        return reverse("webhooks:endpoint", kwargs={"slug": self.community.slug, "pk": self.pk})

    @property
    def type_names(self) -> list[str]:
        return [name for name in self.types.split(",") if name]

    @type_names.setter
    def type_names(self, names: list[str]) -> None:
        chosen = [kind.name for kind in catalogue.EVENT_TYPES if kind.name in set(names)]
        self.types = f",{','.join(chosen)}," if chosen else ""

    @property
    def type_labels(self) -> list[str]:
        return [str(catalogue.BY_NAME[n].label) for n in self.type_names if n in catalogue.BY_NAME]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    # Not sent: the object is gone or hidden, or the owner may not read it.
    WITHHELD = "withheld", _("Not sent")


class Delivery(models.Model):
    """One message to one endpoint, with its attempts' outcome."""

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    # What it tells of (None for a test ping); read again at each attempt.
    event = models.ForeignKey(
        "activity.ActivityEvent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    message_id = models.CharField(max_length=40, default=new_message_id)
    event_type = models.CharField(max_length=60)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    payload = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_response = models.CharField(max_length=500, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes: ClassVar[list[models.Index]] = [
            # The delivery log of an endpoint, newest first.
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_log"),
            # What is due for an attempt (the retry job).
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.message_id}"
