from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cercle.notifications.emails import send_summaries
from cercle.notifications.models import Frequency


class Command(BaseCommand):
    help = (
        "Send the daily or weekly notification summaries: one email per person with the "
        "notifications they chose to receive at that frequency and may still see. "
        "`cercle periodic` (which `cercle serve` runs) runs it with --frequency daily "
        "every day at 07:00 and with --frequency weekly on Mondays at 07:00; running it "
        "again sends nothing twice, but sends what came since (so do not schedule it "
        "more often than its frequency)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--frequency",
            choices=[Frequency.DAILY, Frequency.WEEKLY],
            required=True,
            help="Which summaries to send.",
        )

    def handle(self, *args: Any, frequency: str, **options: Any) -> None:
        emails, dropped = send_summaries(frequency)
        self.stdout.write(
            f"{emails} {frequency} summary email(s) queued; "
            f"{dropped} notification(s) no longer to be emailed."
        )
