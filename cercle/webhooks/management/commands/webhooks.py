"""`cercle webhooks retry`: send the webhook deliveries whose next attempt has come;
`cercle webhooks close-polls`: record the polls that have closed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cercle.webhooks.delivering import retry_due
from cercle.webhooks.polls import record_closed_polls


class Command(BaseCommand):
    help = (
        "Webhooks. `retry` attempts every delivery whose next attempt has come (the "
        "worker is asked to do each at its moment; the scheduler runs this every minute "
        "as a net), disables endpoints that have failed for a day and tells their "
        "owners. `close-polls` records `poll.closed` once for each published poll closed "
        "in the last two days (scheduled every 5 minutes), which webhooks then carry. "
        "Both are idempotent. docs/api.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action",
            choices=["retry", "close-polls"],
            help="retry: attempt the deliveries that are due; close-polls: record the "
            "polls that have closed.",
        )
        parser.add_argument(
            "--limit",
            type=int,
            default=500,
            help="Attempt at most this many deliveries in this run (default 500).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "close-polls":
            self.stdout.write(f"{record_closed_polls()} closed polls recorded.")
            return
        attempted = retry_due(limit=options["limit"])
        self.stdout.write(f"{attempted} webhook deliveries attempted.")
