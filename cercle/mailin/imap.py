"""Polling an IMAP mailbox (`cercle mail-in --imap`, docs/mail.md "Receiving").

For a host where Cercle cannot listen for mail: the mail server (or the provider)
delivers to an ordinary mailbox, and Cercle takes the messages out. Each message is
read without marking it seen, stored in the database, and only then flagged \\Deleted
and expunged; when the database refuses, the message stays untouched in the mailbox
for the next poll. The mailbox is Cercle's alone: every message in it is taken.

The envelope is gone by then, so the recipients are read from the headers the mail
server added (Delivered-To, X-Original-To), else from To and Cc: those that are
Cercle's addresses (`receiving.accepts`).
"""

from __future__ import annotations

import logging
import ssl
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses
from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import settings
from imapclient import DELETED, IMAPClient
from imapclient.exceptions import IMAPClientError

from cercle.mailin import handover, receiving
from cercle.mailin.models import ReceivedMail, Transport

logger = logging.getLogger(__name__)

# Messages fetched per command: a poll after days of downtime stays in bounded memory.
BATCH = 20
TIMEOUT_SECONDS = 60.0
_TRUE = {"", "1", "yes", "true", "on", "required"}


@dataclass(frozen=True)
class ImapMailbox:
    host: str
    port: int
    user: str
    password: str = field(repr=False)
    folder: str = "INBOX"
    tls: bool = True  # imaps://: TLS from the start
    starttls: bool = False  # imap://...?starttls=yes: upgraded before logging in

    def __str__(self) -> str:
        scheme = "imaps" if self.tls else "imap"
        return f"{scheme}://{self.user}@{self.host}:{self.port}/{self.folder}"


def parse_mailbox_url(url: str, password: str = "") -> ImapMailbox:
    """`imaps://user:password@host:port/FOLDER` (or imap://, with ?starttls=yes to
    upgrade); the password may be given apart (CERCLE_MAIL_IN_IMAP_PASSWORD). Raises
    ValueError saying what is wrong."""
    parts = urlsplit(url.strip())
    if parts.scheme not in {"imap", "imaps"}:
        raise ValueError("the IMAP mailbox must be imap://... or imaps://...")
    try:
        port = parts.port
    except ValueError as error:
        raise ValueError(f"the IMAP mailbox's port is wrong: {error}") from error
    if not parts.hostname or not parts.username:
        raise ValueError("the IMAP mailbox needs a user and a host: imaps://user@host/INBOX")
    given = unquote(parts.password) if parts.password is not None else password
    if not given:
        raise ValueError(
            "the IMAP mailbox has no password: put it in the URL or in CERCLE_MAIL_IN_IMAP_PASSWORD"
        )
    tls = parts.scheme == "imaps"
    options = parse_qs(parts.query, keep_blank_values=True)
    starttls = not tls and any(v.lower() in _TRUE for v in options.get("starttls", []))
    return ImapMailbox(
        host=parts.hostname,
        port=port or (993 if tls else 143),
        user=unquote(parts.username),
        password=given,
        folder=unquote(parts.path.lstrip("/")) or "INBOX",
        tls=tls,
        starttls=starttls,
    )


def recipients_of(raw: bytes) -> list[str]:
    """Cercle's addresses this copy was delivered to: those of Delivered-To and
    X-Original-To (the envelope's, written by the mail server) when there are any,
    else of To and Cc. Without any of Cercle's, the first address found, so that the
    message is recorded and refused as sent to an unknown address."""
    headers = BytesHeaderParser(policy=compat32).parsebytes(raw)

    def addresses(*names: str) -> list[str]:
        values = [str(v) for name in names for v in headers.get_all(name, [])]
        found: list[str] = []
        for _name, written in getaddresses(values):
            address = written.strip()
            if address and address.lower() not in {a.lower() for a in found}:
                found.append(address)
        return found

    delivered = addresses("Delivered-To", "X-Original-To")
    written = addresses("To", "Cc")
    for candidates in (delivered, written):
        accepted = [a for a in candidates if receiving.accepts(a)]
        if accepted:
            return accepted
    everything = delivered + written
    return everything[:1] or [settings.MAIL_IN_ADDRESS or "unknown"]


@dataclass
class PollResult:
    stored: int = 0
    # Messages left in the mailbox because the database refused them.
    left: int = 0
    error: BaseException | None = None
    rows: list[ReceivedMail] = field(default_factory=list)


@contextmanager
def _connected(mailbox: ImapMailbox) -> Iterator[IMAPClient]:
    context = ssl.create_default_context()
    client = IMAPClient(
        mailbox.host,
        port=mailbox.port,
        ssl=mailbox.tls,
        ssl_context=context if mailbox.tls else None,
        timeout=TIMEOUT_SECONDS,
    )
    try:
        if mailbox.starttls:
            client.starttls(context)
        client.login(mailbox.user, mailbox.password)
        client.select_folder(mailbox.folder)
        yield client
    finally:
        try:
            client.logout()
        except (IMAPClientError, OSError):
            client.shutdown()


def _batches(uids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(uids), BATCH):
        yield uids[start : start + BATCH]


def poll_once(mailbox: ImapMailbox) -> PollResult:
    """Take every message of the mailbox into the database, then handle them. Raises
    the IMAP server's or the network's errors (OSError, IMAPClientError)."""
    result = PollResult()
    with _connected(mailbox) as client:
        uids: list[int] = sorted(client.search(["NOT", "DELETED"]))
        done: list[int] = []
        for batch in _batches(uids):
            if result.error is not None:
                break
            # BODY.PEEK: reading does not mark the message seen (it stays as it was
            # when the database refuses it).
            fetched = client.fetch(batch, ["BODY.PEEK[]"])
            for uid in batch:
                raw = fetched.get(uid, {}).get(b"BODY[]")
                if raw is None:  # expunged meanwhile by another client
                    continue
                try:
                    rows = handover.store(
                        bytes(raw),
                        transport=Transport.IMAP,
                        envelope_from="",
                        recipients=recipients_of(bytes(raw)),
                    )
                except Exception as error:
                    result.error = error
                    break
                # Stored: the message may go. Flagged at once, so that a poll cut short
                # here never stores it twice (the next one skips \Deleted messages).
                client.add_flags([uid], [DELETED], silent=True)
                done.append(uid)
                result.rows.extend(rows)
        if done:
            if client.has_capability("UIDPLUS"):
                client.uid_expunge(done)
            else:
                client.expunge()
        result.stored = len(done)
        result.left = len(uids) - len(done)
    if result.error is not None:
        logger.warning(
            "Could not store a message from %s (%s); %d message(s) left in the mailbox "
            "for the next poll",
            mailbox,
            result.error,
            result.left,
        )
        handover.close_connections()
    handover.process(result.rows)
    return result


def run_poller(mailbox: ImapMailbox, interval: float, stop: threading.Event) -> None:
    """Poll every `interval` seconds until `stop` is set; a mailbox or network that
    fails is logged and tried again at the next poll."""
    while not stop.is_set():
        handover.fresh_connections()
        try:
            result = poll_once(mailbox)
        except (OSError, IMAPClientError) as error:
            logger.warning("Polling %s failed (%s); trying again in %s s", mailbox, error, interval)
        else:
            if result.stored:
                logger.info("Took %d message(s) from %s", result.stored, mailbox)
        stop.wait(interval)
