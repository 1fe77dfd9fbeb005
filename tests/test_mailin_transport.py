"""Receiving mail over real SMTP, LMTP and IMAP (docs/mail.md, "Receiving").

What the transports promise: a message is stored whole (its exact bytes, its envelope)
once per recipient; it is acknowledged only once it is safe (spooled to disk over
SMTP, in the database before it leaves an IMAP mailbox); nothing is lost or stored
twice when the database is down for a while. What becomes of the message afterwards
is tested with the handling (tests/test_mailin_*.py).
"""

from __future__ import annotations

import signal
import smtplib
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections
from django.db.backends.signals import connection_created

from cercle.mail.addresses import reply_address
from cercle.mailin.imap import parse_mailbox_url, recipients_of
from cercle.mailin.management.commands.mail_in import Command as MailInCommand
from cercle.mailin.models import ReceivedMail
from cercle.mailin.smtp import MailServer, SpoolWorker
from cercle.mailin.spool import Spool
from tests.cli import CERCLE, PROJECT_DIR, operator_env
from tests.imap_server import ImapServer
from tests.smtp import free_port

MAILBOX = "cercle@lists.example.org"
SPACE = "cercle+cargo.general@lists.example.org"
OTHER_SPACE = "cercle+cargo.lab@lists.example.org"
MAX_BYTES = 4096  # the protocol refuses above twice this


def message(to: str = SPACE, subject: str = "Cargo bikes", body: str = "Hello") -> bytes:
    """A message as a mail client writes it, 8-bit text, a line that SMTP dot-stuffs."""
    return (
        "From: Alice Martin <alice@example.org>\r\n"
        f"To: {to}\r\n"
        f"Subject: {subject}\r\n"
        "Message-ID: <m1@example.org>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        "\r\n"
        f"{body}, la coordination répond.\r\n"
        ".a line that starts with a dot\r\n"
    ).encode()


@pytest.fixture
def mail_in(settings: Any, tmp_path: Path) -> Spool:
    settings.MAIL_IN_ADDRESS = MAILBOX
    settings.MAIL_IN_SPOOL = tmp_path / "spool"
    settings.MAIL_IN_MAX_BYTES = MAX_BYTES
    return Spool(settings.MAIL_IN_SPOOL)


class WorkerOnTheTestsConnection(SpoolWorker):
    """The spool thread on the test's database connection, inside its transaction, as
    Django's live server does: no table to empty after each test. (In production the
    thread has its own connection: the test of the command, at the end, runs it so.)"""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.test_connection = connections[DEFAULT_DB_ALIAS]  # made in the test's thread

    def run(self) -> None:
        connections[DEFAULT_DB_ALIAS] = self.test_connection
        super().run()


class ServerInTheTest(MailServer):
    worker_class = WorkerOnTheTestsConnection


@pytest.fixture
def shared_connection(db: None) -> Iterator[None]:
    connection.inc_thread_sharing()
    yield
    connection.dec_thread_sharing()


def start_server(lmtp: bool = False) -> MailServer:
    server = ServerInTheTest("127.0.0.1", free_port(), lmtp=lmtp, retry_delays=(0.1,))
    server.start()
    return server


@pytest.fixture
def receiver(shared_connection: None, mail_in: Spool) -> Iterator[MailServer]:
    """`cercle mail-in --bind` in this process: the server and its spool thread."""
    server = start_server()
    yield server
    server.stop()


def settled(server: MailServer) -> None:
    """Wait until the spool thread stored and handled what it could (the first handling
    imports the URLs and templates of the answers: seconds, on a busy machine)."""
    deadline = time.monotonic() + 60
    while server.spool.waiting() and server.worker.last_error is None:
        assert time.monotonic() < deadline, "the spool thread did not store the message"
        time.sleep(0.02)
    assert server.worker.wait_idle(60)


class DatabaseDown:
    """Every query of this thread's connection and of connections opened while it is
    down fails as when the database server is unreachable."""

    def __init__(self) -> None:
        self.down = True
        self.refused = 0

    def __call__(self, execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        if self.down:
            self.refused += 1
            raise OperationalError("could not connect to server: Connection refused (test)")
        return execute(sql, *args)

    def install(self, sender: Any, connection: Any, **kwargs: Any) -> None:
        connection.execute_wrappers.append(self)


@pytest.fixture
def database_down() -> Iterator[DatabaseDown]:
    outage = DatabaseDown()
    connection_created.connect(outage.install)
    connection.execute_wrappers.append(outage)
    yield outage
    outage.down = False
    connection_created.disconnect(outage.install)
    connection.execute_wrappers.remove(outage)


# --- SMTP ---------------------------------------------------------------------------------


def test_a_message_over_smtp_is_stored_whole_once_per_recipient(receiver: MailServer) -> None:
    reply = reply_address(7, 42)
    assert reply is not None
    raw = message(to=f"{SPACE}, {reply}")
    with smtplib.SMTP("127.0.0.1", receiver.port) as client:
        refused = client.sendmail("alice@example.org", [SPACE, reply], raw)
    assert refused == {}
    settled(receiver)
    rows = list(ReceivedMail.objects.order_by("recipient"))
    assert [(r.recipient, r.envelope_from, r.transport) for r in rows] == [
        (SPACE, "alice@example.org", "smtp"),
        (reply, "alice@example.org", "smtp"),
    ]
    # The exact bytes, the dot-stuffed line given back as written.
    assert [bytes(r.raw) for r in rows] == [raw, raw]
    assert rows[0].subject == "Cargo bikes"
    assert rows[0].from_address == "alice@example.org"
    assert receiver.spool.waiting() == []
    # Then handed to the handling (which refuses both here: no such space or topic).
    assert all(r.processed_at is not None and r.outcome != "pending" for r in rows)


def test_a_delivery_report_keeps_its_empty_envelope_sender(receiver: MailServer) -> None:
    with smtplib.SMTP("127.0.0.1", receiver.port) as client:
        client.sendmail("<>", [SPACE], message())
    settled(receiver)
    assert ReceivedMail.objects.get().envelope_from == ""


def test_an_address_that_is_not_cercles_is_refused_at_rcpt_and_nothing_is_stored(
    receiver: MailServer,
) -> None:
    genuine = reply_address(7, 42)
    assert genuine is not None
    # A reply address whose mac is made up, one with no tag, another mailbox's.
    local, domain = genuine.split("@")
    forged = f"{local.rpartition('-')[0]}-{'a' * 20}@{domain}"
    unknown = [forged, "cercle+nothing@lists.example.org", MAILBOX, "bob@elsewhere.example"]
    with smtplib.SMTP("127.0.0.1", receiver.port) as client:
        client.ehlo()
        assert client.mail("alice@example.org")[0] == 250
        for address in unknown:
            code, text = client.rcpt(address)
            assert code == 550, address
            assert text.decode().startswith("5.1.1 <")
            assert "no such address here" in text.decode()
        client.rset()
        # A message with one address of ours and one not: the good one only.
        refused = client.sendmail("alice@example.org", [SPACE, "bob@elsewhere.example"], message())
    assert refused["bob@elsewhere.example"][0] == 550
    settled(receiver)
    assert list(ReceivedMail.objects.values_list("recipient", flat=True)) == [SPACE]


def test_a_message_over_twice_the_limit_is_refused_with_552_and_one_below_is_taken(
    receiver: MailServer,
) -> None:
    too_large = message(body=("x" * 70 + "\r\n") * 120)  # above 2 x 4096 bytes
    below = message(body=("y" * 70 + "\r\n") * 80)  # above the limit, below twice it
    assert len(too_large) > 2 * MAX_BYTES > len(below) > MAX_BYTES
    with smtplib.SMTP("127.0.0.1", receiver.port) as client:
        # Declared in advance (SIZE): refused before the data is sent.
        with pytest.raises(smtplib.SMTPSenderRefused) as declared:
            client.sendmail("alice@example.org", [SPACE], too_large)
        assert declared.value.smtp_code == 552
        client.rset()
        # Not declared: refused once the data passed the limit.
        client.mail("alice@example.org")
        client.rcpt(SPACE)
        assert client.data(too_large)[0] == 552
        # Below twice the limit: taken, to be refused by email when handled.
        assert client.sendmail("alice@example.org", [SPACE], below) == {}
    settled(receiver)
    assert [bytes(r.raw) for r in ReceivedMail.objects.all()] == [below]


def test_lmtp_answers_once_per_recipient_after_data(
    shared_connection: None, mail_in: Spool
) -> None:
    server = start_server(lmtp=True)
    try:
        with smtplib.LMTP("127.0.0.1", server.port) as client:
            client.ehlo_or_helo_if_needed()  # LMTP's greeting, LHLO
            assert client.mail("alice@example.org")[0] == 250
            assert client.rcpt(SPACE)[0] == 250
            assert client.rcpt(OTHER_SPACE)[0] == 250
            assert client.rcpt("bob@elsewhere.example")[0] == 550
            first = client.data(message())
            second = client.getreply()
            assert (first[0], second[0]) == (250, 250)
            assert first[1].decode().endswith(f"<{SPACE}>")
            assert second[1].decode().endswith(f"<{OTHER_SPACE}>")
            # The conversation goes on in step: the next command has its own answer.
            assert client.noop()[0] == 250
        settled(server)
    finally:
        server.stop()
    rows = ReceivedMail.objects.order_by("recipient")
    assert [(r.recipient, r.transport) for r in rows] == [(SPACE, "lmtp"), (OTHER_SPACE, "lmtp")]


def test_when_the_spool_cannot_be_written_the_answer_is_451_and_nothing_is_kept(
    receiver: MailServer,
) -> None:
    # Its tmp/ folder replaced by a file: no message can be written (even as root).
    receiver.spool.tmp.rmdir()
    receiver.spool.tmp.write_text("not a folder")
    with (
        smtplib.SMTP("127.0.0.1", receiver.port) as client,
        pytest.raises(smtplib.SMTPDataError) as refused,
    ):
        client.sendmail("alice@example.org", [SPACE], message())
    assert refused.value.smtp_code == 451
    answer = refused.value.smtp_error
    assert isinstance(answer, bytes)
    assert answer.startswith(b"4.3.0 Temporary failure")
    assert receiver.spool.waiting() == []
    settled(receiver)
    assert not ReceivedMail.objects.exists()


def test_a_message_waits_in_the_spool_while_the_database_is_down_and_is_stored_once_after(
    receiver: MailServer, database_down: DatabaseDown
) -> None:
    raw = message()
    with smtplib.SMTP("127.0.0.1", receiver.port) as client:
        # Acknowledged: it is on the disk.
        assert client.sendmail("alice@example.org", [SPACE], raw) == {}
    deadline = time.monotonic() + 10
    while database_down.refused < 2:  # tried, and tried again
        assert time.monotonic() < deadline
        time.sleep(0.02)
    [waiting] = receiver.spool.waiting()
    assert Spool.read(waiting).raw == raw
    database_down.down = False
    # The next attempt stores it, once, and the file goes.
    deadline = time.monotonic() + 10
    while receiver.spool.waiting():
        assert time.monotonic() < deadline
        time.sleep(0.02)
    settled(receiver)
    assert [bytes(r.raw) for r in ReceivedMail.objects.all()] == [raw]


def test_what_the_spool_holds_at_start_is_stored_first_and_drain_stores_it_once(
    shared_connection: None, mail_in: Spool, database_down: DatabaseDown
) -> None:
    mail_in.prepare()
    left_by_a_crash = mail_in.write(
        message(subject="Before the crash"),
        transport="lmtp",
        envelope_from="alice@example.org",
        recipients=[SPACE],
    )
    with pytest.raises(CommandError, match="1 message\\(s\\) wait in the spool"):
        call_command("mail_in", "--drain")
    assert left_by_a_crash.exists()
    database_down.down = False
    call_command("mail_in", "--drain")
    assert not left_by_a_crash.exists()
    call_command("mail_in", "--drain")  # nothing left: nothing stored twice
    assert list(ReceivedMail.objects.values_list("subject", "transport")) == [
        ("Before the crash", "lmtp")
    ]
    # A server starting with files in the spool stores them before anything else.
    mail_in.write(
        message(subject="Left over"), transport="smtp", envelope_from="", recipients=[SPACE]
    )
    server = start_server()
    try:
        settled(server)
    finally:
        server.stop()
    assert ReceivedMail.objects.filter(subject="Left over").count() == 1


def _database_for_the_command(folder: Path) -> str:
    """The test database's address for another process: itself on PostgreSQL; on SQLite
    (in memory), a copy in a file."""
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
        host = f"{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}"
        return f"postgres://{s['USER']}{password}@{host}/{s['NAME']}"
    connection.ensure_connection()
    path = folder / "mail-in.sqlite3"
    with sqlite3.connect(path) as copy:
        connection.connection.backup(copy)
    return f"sqlite:///{path}"


def _stored(url: str) -> list[tuple[str, bytes]]:
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as database:
            rows = database.execute("SELECT recipient, raw FROM mailin_receivedmail").fetchall()
        return [(r, bytes(b)) for r, b in rows]
    return [(r.recipient, bytes(r.raw)) for r in ReceivedMail.objects.all()]


@pytest.mark.django_db(transaction=True)
def test_the_cercle_mail_in_command_receives_over_smtp_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    url = _database_for_the_command(tmp_path)
    port = free_port()
    env = operator_env(
        tmp_path,
        DATABASE_URL=url,
        CERCLE_MAIL_IN_ADDRESS=MAILBOX,
        CERCLE_MAIL_IN_SPOOL=str(tmp_path / "spool"),
    )
    log = tmp_path / "mail-in.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [*CERCLE, "mail-in", "--bind", f"127.0.0.1:{port}"],
            env=env,
            cwd=PROJECT_DIR,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            try:
                client = smtplib.SMTP("127.0.0.1", port, timeout=10)
                break
            except OSError:
                time.sleep(0.1)
        raw = message()
        with client:
            assert client.sendmail("alice@example.org", [SPACE], raw) == {}
        deadline = time.monotonic() + 20
        while not _stored(url):
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        assert _stored(url) == [(SPACE, raw)]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    output_text = log.read_text()
    assert process.returncode == 0, output_text
    assert f"Receiving mail over SMTP on 127.0.0.1:{port}" in output_text
    assert "Mail in stopped." in output_text
    assert list((tmp_path / "spool" / "new").iterdir()) == []


# --- The command's settings ------------------------------------------------------------------


def test_mail_in_without_anything_to_receive_with_says_what_to_set(settings: Any) -> None:
    settings.MAIL_IN_BIND, settings.MAIL_IN_IMAP = "", ""
    with pytest.raises(CommandError, match="CERCLE_MAIL_IN_BIND or CERCLE_MAIL_IN_IMAP"):
        call_command("mail_in")
    with pytest.raises(CommandError, match="use it with --imap only"):
        call_command("mail_in", "--bind", "127.0.0.1:2525", "--once")
    with pytest.raises(CommandError, match="is not HOST:PORT"):
        call_command("mail_in", "--bind", "localhost")
    # The password is not repeated in the error.
    with pytest.raises(CommandError, match=r"must be imap://\.\.\. or imaps://\.\.\.") as wrong:
        call_command("mail_in", "--imap", "pop3://me:s3cret@mail.example.org", "--once")
    assert "s3cret" not in str(wrong.value)


def test_an_imap_url_gives_its_parts_and_takes_the_password_from_the_settings() -> None:
    plain = parse_mailbox_url(
        "imap://cercle%40example.org@mail.example.org/Cercle%20in?starttls=yes", "pw"
    )
    assert (plain.host, plain.port, plain.user, plain.password, plain.folder) == (
        "mail.example.org",
        143,
        "cercle@example.org",
        "pw",
        "Cercle in",
    )
    assert (plain.tls, plain.starttls) == (False, True)
    secure = parse_mailbox_url("imaps://me:p%40ss@mail.example.org:10993", "ignored")
    assert (secure.port, secure.password, secure.folder, secure.tls) == (
        10993,
        "p@ss",
        "INBOX",
        True,
    )
    assert "p@ss" not in str(secure)
    assert "p@ss" not in repr(secure)
    with pytest.raises(ValueError, match="no password"):
        parse_mailbox_url("imaps://me@mail.example.org/INBOX", "")


def test_the_recipients_of_a_polled_message_are_the_delivered_to_first(mail_in: Spool) -> None:
    to_both = message(to=f"{SPACE}, {OTHER_SPACE}")
    assert recipients_of(to_both) == [SPACE, OTHER_SPACE]
    # The mail server wrote which copy this is: that one only.
    assert recipients_of(f"Delivered-To: {OTHER_SPACE}\r\n".encode() + to_both) == [OTHER_SPACE]
    # None of ours: recorded under the address it came for, to be refused.
    assert recipients_of(message(to="Someone <someone@elsewhere.example>")) == [
        "someone@elsewhere.example"
    ]


# --- IMAP -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dovecot() -> Iterator[ImapServer]:
    with ImapServer() as server:
        yield server


@pytest.fixture
def imap(dovecot: ImapServer, mail_in: Spool, db: None) -> ImapServer:
    dovecot.empty()
    return dovecot


def test_polling_an_imap_mailbox_stores_each_message_then_empties_it(imap: ImapServer) -> None:
    first = f"Delivered-To: {SPACE}\r\n".encode() + message(subject="First")
    second = message(to=OTHER_SPACE, subject="Second")
    imap.deliver(first, second)
    out = call_command_output("mail_in", "--imap", imap.url, "--once")
    assert f"Took 2 message(s) from imap://cercle@127.0.0.1:{imap.port}/INBOX." in out
    rows = ReceivedMail.objects.order_by("subject")
    assert [(r.subject, r.recipient, r.transport, r.envelope_from) for r in rows] == [
        ("First", SPACE, "imap", ""),
        ("Second", OTHER_SPACE, "imap", ""),
    ]
    assert [bytes(r.raw) for r in rows] == [first, second]
    assert imap.messages() == []


def test_while_the_database_is_down_polled_messages_stay_in_the_mailbox_unseen(
    imap: ImapServer, database_down: DatabaseDown
) -> None:
    imap.deliver(message(subject="First"), message(subject="Second"))
    with pytest.raises(CommandError, match="2 message\\(s\\) left in the mailbox"):
        call_command("mail_in", "--imap", imap.url, "--once")
    assert len(imap.messages()) == 2
    with imap.client() as client:
        assert all(b"\\Seen" not in flags for flags in client.get_flags(client.search()).values())
    database_down.down = False
    call_command_output("mail_in", "--imap", imap.url, "--once")
    assert sorted(ReceivedMail.objects.values_list("subject", flat=True)) == ["First", "Second"]
    assert imap.messages() == []


def call_command_output(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_the_help_of_cercle_mail_in_names_every_way_to_receive() -> None:
    text = MailInCommand().create_parser("cercle", "mail-in").format_help()
    for option in ("--bind HOST:PORT", "--lmtp", "--imap URL", "--interval SECONDS", "--once"):
        assert option in text
    assert "--drain" in text
    assert "CERCLE_MAIL_IN_BIND" in text
    assert "spool" in text
