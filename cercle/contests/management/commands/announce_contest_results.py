from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cercle.contests.actions import announce_due


class Command(BaseCommand):
    help = (
        "Announce the results of every published contest whose voting has closed: rank "
        "the entries, post the announcement in the contest's space and notify the "
        "participants. A contest's results are announced once, however often the command "
        "runs (the worker also does it when voting closes; `cercle periodic`, which "
        "`cercle serve` runs, runs this every ten minutes as a net: the job "
        "contest-results)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now",
            metavar="ISO",
            help="Act as if it were this moment, e.g. 2026-03-02T07:00 (default: now).",
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
        announced = announce_due(moment)
        self.stdout.write(f"{announced} contest result(s) announced.")
