# ruff: noqa: N999 - Django names a command after its file, and the command is `import`.
"""`cercle import SOURCE ...`: bring a community's history in from another platform.

The sources are the subcommands listed in `SUBCOMMANDS` below; each is a
`cercle.importers.cli.Subcommand` in its own module.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from cercle.importers.cli import StackExchange, Subcommand
from cercle.importers.members import Members

SUBCOMMANDS: list[Subcommand] = [StackExchange(), Members()]


class Command(BaseCommand):
    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # Set here, not as the `help` attribute, so that it is read in the active language.
        parser.description = _(
            "Import a community's history from another platform into an existing "
            "community. The first argument names the source; `cercle import SOURCE "
            "--help` explains each one."
        )
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        sources = parser.add_subparsers(
            title=_("sources"), dest="source", required=True, metavar="SOURCE"
        )
        for subcommand in SUBCOMMANDS:
            subparser = sources.add_parser(
                subcommand.name,
                help=subcommand.summary(),
                description=subcommand.description(),
                formatter_class=parser.formatter_class,
            )
            subcommand.add_arguments(subparser)

    def handle(self, *args: Any, **options: Any) -> None:
        by_name = {subcommand.name: subcommand for subcommand in SUBCOMMANDS}
        by_name[options["source"]].handle(self, options)
