"""Receiving a message: store it, then handle it (docs/mail.md).

`store` writes the message whole, one row per Cercle recipient, before anything else:
the transports (SMTP/LMTP server, IMAP poller) acknowledge a message only once `store`
returned, and keep it (spool file, message left in the mailbox) when it raised.
`process` decides what the message is and does it, through the same actions and
permission checks as the pages, and records the outcome on the row.
"""

from __future__ import annotations

from collections.abc import Sequence
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from email.utils import parseaddr

from django.db import transaction

from cercle.mail.addresses import read_recipient
from cercle.mailin.models import ReceivedMail


def accepts(address: str) -> bool:
    """Whether `address` is one Cercle receives at (asked at SMTP's RCPT TO): its
    mailbox, with a tag of a known shape whose mac matches."""
    return read_recipient(address) is not None


def _header(raw: bytes, name: str, length: int) -> str:
    headers = BytesHeaderParser(policy=default_policy).parsebytes(raw)
    try:
        value = headers.get(name)
    except (ValueError, IndexError):  # a malformed header is read as none
        return ""
    return " ".join(str(value or "").split())[:length]


def store(
    raw: bytes, *, transport: str, envelope_from: str, recipients: Sequence[str]
) -> list[ReceivedMail]:
    """Write the message, pending, once per recipient, in one transaction. Raises the
    database's error when it cannot: the caller keeps the message and tries later."""

    from_address = parseaddr(_header(raw, "From", 998))[1].lower()[:320]
    subject = _header(raw, "Subject", 300)
    message_id = _header(raw, "Message-ID", 300)
    with transaction.atomic():
        return [
            ReceivedMail.objects.create(
                transport=transport,
                envelope_from=envelope_from[:320],
                recipient=recipient[:320],
                from_address=from_address,
                subject=subject,
                message_id=message_id,
                size=len(raw),
                raw=raw,
            )
            for recipient in recipients
        ]
