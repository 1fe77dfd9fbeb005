"""`cercle forget_received_mail`: the received-mail log forgets what it keeps no longer."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cercle.mailin.retention import KEEP_ROWS_DAYS, forget_old_mail


class Command(BaseCommand):
    help = (
        "Empty the text of received messages handled more than CERCLE_MAIL_IN_KEEP_DAYS "
        f"days ago (30 by default; those that failed or wait keep it), and delete the rows "
        f"older than {KEEP_ROWS_DAYS} days (docs/mail.md). Idempotent; `cercle periodic` "
        "runs it daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Keep the texts this many days instead of CERCLE_MAIL_IN_KEEP_DAYS (at least 1).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days: int = options["days"] if options["days"] is not None else settings.MAIL_IN_KEEP_DAYS
        if days < 1:
            raise CommandError("--days must be at least 1: nothing was changed.")
        forgotten = forget_old_mail(keep_days=days)
        self.stdout.write(
            f"{forgotten.emptied} received message(s) older than {days} days emptied, "
            f"{forgotten.deleted} older than {KEEP_ROWS_DAYS} days deleted."
        )
