"""The `cercle import SOURCE ...` subcommands, one class per source.

`cercle import` is one Django command whose first argument names the source. Each
source is a `Subcommand` (its name, its help texts, `add_arguments` and `handle`)
in its own module, listed in `SUBCOMMANDS` in management/commands/import.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from cercle.communities.models import Community, Space
from cercle.importers.dumpfiles import DumpError
from cercle.importers.progress import Progress
from cercle.importers.stackexchange import SKIPPED, ImportReport, check_site, import_dump


class Subcommand:
    """One source of `cercle import`."""

    name = ""

    def summary(self) -> str:
        """One line, for the list of sources in `cercle import --help`."""
        raise NotImplementedError

    def description(self) -> str:
        """What `cercle import NAME --help` explains above the options."""
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        raise NotImplementedError

    def handle(self, command: BaseCommand, options: dict[str, Any]) -> None:
        raise NotImplementedError


def community_for(slug: str) -> Community:
    community = Community.objects.filter(slug=slug).first()
    if community is None:
        raise CommandError(
            _("No community has the address “%(slug)s”: create it first, or check the address.")
            % {"slug": slug}
        )
    return community


def progress_for(command: BaseCommand, *, quiet: bool) -> Progress:
    if quiet:
        return Progress.silent()
    stderr = command.stderr
    return Progress(
        lambda text: stderr.write(text, ending=""),
        flush=stderr.flush,
        interactive=stderr.isatty(),
    )


class StackExchange(Subcommand):
    name = "stackexchange"

    def summary(self) -> str:
        return _("a Stack Exchange data dump (one XML file per table)")

    def description(self) -> str:
        return _(
            "Import a Stack Exchange data dump into a community: its people become "
            "members (placeholder accounts with their display names, an address that "
            "receives no mail and no password: nobody can sign in to them until they are "
            "claimed), questions "
            "become question topics in the community's default space, answers and "
            "comments become replies in time order, accepted answers stay accepted, "
            "up-votes are kept as counts and as activity, tags join the community's "
            "tags. Every original time is kept, activity included, and each post shows "
            "its author, its original address and its CC BY-SA licence. Reads dumps "
            "since 2010: file names in any case, with or without a byte-order mark, "
            "without Tags or PostLinks files. The import is one transaction: a bad "
            "dump stops with the file and line at fault and writes nothing. Running it "
            "again for the same site and community changes nothing. See "
            "docs/importers.md."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "directory",
            metavar="DIR",
            type=Path,
            help=_(
                "The folder of the unpacked dump: Users.xml, Posts.xml, Comments.xml, "
                "Votes.xml, Badges.xml (Tags.xml if there is one)."
            ),
        )
        parser.add_argument(
            "--community",
            metavar="SLUG",
            required=True,
            help=_("The address (slug) of the community to import into; it must exist."),
        )
        parser.add_argument(
            "--space",
            metavar="SLUG",
            help=_("The space of the community for the questions (default: its default space)."),
        )
        parser.add_argument(
            "--site",
            metavar="HOST",
            help=_(
                "The site the dump comes from, for attribution links, for example "
                "bicycles.stackexchange.com (default: from the folder name: "
                "bicycles-meta gives bicycles.meta.stackexchange.com)."
            ),
        )
        parser.add_argument(
            "--quiet",
            action="store_true",
            help=_("No progress bar and no summary: only errors are printed (for scripts)."),
        )

    def handle(self, command: BaseCommand, options: dict[str, Any]) -> None:
        community = community_for(options["community"])
        space = None
        if options["space"]:
            space = Space.objects.filter(community=community, slug=options["space"]).first()
            if space is None:
                raise CommandError(
                    _("The community has no space “%(slug)s”.") % {"slug": options["space"]}
                )
        if options["site"]:
            try:
                check_site(options["site"])
            except ValueError:
                raise CommandError(
                    _("“%(site)s” is not a host name such as bicycles.stackexchange.com.")
                    % {"site": options["site"]}
                ) from None
        quiet = bool(options["quiet"])
        try:
            report = import_dump(
                options["directory"],
                community,
                space=space,
                site=options["site"],
                progress=progress_for(command, quiet=quiet),
            )
        except DumpError as error:
            raise CommandError(_("%(error)s Nothing was imported.") % {"error": error}) from None
        if not quiet:
            for line in summary(report, community):
                command.stdout.write(line)


def summary(report: ImportReport, community: Community) -> list[str]:
    if report.already_imported:
        return [
            _("%(site)s is already imported into %(community)s: nothing changed.")
            % {"site": report.site, "community": community.name}
        ]
    lines = [
        _("Imported %(site)s into %(community)s in %(seconds).1f s.")
        % {"site": report.site, "community": community.name, "seconds": report.seconds},
        _("  people %(users)d (new accounts %(new)d, new members %(members)d)")
        % {"users": report.users, "new": report.new_accounts, "members": report.members},
        _("  questions %(questions)d, answers %(answers)d, comments %(comments)d")
        % {
            "questions": report.questions,
            "answers": report.answers,
            "comments": report.comments,
        },
        _(
            "  accepted answers %(accepted)d, up-votes %(up)d, down-votes %(down)d, "
            "new tags %(tags)d"
        )
        % {
            "accepted": report.accepted,
            "up": report.upvotes,
            "down": report.downvotes,
            "tags": report.tags,
        },
        _("  badges read %(read)d, awards made %(awarded)d")
        % {"read": report.badges_read, "awarded": report.badges_awarded},
    ]
    for reason, count in sorted(report.skipped.items()):
        lines.append(
            _("  skipped %(count)d: %(reason)s")
            % {"count": count, "reason": SKIPPED.get(reason, reason)}
        )
    rate = report.rows_read / report.seconds if report.seconds else 0.0
    lines.append(
        _("  rows read %(read)d, rows written %(written)d, rows read per second %(rate)s")
        % {"read": report.rows_read, "written": report.rows_written, "rate": f"{rate:,.0f}"}
    )
    return lines
