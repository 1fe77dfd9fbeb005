"""`cercle webhooks retry`: send the webhook deliveries whose next attempt has come."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cercle.webhooks.delivering import retry_due


class Command(BaseCommand):
    help = (
        "Webhooks. `retry` attempts every delivery whose next attempt has come (the "
        "worker is asked to do each at its moment; the scheduler runs this every minute "
        "as a net), disables endpoints that have failed for a day and tells their "
        "owners; idempotent. docs/webhooks.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action",
            choices=["retry"],
            help="retry: attempt the deliveries that are due.",
        )
        parser.add_argument(
            "--limit",
            type=int,
            default=500,
            help="Attempt at most this many deliveries in this run (default 500).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        attempted = retry_due(limit=options["limit"])
        self.stdout.write(f"{attempted} webhook deliveries attempted.")
