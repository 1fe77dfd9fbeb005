"""A real SMTP server for the tests (aiosmtpd), whose received messages they read."""

from __future__ import annotations

import email
import socket
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

from aiosmtpd.controller import Controller
from django.core.management import call_command


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Envelope:
    """What the SMTP conversation said besides the message: `MAIL FROM` (the envelope
    sender, where bounces go) and `RCPT TO`."""

    mail_from: str
    rcpt_tos: tuple[str, ...]


class MailCapture:
    """aiosmtpd handler that keeps every message it accepts, and its envelope."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._envelopes: dict[int, Envelope] = {}
        self._arrived = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(message, EmailMessage)
        with self._arrived:
            self.messages.append(message)
            self._envelopes[id(message)] = Envelope(
                str(envelope.mail_from), tuple(str(to) for to in envelope.rcpt_tos)
            )
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, to: str, count: int = 1, timeout: float = 10.0) -> list[EmailMessage]:
        """The messages sent to `to`, once at least `count` of them have arrived."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                found = [m for m in self.messages if to in str(m["To"])]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"expected {count} message(s) to {to}, got {len(found)} "
                        f"(all recipients: {[str(m['To']) for m in self.messages]})"
                    )
                self._arrived.wait(remaining)

    def envelope_of(self, message: EmailMessage) -> Envelope:
        """The envelope `message` arrived in."""
        return self._envelopes[id(message)]


def text_body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, "the message has no plain-text part"
    content: str = part.get_content()
    return content


class SmtpServer:
    def __init__(self) -> None:
        self.capture = MailCapture()
        self.port = free_port()
        self.controller = Controller(self.capture, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[EmailMessage]:
        return self.capture.messages

    def wait_for(self, to: str, count: int = 1, timeout: float = 10.0) -> list[EmailMessage]:
        return self.capture.wait_for(to, count, timeout)

    def envelope_of(self, message: EmailMessage) -> Envelope:
        return self.capture.envelope_of(message)


def deliver_queued_email() -> None:
    """Run the real background worker until the queue is empty, as production does."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)
