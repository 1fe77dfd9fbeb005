"""`cercle demo`: load the bilingual demo, generate a realistic community, or both."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from datetime import UTC, date, datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cercle.accounts.models import User
from cercle.analytics import counting
from cercle.communities.models import Community
from cercle.demo import DEMO_PEOPLE, demo_is_needed, load_demo
from cercle.simulation.load import Report, generate


def day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--until: {value!r} is not a date like 2026-12-01.") from None


class Command(BaseCommand):
    help = (
        "Load a small bilingual (French and English) demo into an empty database and "
        "print the demo logins. Refuses to touch a database that already has people, "
        "unless --if-empty is given, in which case it only prints the logins. "
        "With --members, it also generates a realistic community of practice (members "
        "who mostly read and a few who write a lot, a weekly rhythm, questions answered "
        "after realistic delays, events, polls, knowledge captured from solved questions, "
        "newcomers arriving and members drifting away), the same for the same --seed; "
        "without --if-empty that community is added to any database. Either way the "
        "cockpit's count tables are filled at the end (`cercle analytics fill`)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load the demo (and generate the community asked with --members) only when "
            "the database has no people yet; otherwise do nothing and exit successfully "
            "(used by `make run`).",
        )
        parser.add_argument(
            "--members",
            type=int,
            metavar="N",
            help="Generate a community of N members (at least 2), with about 10 posts and "
            "100 activity events per member.",
        )
        parser.add_argument(
            "--months",
            type=int,
            default=12,
            metavar="M",
            help="How many months of history the generated community has (default 12).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=1,
            metavar="S",
            help="The same seed (and --until) gives the same community (default 1).",
        )
        parser.add_argument(
            "--until",
            type=day,
            metavar="YYYY-MM-DD",
            help="The generated history ends at midnight UTC that day (default: today).",
        )
        parser.add_argument(
            "--slug",
            default="",
            help="The generated community's address (default: pratiques-SEED).",
        )
        parser.add_argument(
            "--coordinator",
            metavar="EMAIL",
            help="An existing person who coordinates the generated community and speaks as "
            "its most active member (default: a demo administrator when the demo is "
            "loaded, else a generated person).",
        )
        parser.add_argument("--quiet", action="store_true", help="Print only the summary.")

    def handle(self, *args: Any, **options: Any) -> None:
        members: int | None = options["members"]
        if members is not None:
            self._check(options)
        if options["if_empty"] and not demo_is_needed():
            self._logins()
            return
        # The demo and the generated community land together or not at all, counted
        # for the cockpit.
        with transaction.atomic():
            self._load(members, options)
            counting.fill()
        self._logins()

    def _load(self, members: int | None, options: dict[str, Any]) -> None:
        if demo_is_needed():
            load_demo()
            self.stdout.write(self.style.SUCCESS("Demo loaded."))
            if options["coordinator"] is None:
                options["coordinator"] = DEMO_PEOPLE[0].email
        elif members is None:
            raise CommandError(
                "The database already has people: the demo loads only into an empty one."
            )
        if members is not None:
            self._generate(members, options)

    def _check(self, options: dict[str, Any]) -> None:
        if options["members"] < 2:
            raise CommandError("--members: a community needs at least 2 members.")
        if options["months"] < 1:
            raise CommandError("--months: at least 1.")
        slug = options["slug"] or f"pratiques-{options['seed']}"
        if Community.objects.filter(slug=slug).exists():
            raise CommandError(
                f"A community already has the address {slug!r}: choose another with --slug."
            )
        email = options["coordinator"]
        known = email is None or User.objects.filter(email__iexact=email).exists()
        coming = demo_is_needed() and email in {p.email for p in DEMO_PEOPLE}
        if not (known or coming):
            raise CommandError(f"--coordinator: nobody has the address {email!r}.")

    def _generate(self, members: int, options: dict[str, Any]) -> None:
        given = options["until"]
        # From the command line argparse has made it a date; call_command passes it as is.
        until: date = (day(given) if isinstance(given, str) else given) or datetime.now(UTC).date()
        email = options["coordinator"]
        coordinator = User.objects.get(email__iexact=email) if email else None
        began = time.monotonic()
        report = generate(
            members=members,
            months=options["months"],
            seed=options["seed"],
            until=datetime(until.year, until.month, until.day, tzinfo=UTC),
            slug=options["slug"],
            coordinator=coordinator,
            progress=None if options["quiet"] else self.stdout.write,
        )
        self.stdout.write(self.style.SUCCESS(_summary(report, time.monotonic() - began)))

    def _logins(self) -> None:
        if not User.objects.filter(email__in=[p.email for p in DEMO_PEOPLE]).exists():
            self.stdout.write("This database holds no demo people.")
            return
        self.stdout.write(f"Demo logins (password for all: {settings.DEMO_PASSWORD}):")
        for person in DEMO_PEOPLE:
            self.stdout.write(
                f"  {person.email:<28} {person.display_name} ({person.language}, {person.role})"
            )


def _summary(report: Report, seconds: float) -> str:
    return (
        f"Generated community {report.community!r} in {seconds:.1f} s: "
        f"{report.members:,} members, {report.topics:,} topics ({report.questions:,} questions), "
        f"{report.posts:,} posts, {report.accepted:,} accepted answers, "
        f"{report.reactions:,} reactions, {report.events:,} events with {report.rsvps:,} RSVPs, "
        f"{report.polls:,} polls with {report.ballots:,} ballots, {report.articles:,} wiki "
        f"articles ({report.captured:,} captured from questions), {report.collections:,} "
        f"library collections with {report.resources:,} resources, {report.experts:,} members "
        f"declaring expertise, {report.portraits:,} portraits, "
        f"{report.activity_events:,} activity events."
    )
