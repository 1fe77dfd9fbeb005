"""`cercle forget_security_events`: delete the security log's rows past their time."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cercle.audit.actions import forget_old_events


class Command(BaseCommand):
    help = (
        "Delete the security log's rows older than CERCLE_SECURITY_LOG_DAYS days "
        "(365 by default; docs/security-log.md). Idempotent; `cercle periodic` runs it daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Keep this many days instead of CERCLE_SECURITY_LOG_DAYS (at least 1).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days: int = options["days"] if options["days"] is not None else settings.SECURITY_LOG_DAYS
        if days < 1:
            raise CommandError("--days must be at least 1: nothing was deleted.")
        forgotten = forget_old_events(days=days)
        self.stdout.write(f"{forgotten} security log row(s) older than {days} days deleted.")
