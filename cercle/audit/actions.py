"""Writes to the security log other than its rows: forgetting old ones."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cercle.audit.models import SecurityEvent

# Rows deleted per statement: a year of a large instance is many rows, and one
# DELETE of all of them would hold its locks (and SQLite's whole database) too long.
BATCH = 5000


def forget_old_events(now: datetime | None = None, *, days: int | None = None) -> int:
    """Delete the rows older than `CERCLE_SECURITY_LOG_DAYS` (or `days`); return how many."""
    keep = timedelta(days=days if days is not None else settings.SECURITY_LOG_DAYS)
    before = (now or timezone.now()) - keep
    forgotten = 0
    while True:
        with transaction.atomic():
            batch = list(
                SecurityEvent.objects.filter(at__lt=before)
                .order_by("pk")
                .values_list("pk", flat=True)[:BATCH]
            )
            if not batch:
                return forgotten
            forgotten += SecurityEvent.objects.filter(pk__in=batch).delete()[0]
