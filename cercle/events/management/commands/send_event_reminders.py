from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cercle.events.actions import send_reminders


class Command(BaseCommand):
    help = (
        "Email the reminders of the events about to start: each person going (or who "
        "said maybe) hears once per event, when the event's reminder time has come "
        "(24 hours before unless the event says otherwise), following their "
        "notification settings. `cercle periodic` (which `cercle serve` runs) runs it "
        "every 15 minutes, as the job event-reminders; running it more often sends "
        "nothing twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now",
            metavar="ISO",
            help="Act as if it were this moment, e.g. 2026-03-02T17:00 (default: now).",
        )

    def handle(self, *args: Any, now: str | None, **options: Any) -> None:
        moment = timezone.now()
        if now:
            try:
                moment = datetime.fromisoformat(now)
            except ValueError as error:
                raise CommandError(f"--now {now!r} is not an ISO 8601 date and time.") from error
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
        reminded = send_reminders(moment)
        self.stdout.write(f"event reminders: {reminded} people reminded.")
