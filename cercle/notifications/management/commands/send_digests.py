from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cercle.notifications.digest import period_bounds, send_digests
from cercle.notifications.models import Period


class Command(BaseCommand):
    help = (
        "Send the community digests of the last closed period (yesterday, or last week "
        "from Monday to Monday, in CERCLE_TIME_ZONE) to the members who want them: top "
        "discussions, questions matching their expertise, new members. Members with "
        "nothing to read get no email. Each member and community gets one digest per "
        "period, however often the command runs. `cercle periodic` (which `cercle "
        "serve` runs) sends the daily digests every day and the weekly ones on Mondays, "
        "at 07:00."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--period",
            choices=[Period.WEEKLY, Period.DAILY],
            default=Period.WEEKLY,
            help="Which digests to send (default: weekly).",
        )
        parser.add_argument(
            "--now",
            metavar="ISO",
            help="Act as if it were this moment, e.g. 2026-03-02T07:00 (default: now).",
        )

    def handle(self, *args: Any, period: str, now: str | None, **options: Any) -> None:
        moment = timezone.now()
        if now:
            try:
                moment = datetime.fromisoformat(now)
            except ValueError as error:
                raise CommandError(f"--now {now!r} is not an ISO 8601 date and time.") from error
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
        start, end = period_bounds(period, moment)
        run = send_digests(period, moment)
        self.stdout.write(
            f"{period} digests from {start.isoformat()} to {end.isoformat()}: "
            f"{run.sent} queued, {run.empty} with nothing to say, {run.already} already handled."
        )
