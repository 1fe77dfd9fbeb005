"""`cercle import members FILE.csv --community SLUG`, called as from the command line."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connections

from cercle.__main__ import main
from cercle.accounts.models import User
from cercle.activity.models import ActivityEvent
from cercle.communities.models import Audience, Community, Entry, Invitation, Membership, Status
from cercle.conversations.actions import do_create_tag
from cercle.people.models import Expertise, Level
from tests.communities import community, internal_domain, join
from tests.conftest import make_person
from tests.smtp import SmtpServer, deliver_queued_email, text_body

pytestmark = pytest.mark.django_db


def csv_file(tmp_path: Path, text: str, *, encoding: str = "utf-8") -> Path:
    path = tmp_path / "members.csv"
    path.write_bytes(text.encode(encoding))
    return path


def run(path: Path, *options: str, slug: str = "cargo") -> str:
    out = io.StringIO()
    call_command(
        "import", "members", str(path), "--community", slug, *options, stdout=out, stderr=out
    )
    return out.getvalue()


def written() -> tuple[int, int, int, int]:
    return (
        Membership.objects.count(),
        Invitation.objects.count(),
        Expertise.objects.count(),
        ActivityEvent.objects.count(),
    )


def status_of(person: User, where: Community) -> str | None:
    return (
        Membership.objects.filter(person=person, community=where)
        .values_list("status", flat=True)
        .first()
    )


@pytest.fixture
def cargo(coordinator: User) -> Community:
    where = community(coordinator, entry=Entry.OPEN)
    do_create_tag(coordinator, where, name="Repairs")
    do_create_tag(coordinator, where, name="Child seats")
    return where


FILE = (
    "email,name,expertise\n"
    "alice@example.org,Alice Martin,repairs:expert;child seats\n"
    "new@example.org,Nina New,repairs:learning\n"
)


def test_open_community_adds_accounts_with_expertise_and_invites_the_others(
    tmp_path: Path, cargo: Community, alice: User
) -> None:
    output = run(csv_file(tmp_path, FILE))

    assert status_of(alice, cargo) == Status.ACTIVE
    levels = dict(Expertise.objects.filter(person=alice).values_list("tag__slug", "level"))
    assert levels == {"repairs": Level.EXPERT, "child-seats": Level.PRACTISING}
    assert Invitation.objects.filter(community=cargo, email="new@example.org").exists()
    assert "line 2: alice@example.org: added as a member" in output
    assert "line 3: new@example.org: invited (expertise not declared" in output
    assert "added 1, invited 1" in output


@pytest.mark.parametrize("entry", [Entry.INVITATION, Entry.REQUEST])
def test_invitation_and_request_communities_invite_everyone(
    tmp_path: Path, coordinator: User, alice: User, entry: str
) -> None:
    where = community(coordinator, slug="closed", entry=entry)
    output = run(
        csv_file(tmp_path, "email,name\nalice@example.org,Alice\nnew@example.org,Nina\n"),
        slug="closed",
    )

    assert status_of(alice, where) == Status.INVITED
    assert set(Invitation.objects.filter(community=where).values_list("email", flat=True)) == {
        "alice@example.org",
        "new@example.org",
    }
    assert "added 0, invited 2" in output


@pytest.mark.django_db(transaction=True)
def test_invitations_are_the_usual_emails(
    tmp_path: Path, coordinator: User, smtp_server: SmtpServer
) -> None:
    community(coordinator, slug="closed", entry=Entry.INVITATION)
    run(
        csv_file(tmp_path, "email,name\nnew@example.org,Nina\n"),
        "--message",
        "Welcome aboard",
        slug="closed",
    )
    deliver_queued_email()

    [received] = smtp_server.wait_for("new@example.org")
    assert str(received["Subject"]).endswith("You are invited to join Closed")
    invitation = Invitation.objects.get(email="new@example.org")
    assert invitation.invited_by == coordinator
    assert f"/invitations/{invitation.token}/" in text_body(received)
    assert "Welcome aboard" in text_body(received)


def test_a_file_with_errors_writes_nothing_and_reports_each_line(
    tmp_path: Path, cargo: Community, alice: User
) -> None:
    before = written()
    path = csv_file(
        tmp_path,
        "email,name,expertise\n"
        "alice@example.org,Alice,repairs\n"
        "not-an-address,Someone,\n"
        "bob@example.org,,\n"
        "ALICE@example.org,Alice again,\n"
        "carl@example.org,Carl,repairs:guru\n"
        "dora@example.org,Dora,knitting\n",
    )
    with pytest.raises(CommandError) as raised:
        run(path)

    message = str(raised.value)
    assert "5 lines have errors; nothing was imported" in message
    assert "line 3: “not-an-address” is not a valid email address" in message
    assert "line 4: the name is missing" in message
    assert "line 5: the same address as line 2" in message
    assert "line 6: unknown expertise level “guru”" in message
    assert "line 7: “knitting” is not a tag of this community" in message
    assert "line 2" not in message.replace("as line 2", "")
    assert written() == before


def test_dry_run_reports_and_writes_nothing(
    tmp_path: Path, cargo: Community, alice: User, bob: User
) -> None:
    join(bob, cargo)
    before = written()
    path = csv_file(tmp_path, FILE + "bob@example.org,Bob,\n")

    output = run(path, "--dry-run")

    assert written() == before
    assert "line 2: alice@example.org: added as a member" in output
    assert "line 3: new@example.org: invited" in output
    assert "line 4: bob@example.org: already a member: skipped" in output
    assert "would add 1, would invite 1, already members 1" in output


def test_dry_run_of_a_file_with_errors_reports_them_and_fails(
    tmp_path: Path, cargo: Community
) -> None:
    path = csv_file(tmp_path, "email,name\nnew@example.org,Nina\nbad,Bad\n")
    with pytest.raises(CommandError, match="line 3: “bad” is not a valid email address"):
        run(path, "--dry-run")
    assert not Invitation.objects.exists()


def test_bom_semicolons_and_header_case_are_read(
    tmp_path: Path, cargo: Community, alice: User
) -> None:
    path = csv_file(
        tmp_path,
        "\ufeffEmail;NAME;Expertise\r\n"
        'alice@example.org;Alice Martin;"Repairs:3; child seats:learning"\r\n'
        "new@example.org;Nina;\r\n",
    )
    output = run(path)

    assert status_of(alice, cargo) == Status.ACTIVE
    levels = dict(Expertise.objects.filter(person=alice).values_list("tag__slug", "level"))
    assert levels == {"repairs": Level.EXPERT, "child-seats": Level.LEARNING}
    assert "added 1, invited 1" in output


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path, cargo: Community) -> None:
    path = csv_file(tmp_path, "email,name\nléa@example.org,Léa\n", encoding="latin-1")
    with pytest.raises(CommandError, match="is not UTF-8 text"):
        run(path)


def test_a_header_without_email_is_refused(tmp_path: Path, cargo: Community) -> None:
    with pytest.raises(CommandError, match="has no column email"):
        run(csv_file(tmp_path, "mail,name\nnew@example.org,Nina\n"))


def test_running_twice_changes_nothing(tmp_path: Path, cargo: Community, alice: User) -> None:
    path = csv_file(tmp_path, FILE)
    run(path)
    after_first = written()

    output = run(path)

    assert written() == after_first
    assert "line 2: alice@example.org: already a member: skipped" in output
    assert "line 3: new@example.org: already invited: skipped" in output
    assert "added 0, invited 0, already members 1, already invited 1" in output


def test_internal_community_refuses_outside_addresses(tmp_path: Path, coordinator: User) -> None:
    domain = internal_domain()
    where = community(coordinator, slug="inside", audience=Audience.INTERNAL, entry=Entry.OPEN)
    insider = make_person(f"ines@{domain}", "Ines")
    path = csv_file(tmp_path, f"email,name\nines@{domain},Ines\noutsider@example.org,Otto\n")
    with pytest.raises(CommandError) as raised:
        run(path, slug="inside")
    assert "line 3: not an internal address" in str(raised.value)
    assert status_of(insider, where) is None

    run(csv_file(tmp_path, f"email,name\nines@{domain},Ines\n"), slug="inside")
    assert status_of(insider, where) == Status.ACTIVE


def test_as_must_name_a_coordinator(tmp_path: Path, cargo: Community, alice: User) -> None:
    join(alice, cargo)
    with pytest.raises(CommandError, match="not an active coordinator"):
        run(csv_file(tmp_path, FILE), "--as", "alice@example.org")


def test_unknown_community_is_refused(tmp_path: Path, db: None) -> None:
    with pytest.raises(CommandError, match="No community has the address"):
        run(csv_file(tmp_path, FILE), slug="nowhere")


def test_a_field_longer_than_the_csv_limit_is_refused_with_its_line_and_nothing_written(
    tmp_path: Path, cargo: Community, alice: User
) -> None:
    before = written()
    # A quote left open on line 3 swallows the rest of the file into one field.
    huge = "x" * (csv.field_size_limit() + 1)
    path = csv_file(tmp_path, f'{FILE}"new2@example.org,{huge}\nlast@example.org,Last\n')
    with pytest.raises(CommandError) as raised:
        run(path)
    assert str(raised.value) == (
        f"Line 4 of {path} has a field longer than {csv.field_size_limit()} characters "
        "(a quote left open?). Nothing was imported."
    )
    assert written() == before


def test_the_command_line_reports_an_unreadable_line_without_a_traceback(
    tmp_path: Path,
    cargo: Community,
    alice: User,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The command line closes the database connections when it ends, which would close
    # the test's own transaction on PostgreSQL: keep it open.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    before = written()
    path = csv_file(tmp_path, "email,name\n" + "a" * (csv.field_size_limit() + 1) + ",Huge\n")
    with pytest.raises(SystemExit) as exited:
        main(["cercle", "import", "members", str(path), "--community", "cargo"])
    assert exited.value.code == 1
    errors = capsys.readouterr().err
    assert errors.startswith("CommandError: Line 2 of ")
    assert "has a field longer than" in errors
    assert "Traceback" not in errors
    assert written() == before
