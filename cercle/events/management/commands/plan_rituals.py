from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cercle.events.actions import plan_rituals


class Command(BaseCommand):
    help = (
        "Create the coming occurrences of every active ritual, as far ahead as each "
        "ritual says (three months unless set otherwise). An occurrence is never made "
        "twice, however often this runs. `cercle periodic` (which `cercle serve` runs) "
        "runs it every day at 03:00, as the job plan-rituals."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now",
            metavar="ISO",
            help="Act as if it were this moment, e.g. 2026-03-02T03:00 (default: now).",
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
        created = plan_rituals(moment)
        self.stdout.write(f"rituals: {created} occurrences planned.")
