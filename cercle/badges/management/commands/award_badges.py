from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cercle.badges.awarding import run
from cercle.communities.models import Community


class Command(BaseCommand):
    help = (
        "Award the built-in badges members have earned (first post, accepted answer, ten "
        "'helpful' reactions, welcomer, event regular, contest winner, idea adopted...), "
        "telling each new holder once, and fill each community's 'members of the month' "
        "showcase for the previous calendar month if it is still empty. Idempotent: "
        "`cercle periodic` (which `cercle serve` runs) runs it every hour, as the job "
        "award-badges; run it by hand as often as you like."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--community", metavar="SLUG", help="Only this community (default: all of them)."
        )
        parser.add_argument(
            "--now",
            metavar="ISO",
            help="Act as if it were this moment, e.g. 2026-03-01T06:00 (default: now).",
        )

    def handle(self, *args: Any, community: str | None, now: str | None, **options: Any) -> None:
        moment = timezone.now()
        if now:
            try:
                moment = datetime.fromisoformat(now)
            except ValueError as error:
                raise CommandError(f"--now {now!r} is not an ISO 8601 date and time.") from error
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
        only = None
        if community:
            found = Community.objects.filter(slug=community).values_list("pk", flat=True).first()
            if found is None:
                raise CommandError(f"No community at the address {community!r}.")
            only = [found]
        self.stdout.write(str(run(moment, only)))
