"""`cercle mail-in`: receive mail, over SMTP or LMTP or from an IMAP mailbox."""

from __future__ import annotations

import logging
import signal
import threading
from argparse import ArgumentParser
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cercle.mailin import handover
from cercle.mailin.imap import ImapMailbox, parse_mailbox_url, poll_once, run_poller
from cercle.mailin.smtp import MailServer, parse_bind
from cercle.mailin.spool import Spool

NOTHING_TO_DO = (
    "Nothing to receive with: give --bind HOST:PORT (an SMTP server, or LMTP with "
    "--lmtp) or --imap URL (a mailbox to poll), or set CERCLE_MAIL_IN_BIND or "
    "CERCLE_MAIL_IN_IMAP (docs/mail.md, 'Receiving')."
)


class Command(BaseCommand):
    # Like the web server, it starts without Django's system checks (`cercle check`
    # runs them): a receiver back quickly after a restart makes senders wait less.
    requires_system_checks: list[str] = []
    help = (
        "Receive mail for Cercle (replies, new topics, delivery reports; docs/mail.md). "
        "Either listen as an SMTP server (--bind HOST:PORT; --lmtp to speak LMTP) for a "
        "mail server such as Postfix to hand messages to, or poll an IMAP mailbox "
        "(--imap imaps://user:password@host:port/INBOX). Without options, the settings "
        "CERCLE_MAIL_IN_BIND, CERCLE_MAIL_IN_LMTP and CERCLE_MAIL_IN_IMAP say which; "
        "`cercle serve` starts this command when one is set. Over SMTP a message is "
        "acknowledged only once written to the spool (CERCLE_MAIL_IN_SPOOL), and leaves "
        "it once the database has it; from IMAP it is deleted only once the database "
        "has it. Ctrl-C (or SIGTERM) stops cleanly."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # Spelled as people type it (`cercle mail-in`), not as the module is named.
        return super().create_parser(prog_name, "mail-in", **kwargs)

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--bind",
            metavar="HOST:PORT",
            help="Listen for mail on this address and port, for example 127.0.0.1:2525 "
            "(default: CERCLE_MAIL_IN_BIND). Only Cercle's addresses are accepted.",
        )
        parser.add_argument(
            "--lmtp",
            action="store_true",
            default=None,
            help="Speak LMTP instead of SMTP on --bind, with one answer per recipient "
            "(default: CERCLE_MAIL_IN_LMTP).",
        )
        parser.add_argument(
            "--imap",
            metavar="URL",
            help="Poll this IMAP mailbox: imaps://user:password@host:port/INBOX, or "
            "imap://... (add ?starttls=yes to upgrade the connection). The password may "
            "come from CERCLE_MAIL_IN_IMAP_PASSWORD instead (default: CERCLE_MAIL_IN_IMAP). "
            "Every message in it is taken, then deleted once stored.",
        )
        parser.add_argument(
            "--interval",
            type=float,
            metavar="SECONDS",
            help="Seconds between two polls of the IMAP mailbox "
            "(default: CERCLE_MAIL_IN_IMAP_INTERVAL, 60).",
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help="Poll the IMAP mailbox once and exit (for cron); not for --bind.",
        )
        parser.add_argument(
            "--drain",
            action="store_true",
            help="Store the messages waiting in the spool and handle the received "
            "messages still pending, once, then exit.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verbosity"] < 2:
            # aiosmtpd logs every command of every session at INFO: only with -v 2.
            logging.getLogger("mail.log").setLevel(logging.WARNING)
        if options["drain"]:
            self._drain()
            return
        bind = options["bind"] if options["bind"] is not None else settings.MAIL_IN_BIND
        imap = options["imap"] if options["imap"] is not None else settings.MAIL_IN_IMAP
        # --bind or --imap on the command line: that one only, not also the settings'.
        if options["bind"] is not None and options["imap"] is None:
            imap = ""
        if options["imap"] is not None and options["bind"] is None:
            bind = ""
        lmtp = options["lmtp"] if options["lmtp"] is not None else settings.MAIL_IN_LMTP
        if not bind and not imap:
            raise CommandError(NOTHING_TO_DO)
        interval = options["interval"] or settings.MAIL_IN_IMAP_INTERVAL
        if interval <= 0:
            raise CommandError("--interval must be a number of seconds above 0.")
        mailbox = self._mailbox(imap) if imap else None
        if options["once"]:
            if bind or mailbox is None:
                raise CommandError("--once polls an IMAP mailbox once: use it with --imap only.")
            self._poll_once(mailbox)
            return
        self._serve(bind, lmtp, mailbox, interval)

    def _mailbox(self, url: str) -> ImapMailbox:
        try:
            return parse_mailbox_url(url, settings.MAIL_IN_IMAP_PASSWORD)
        except ValueError as error:
            # The URL may hold the password: name the mailbox by its host only.
            where = url.rpartition("@")[2]
            raise CommandError(f"Cannot poll {where!r}: {error}.") from error

    def _poll_once(self, mailbox: ImapMailbox) -> None:
        try:
            result = poll_once(mailbox)
        except Exception as error:
            raise CommandError(f"Polling {mailbox} failed: {error}") from error
        self.stdout.write(f"Took {result.stored} message(s) from {mailbox}.")
        if result.error is not None:
            raise CommandError(
                f"{result.left} message(s) left in the mailbox, the database refused them "
                f"({result.error}); they are taken at the next poll."
            )

    def _drain(self) -> None:
        spool = Spool(Path(settings.MAIL_IN_SPOOL))
        result = spool.drain(
            lambda m: handover.store(
                m.raw,
                transport=m.transport,
                envelope_from=m.envelope_from,
                recipients=m.recipients,
            ),
            handover.process,
        )
        self.stdout.write(f"Stored {result.stored} message(s) from the spool {spool.folder}.")
        for path in result.broken:
            self.stderr.write(f"Unreadable spool file moved aside: {path}")
        if result.error is not None:
            raise CommandError(
                f"{result.left} message(s) wait in the spool: the database refused them "
                f"({result.error})."
            )
        handled = handover.process_pending()
        self.stdout.write(f"Handled {handled} pending message(s).")

    def _serve(self, bind: str, lmtp: bool, mailbox: ImapMailbox | None, interval: float) -> None:
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        previous = {
            number: signal.signal(number, request_stop)
            for number in (signal.SIGINT, signal.SIGTERM)
        }
        server: MailServer | None = None
        poller: threading.Thread | None = None
        try:
            if bind:
                try:
                    host, port = parse_bind(bind)
                except ValueError as error:
                    raise CommandError(f"Cannot listen: {error}.") from error
                server = MailServer(host, port, lmtp=lmtp)
                try:
                    server.start()
                except Exception as error:
                    raise CommandError(f"Cannot listen on {bind}: {error}") from error
                self.stdout.write(
                    f"Receiving mail over {server.protocol} on {bind}, spool "
                    f"{server.spool.folder} (Ctrl-C stops)."
                )
            if mailbox is not None:
                poller = threading.Thread(
                    target=run_poller, args=(mailbox, interval, stop), name="cercle-imap"
                )
                poller.start()
                self.stdout.write(f"Polling {mailbox} every {interval:g} s (Ctrl-C stops).")
            self.stdout.flush()
            while not stop.wait(0.5):
                pass
        finally:
            stop.set()
            if poller is not None:
                poller.join()
            if server is not None:
                server.stop()
            for number, handler in previous.items():
                signal.signal(number, handler)
        self.stdout.write("Mail in stopped.")
