from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cercle.animation.planning import publish_due


class Command(BaseCommand):
    help = (
        "Publish every planned item whose moment has come (posts, polls, quizzes, "
        "challenges, contests, events), each exactly once even when several runs or "
        "workers overlap. The background worker (`cercle db_worker`) already does this "
        "at each planned moment; `cercle periodic` (which `cercle serve` runs) also "
        "runs this command every minute, as the job publish-due, to catch what the "
        "worker missed."
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
        published = publish_due(moment)
        self.stdout.write(f"{published} item(s) published.")
