"""Mail received: every message, with what became of it, and the spaces that take
new topics by email."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Transport(models.TextChoices):
    SMTP = "smtp", "SMTP"
    LMTP = "lmtp", "LMTP"
    IMAP = "imap", "IMAP"
    # Handed to `receiving.receive` by other means (the tests, a pipe).
    DIRECT = "direct", _("Direct")


class Outcome(models.TextChoices):
    """What became of a message; every refusal says why, to staff and (where it is safe
    to answer) to the sender, by email."""

    PENDING = "pending", _("Waiting to be handled")
    POSTED = "posted", _("Posted as a reply")
    TOPIC_STARTED = "topic_started", _("Started a topic")
    BOUNCE_RECORDED = "bounce_recorded", _("Delivery report recorded")
    IGNORED_AUTO_REPLY = "ignored_auto_reply", _("Ignored: an automatic reply")
    IGNORED_LOOP = "ignored_loop", _("Ignored: our own message came back")
    IGNORED_DUPLICATE = "ignored_duplicate", _("Ignored: received already")
    REFUSED_ADDRESS = "refused_address", _("Refused: unknown address")
    REFUSED_SENDER = "refused_sender", _("Refused: the sender does not own the address")
    REFUSED_PERMISSION = "refused_permission", _("Refused: not allowed")
    REFUSED_SPACE_CLOSED = "refused_space_closed", _("Refused: the space takes no email")
    REFUSED_TOO_LARGE = "refused_too_large", _("Refused: too large")
    REFUSED_RATE = "refused_rate", _("Refused: too many messages")
    REFUSED_DMARC = "refused_dmarc", _("Refused: failed DMARC")
    REFUSED_EMPTY = "refused_empty", _("Refused: nothing to post")
    REFUSED_INVALID = "refused_invalid", _("Refused: not valid")
    FAILED = "failed", _("Failed: will be tried again")


class ReceivedMail(models.Model):
    """One message received for one Cercle address, kept whole (`raw`) until handled
    and for the log, with its outcome."""

    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    transport = models.CharField(max_length=8, choices=Transport.choices)
    envelope_from = models.CharField(max_length=320, blank=True)
    recipient = models.CharField(max_length=320)
    from_address = models.CharField(max_length=320, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    message_id = models.CharField(max_length=300, blank=True)
    size = models.PositiveIntegerField(default=0)
    raw = models.BinaryField()
    outcome = models.CharField(max_length=24, choices=Outcome.choices, default=Outcome.PENDING)
    # Why, in words for staff (the refusal's message, the error).
    reason = models.TextField(blank=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    community = models.ForeignKey(
        "communities.Community", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    topic = models.ForeignKey(
        "conversations.Topic", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    post = models.ForeignKey(
        "conversations.Post", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)
    # When Cercle answered the sender by email (a refusal explained): at most one
    # answer per sender and hour, so that forged senders cannot turn Cercle into a
    # source of backscatter (docs/mail.md).
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("received message")
        verbose_name_plural = _("received messages")
        ordering: ClassVar[list[str]] = ["-received_at", "-pk"]
        indexes: ClassVar[list[models.Index]] = [
            # The staff log, filtered by outcome, newest first.
            models.Index(fields=["outcome", "-received_at"], name="received_by_outcome"),
            # The rate limit: one sender's messages of the last hour.
            models.Index(fields=["from_address", "received_at"], name="received_by_sender"),
            # A message delivered twice is handled once.
            models.Index(fields=["message_id", "recipient"], name="received_by_message_id"),
            # What is left to handle or retry.
            models.Index(
                fields=["received_at"],
                condition=Q(outcome__in=["pending", "failed"]),
                name="received_to_handle",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.outcome}: {self.from_address} to {self.recipient}"


class SpaceMailbox(models.Model):
    """A space that takes new topics by email, at `<local>+<community>.<space>@<domain>`;
    without a row (or disabled), its address refuses."""

    space = models.OneToOneField(
        "communities.Space", on_delete=models.CASCADE, related_name="mailbox"
    )
    enabled = models.BooleanField(default=True)
    # The kind of topic a message starts (a question in a Q&A space, say).
    kind = models.CharField(max_length=20, default="discussion")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("space mailbox")
        verbose_name_plural = _("space mailboxes")

    def __str__(self) -> str:
        return f"mailbox of space {self.space_id}"
