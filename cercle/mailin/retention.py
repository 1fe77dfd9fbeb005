"""What the received-mail log keeps, and for how long (docs/mail.md, docs/privacy.md).

A handled message keeps its whole text (`raw`) for `CERCLE_MAIL_IN_KEEP_DAYS` days (30),
for staff to read why it was refused; then only the log's columns stay. A message that
failed or still waits keeps its text: it is to be handled again. Every row goes after
`KEEP_ROWS_DAYS` days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from cercle.mailin.models import Outcome, ReceivedMail

KEEP_ROWS_DAYS = 365
UNHANDLED = (Outcome.PENDING, Outcome.FAILED)


@dataclass(frozen=True)
class Forgotten:
    emptied: int  # rows whose text was dropped
    deleted: int  # rows deleted


def forget_old_mail(*, keep_days: int | None = None, now: datetime | None = None) -> Forgotten:
    """Empty the text of handled messages older than `keep_days` (the setting by
    default) and delete the rows older than a year. Idempotent: `cercle periodic` runs
    it every night."""
    now = now or timezone.now()
    keep_days = settings.MAIL_IN_KEEP_DAYS if keep_days is None else keep_days
    deleted, _counts = ReceivedMail.objects.filter(
        received_at__lt=now - timedelta(days=KEEP_ROWS_DAYS)
    ).delete()
    emptied = (
        ReceivedMail.objects.filter(received_at__lt=now - timedelta(days=keep_days))
        .exclude(outcome__in=UNHANDLED)
        .exclude(raw=b"")
        .update(raw=b"")
    )
    return Forgotten(emptied=emptied, deleted=deleted)
