"""`cercle demo`: load the bilingual demo and print its logins."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cercle.accounts.models import User
from cercle.demo import DEMO_PEOPLE, demo_is_needed, load_demo


class Command(BaseCommand):
    help = (
        "Load a small bilingual (French and English) demo into an empty database and "
        "print the demo logins. Refuses to touch a database that already has people, "
        "unless --if-empty is given, in which case it only prints the logins."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load the demo only when the database has no people yet; otherwise "
            "do nothing and exit successfully (used by `make run`).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if demo_is_needed():
            load_demo()
            self.stdout.write(self.style.SUCCESS("Demo loaded."))
        elif not options["if_empty"]:
            raise CommandError(
                "The database already has people: the demo loads only into an empty one."
            )
        if not User.objects.filter(email__in=[p.email for p in DEMO_PEOPLE]).exists():
            self.stdout.write("This database holds no demo people.")
            return
        self.stdout.write(f"Demo logins (password for all: {settings.DEMO_PASSWORD}):")
        for person in DEMO_PEOPLE:
            self.stdout.write(
                f"  {person.email:<28} {person.display_name} ({person.language}, {person.role})"
            )
