"""`cercle analytics SUBCOMMAND ...`: a community's figures, from its activity.

Each subcommand is a `Subcommand` (its name, its help texts, `add_arguments` and
`handle`) listed in `SUBCOMMANDS`; this command only dispatches. To add one (the
count tables' `fill` and `rebuild` are two), write its class and append an instance.
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cercle.analytics import counting
from cercle.analytics.figures import compute_figures
from cercle.communities.models import Community


class Subcommand:
    """One subcommand of `cercle analytics`."""

    name = ""
    # One line, for the list of subcommands in `cercle analytics --help`.
    summary = ""
    # What `cercle analytics NAME --help` explains above the arguments.
    description = ""

    def add_arguments(self, parser: CommandParser) -> None:
        raise NotImplementedError

    def handle(self, command: BaseCommand, options: dict[str, Any]) -> None:
        raise NotImplementedError


def community_at(slug: str) -> Community:
    community = Community.objects.filter(slug=slug).first()
    if community is None:
        raise CommandError(
            f"No community has the address {slug!r} (the SLUG of its pages' /c/SLUG/): "
            "check the address."
        )
    return community


class FiguresSubcommand(Subcommand):
    name = "figures"
    summary = "print a community's reference figures as one JSON object"
    description = (
        "Print one JSON object with the reference figures of a community, computed "
        "from its questions and answers, imported history included: community (its "
        "address), users (active members), questions, answers, authors (people with at "
        "least one question or answer; posts of deleted accounts count as questions or "
        "answers but have no author), answered_pct (questions with at least one answer, "
        "in percent, 1 decimal), median_hours_first_answer (over answered questions, 2 "
        "decimals), gini (Gini coefficient of questions + answers per author, 3 "
        "decimals) and top1_share (share of the authored questions + answers written by "
        "the top 1% of authors, at least one, 3 decimals). Deleted or hidden posts and "
        "hidden or merged topics do not count. A figure without meaning (no question, "
        "no author) is null. docs/metrics.md defines each key."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "slug", metavar="SLUG", help="the community's address (the SLUG of /c/SLUG/)"
        )

    def handle(self, command: BaseCommand, options: dict[str, Any]) -> None:
        figures = compute_figures(community_at(options["slug"]))
        command.stdout.write(json.dumps(figures.as_dict(), indent=2))


class FillSubcommand(Subcommand):
    name = "fill"
    summary = "count the activity written since the last fill into the count tables"
    description = (
        "Read the activity events written since the last fill (a watermark), and "
        "recompute the count tables of the communities they touch from the earliest "
        "day they touch, in one transaction with the new watermark: running it twice "
        "changes nothing, and an interrupted fill leaves the tables as they were. The "
        "cockpit reads these tables; `cercle periodic` (which `cercle serve` runs) "
        'runs this every 5 minutes, as the job analytics-fill (docs/metrics.md, "Count '
        'tables").'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="print nothing")

    def handle(self, command: BaseCommand, options: dict[str, Any]) -> None:
        began = time.monotonic()
        report = counting.fill()
        if not options["quiet"]:
            command.stdout.write(_told(report, time.monotonic() - began))


class RebuildSubcommand(Subcommand):
    name = "rebuild"
    summary = "empty the count tables and count the whole activity log again"
    description = (
        "Empty every count table and count the whole activity log again, in one "
        "transaction (the pages keep showing the old figures until it commits). Use it "
        "after changing how something is counted, or to check the tables: a rebuild "
        "gives the same tables as the fills that came before it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="print nothing")

    def handle(self, command: BaseCommand, options: dict[str, Any]) -> None:
        began = time.monotonic()
        report = counting.rebuild()
        if not options["quiet"]:
            command.stdout.write(_told(report, time.monotonic() - began))


def _told(report: counting.FillReport, seconds: float) -> str:
    return (
        f"Counted {report.events:,} activity events of {len(report.communities)} "
        f"communities in {seconds:.1f} s (up to event {report.last_event_id})."
    )


SUBCOMMANDS: list[Subcommand] = [FiguresSubcommand(), FillSubcommand(), RebuildSubcommand()]


class Command(BaseCommand):
    help = (
        "A community's figures, computed from its activity (imported history "
        "included). The first argument names what to do; `cercle analytics "
        "SUBCOMMAND --help` explains each one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(
            title="subcommands", dest="subcommand", required=True, metavar="SUBCOMMAND"
        )
        for subcommand in SUBCOMMANDS:
            subparser = subcommands.add_parser(
                subcommand.name,
                help=subcommand.summary,
                description=subcommand.description,
                formatter_class=parser.formatter_class,
            )
            subcommand.add_arguments(subparser)

    def handle(self, *args: Any, **options: Any) -> None:
        by_name = {subcommand.name: subcommand for subcommand in SUBCOMMANDS}
        by_name[options["subcommand"]].handle(self, options)
