"""`cercle import members FILE.csv --community SLUG`: bring a list of people into a community.

Every line is checked before anything is written; any error stops the import with a
report per line. The writes go through the communities and people actions, in one
transaction, as the community's first coordinator (or `--as`): invitations for a
community on invitation or on request, direct membership for existing accounts in an
open community (and invitations for addresses without an account).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cercle import permissions
from cercle.accounts.models import User
from cercle.communities.models import Community, Entry, Invitation, Membership, Role, Status
from cercle.conversations.models import Tag
from cercle.errors import ActionRefused
from cercle.importers.cli import Subcommand, community_for
from cercle.membership.actions import MAX_INVITATIONS_AT_ONCE, do_invite, do_join
from cercle.people.actions import do_declare_expertise
from cercle.people.models import Level

REQUIRED_COLUMNS = ("email", "name")
DEFAULT_LEVEL = Level.PRACTISING

# What happens to one line of the file.
ADD = "add"
INVITE = "invite"
ALREADY_MEMBER = "already_member"
ALREADY_INVITED = "already_invited"
SKIP = "skip"


@dataclass
class Line:
    number: int
    email: str
    name: str
    expertise: list[tuple[Tag, int]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    outcome: str = ""
    note: str = ""
    account: User | None = None


@dataclass
class MembersReport:
    lines: list[Line]
    ignored_columns: list[str] = field(default_factory=list)

    def with_outcome(self, outcome: str) -> list[Line]:
        return [line for line in self.lines if line.outcome == outcome]

    @property
    def errors(self) -> list[Line]:
        return [line for line in self.lines if line.errors]


class MembersFileError(Exception):
    """The file as a whole cannot be read (encoding, header)."""


def _level_names() -> dict[str, int]:
    names: dict[str, int] = {"practicing": Level.PRACTISING}
    for level in Level:
        names[str(level.value)] = level.value
        names[level.name.lower()] = level.value
        names[str(level.label).lower()] = level.value
    return names


def read_rows(path: Path) -> tuple[list[tuple[int, dict[str, str]]], list[str]]:
    """The file's rows as (line number, {column: value}), and the columns it ignores.

    UTF-8 with or without a byte-order mark; comma or semicolon, as the header line
    shows (the expertise column uses semicolons inside quoted or comma-separated
    files, so only the header, whose names never contain either, is sniffed).
    """
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise MembersFileError(_("There is no file %(path)s.") % {"path": path}) from None
    except IsADirectoryError:
        raise MembersFileError(_("%(path)s is a folder, not a file.") % {"path": path}) from None
    except UnicodeDecodeError as error:
        raise MembersFileError(
            _("%(path)s is not UTF-8 text (byte %(position)d): save it as CSV UTF-8.")
            % {"path": path, "position": error.start + 1}
        ) from None
    header_line = text.lstrip("\r\n").split("\n", 1)[0]
    if not header_line.strip():
        raise MembersFileError(_("%(path)s is empty: it needs a header line.") % {"path": path})
    try:
        dialect: Any = csv.Sniffer().sniff(header_line, delimiters=",;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=dialect.delimiter, quotechar='"')
    records = _records(reader, path)
    header = [name.strip().lower() for name in next(records)[1]]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise MembersFileError(
            _(
                "The header line of %(path)s has no column %(columns)s: it needs email "
                "and name (expertise is optional)."
            )
            % {"path": path, "columns": ", ".join(missing)}
        )
    ignored = [name for name in header if name and name not in (*REQUIRED_COLUMNS, "expertise")]
    rows = []
    for number, values in records:
        if not any(value.strip() for value in values):
            continue
        row = {name: value.strip() for name, value in zip(header, values, strict=False)}
        rows.append((number, row))
    return rows, ignored


def _records(reader: Any, path: Path) -> Iterator[tuple[int, list[str]]]:
    """Each record of the file with the number of the line it begins on; a record the
    csv module cannot read (a field longer than its limit, usually a quote left open)
    stops the import with that line's number."""
    while True:
        start = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if "field limit" in str(error):
                raise MembersFileError(
                    _(
                        "Line %(line)d of %(path)s has a field longer than %(limit)d "
                        "characters (a quote left open?)."
                    )
                    % {"line": start, "path": path, "limit": csv.field_size_limit()}
                ) from None
            raise MembersFileError(
                _("Line %(line)d of %(path)s cannot be read as CSV: %(error)s.")
                % {"line": start, "path": path, "error": error}
            ) from None
        yield start, values


def account_for(address: str) -> User | None:
    """The account behind `address`: a verified address first, then the login address."""
    found = (
        EmailAddress.objects.filter(email__iexact=address, verified=True)
        .select_related("user")
        .first()
    )
    if found is not None:
        user: User = found.user
        return user
    return User.objects.filter(email__iexact=address).first()


def _parse_expertise(text: str, tags: dict[str, Tag], levels: dict[str, int], line: Line) -> None:
    for raw in text.split(";"):
        item = raw.strip()
        if not item:
            continue
        topic, _colon, level_name = item.rpartition(":") if ":" in item else (item, "", "")
        topic = topic.strip()
        level = DEFAULT_LEVEL.value
        if level_name.strip():
            found = levels.get(level_name.strip().lower())
            if found is None:
                line.errors.append(
                    _("unknown expertise level “%(level)s” (learning, practising or expert)")
                    % {"level": level_name.strip()}
                )
                continue
            level = found
        tag = tags.get(slugify(topic)) or tags.get(topic.lower())
        if tag is None:
            line.errors.append(
                _("“%(topic)s” is not a tag of this community: add it to its vocabulary first")
                % {"topic": topic}
            )
            continue
        line.expertise.append((tag, level))


def check_lines(rows: Iterable[tuple[int, dict[str, str]]], community: Community) -> list[Line]:
    """Every line, with its errors (none written yet) and, if it has none, its outcome."""
    tags: dict[str, Tag] = {}
    for tag in Tag.objects.filter(community=community):
        tags[tag.slug] = tag
        tags.setdefault(tag.name.lower(), tag)
    levels = _level_names()
    seen: dict[str, int] = {}
    lines = []
    for number, row in rows:
        address = row.get("email", "").lower()
        line = Line(number=number, email=address, name=" ".join(row.get("name", "").split()))
        lines.append(line)
        try:
            validate_email(address)
        except ValidationError:
            line.errors.append(
                _("“%(email)s” is not a valid email address") % {"email": row.get("email", "")}
                if address
                else _("the email address is missing")
            )
        if not line.name:
            line.errors.append(_("the name is missing"))
        if address and address in seen:
            line.errors.append(_("the same address as line %(line)d") % {"line": seen[address]})
        elif address:
            seen[address] = number
        if community.is_internal and address and not permissions.email_is_internal(address):
            line.errors.append(
                _("not an internal address: this community is for internal people only")
            )
        _parse_expertise(row.get("expertise", ""), tags, levels, line)
        if not line.errors:
            _decide(line, community)
    return lines


def _pending_invitation(community: Community, address: str) -> bool:
    return Invitation.objects.filter(
        community=community,
        email__iexact=address,
        accepted_at=None,
        declined_at=None,
        revoked_at=None,
        expires_at__gt=timezone.now(),
    ).exists()


def _decide(line: Line, community: Community) -> None:
    account = account_for(line.email)
    line.account = account
    status = None
    if account is not None:
        status = (
            Membership.objects.filter(person=account, community=community)
            .values_list("status", flat=True)
            .first()
        )
    if status == Status.ACTIVE:
        line.outcome = ALREADY_MEMBER
    elif status == Status.BANNED:
        line.outcome, line.note = SKIP, _("banned from this community")
    elif status == Status.INVITED or _pending_invitation(community, line.email):
        line.outcome = ALREADY_INVITED
    elif community.entry == Entry.OPEN and account is not None and status in (None, Status.LEFT):
        line.outcome = ADD
    else:
        line.outcome = INVITE
        if line.expertise:
            line.note = _(
                "expertise not declared: it is declared only for existing accounts "
                "added directly; they declare it on their profile once they join"
            )


def plan(path: Path, community: Community) -> MembersReport:
    """Read and check the whole file; nothing is written."""
    rows, ignored = read_rows(path)
    return MembersReport(lines=check_lines(rows, community), ignored_columns=ignored)


def apply(report: MembersReport, community: Community, actor: User, *, message: str = "") -> None:
    """Carry out a checked report, in one transaction; a refusal undoes everything."""
    with transaction.atomic():
        for line in report.with_outcome(ADD):
            account = line.account
            if account is None:  # ADD is only decided for an existing account
                continue
            try:
                do_join(account, community)
                for tag, level in line.expertise:
                    do_declare_expertise(account, tag, level)
            except ActionRefused as refusal:
                raise CommandError(
                    _("Line %(line)d (%(email)s): %(reason)s Nothing was imported.")
                    % {"line": line.number, "email": line.email, "reason": refusal}
                ) from None
        invitees = report.with_outcome(INVITE)
        by_address = {line.email: line for line in invitees}
        for start in range(0, len(invitees), MAX_INVITATIONS_AT_ONCE):
            batch = [line.email for line in invitees[start : start + MAX_INVITATIONS_AT_ONCE]]
            try:
                sent = do_invite(actor, community, batch, message=message)
            except ActionRefused as refusal:
                raise CommandError(
                    _("%(reason)s Nothing was imported.") % {"reason": refusal}
                ) from None
            for address, reason in sent.skipped:
                by_address[address].outcome, by_address[address].note = SKIP, reason


def acting_coordinator(community: Community, address: str | None) -> User:
    coordinators = Membership.objects.filter(
        community=community, role=Role.COORDINATOR, status=Status.ACTIVE
    ).select_related("person")
    if address:
        account = account_for(address)
        membership = coordinators.filter(person=account).first() if account else None
        if membership is None:
            raise CommandError(
                _("%(email)s is not an active coordinator of %(community)s.")
                % {"email": address, "community": community.name}
            )
        return membership.person
    first = coordinators.order_by("joined_at", "pk").first()
    if first is None:
        raise CommandError(
            _("%(community)s has no active coordinator to send the invitations: use --as.")
            % {"community": community.name}
        )
    return first.person


OUTCOME_LABELS = {
    ADD: lambda: _("added as a member"),
    INVITE: lambda: _("invited"),
    ALREADY_MEMBER: lambda: _("already a member: skipped"),
    ALREADY_INVITED: lambda: _("already invited: skipped"),
    SKIP: lambda: _("skipped"),
}


def describe(report: MembersReport, community: Community, *, dry_run: bool) -> list[str]:
    lines = []
    if report.ignored_columns:
        lines.append(
            _("Columns ignored: %(columns)s.") % {"columns": ", ".join(report.ignored_columns)}
        )
    for line in report.lines:
        if line.errors:
            continue
        text = _("line %(line)d: %(email)s: %(outcome)s") % {
            "line": line.number,
            "email": line.email,
            "outcome": OUTCOME_LABELS[line.outcome](),
        }
        if line.outcome == ADD and line.expertise:
            text += " " + _("(expertise: %(topics)s)") % {
                "topics": ", ".join(
                    f"{tag.name} ({Level(level).label})" for tag, level in line.expertise
                )
            }
        if line.note:
            text += f" ({line.note})"
        lines.append(text)
    counts = {
        "added": len(report.with_outcome(ADD)),
        "invited": len(report.with_outcome(INVITE)),
        "members": len(report.with_outcome(ALREADY_MEMBER)),
        "pending": len(report.with_outcome(ALREADY_INVITED)),
        "skipped": len(report.with_outcome(SKIP)),
        "errors": len(report.errors),
        "community": community.name,
    }
    if dry_run:
        lines.append(
            _(
                "Dry run for %(community)s, nothing was written: would add %(added)d, "
                "would invite %(invited)d, already members %(members)d, already invited "
                "%(pending)d, skipped %(skipped)d, lines with errors %(errors)d."
            )
            % counts
        )
    else:
        lines.append(
            _(
                "%(community)s: added %(added)d, invited %(invited)d, already members "
                "%(members)d, already invited %(pending)d, skipped %(skipped)d."
            )
            % counts
        )
    return lines


def error_report(report: MembersReport) -> str:
    errors = report.errors
    lines = [
        ngettext(
            "%(count)d line has errors; nothing was imported:",
            "%(count)d lines have errors; nothing was imported:",
            len(errors),
        )
        % {"count": len(errors)}
    ]
    for line in errors:
        lines.append(
            _("  line %(line)d: %(reasons)s")
            % {"line": line.number, "reasons": "; ".join(line.errors)}
        )
    return "\n".join(lines)


class Members(Subcommand):
    name = "members"

    def summary(self) -> str:
        return _("a CSV list of people (email, name, expertise) to invite or add")

    def description(self) -> str:
        return _(
            "Invite or add the people of a CSV file to a community. The file has a "
            "header line with the columns email and name, and optionally expertise "
            "(in any case, any order); UTF-8 with or without a byte-order mark, "
            "separated by commas or semicolons. Expertise lists tags of the community "
            "separated by semicolons, each optionally followed by a level: "
            "“bikes:expert; repairs:learning” (levels: learning, practising, expert or "
            "1 to 3; practising when none is given). Every line is checked first: an "
            "invalid address, a missing name, an address twice in the file, an "
            "unknown tag or level, or an address outside the internal domains of an "
            "internal community is reported with its line number, and then nothing "
            "is written. Otherwise, in one transaction, as the community's first "
            "coordinator (or --as): a community on invitation or on request receives "
            "invitations (the usual invitation emails); an open community adds "
            "existing accounts as members at once (with their expertise) and invites "
            "the other addresses. Members and people already invited are skipped, so "
            "running it again changes nothing. See docs/importers.md."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file",
            metavar="FILE.csv",
            type=Path,
            help=_("The CSV file: a header line, then one person per line."),
        )
        parser.add_argument(
            "--community",
            metavar="SLUG",
            required=True,
            help=_("The address (slug) of the community; it must exist."),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_(
                "Check the file and print what would happen to each line (added, "
                "invited, already a member, errors) without writing or sending anything."
            ),
        )
        parser.add_argument(
            "--as",
            dest="as_coordinator",
            metavar="EMAIL",
            help=_(
                "The coordinator in whose name the invitations are sent (default: the "
                "community's first coordinator)."
            ),
        )
        parser.add_argument(
            "--message",
            default="",
            help=_("A personal message added to every invitation email."),
        )

    def handle(self, command: BaseCommand, options: dict[str, Any]) -> None:
        community = community_for(options["community"])
        actor = acting_coordinator(community, options["as_coordinator"])
        try:
            report = plan(options["file"], community)
        except MembersFileError as error:
            raise CommandError(_("%(error)s Nothing was imported.") % {"error": error}) from None
        dry_run = bool(options["dry_run"])
        if report.errors:
            if dry_run:
                for text in describe(report, community, dry_run=True):
                    command.stdout.write(text)
            raise CommandError(error_report(report))
        if not dry_run:
            apply(report, community, actor, message=options["message"])
        for text in describe(report, community, dry_run=dry_run):
            command.stdout.write(text)
