"""`cercle mail-in-retry`: handle the received messages left pending or failed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cercle.mailin.receiving import MAX_ATTEMPTS, process_pending


class Command(BaseCommand):
    help = (
        "Handle the received messages that are still waiting (stored, not yet handled) "
        "and try again those whose handling failed (the database was down, say), the "
        f"oldest first; a message that failed {MAX_ATTEMPTS} times stays failed for "
        "staff to see. Idempotent: a message is never handled twice. The scheduler runs "
        "it every minute, so that nothing waits for the receiver. docs/mail.md."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # Spelled as people type it (`cercle mail-in-retry`), not as the module is named.
        return super().create_parser(prog_name, "mail-in-retry", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--limit",
            type=int,
            default=100,
            help="Handle at most this many messages in this run (default 100).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        handled = process_pending(limit=options["limit"])
        self.stdout.write(f"{handled} received messages handled.")
