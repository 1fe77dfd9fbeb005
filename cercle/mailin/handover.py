"""What the transports do with a message once they hold it: store it (the point after
which it may be acknowledged, deleted from the spool or the IMAP mailbox), then have it
handled (docs/mail.md, "Receiving").

The two steps are apart on purpose (`receiving.receive` does both at once): a failure
while handling must not make a transport keep, and so store again, a message the
database already has; the row, pending or failed, is handled again later (`cercle
mail-in --drain`, the scheduled `cercle mail-in-retry`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.db import close_old_connections, connections

from cercle.mailin import receiving
from cercle.mailin.models import ReceivedMail

logger = logging.getLogger(__name__)


def store(
    raw: bytes, *, transport: str, envelope_from: str, recipients: Sequence[str]
) -> list[ReceivedMail]:
    """Write the message, once per recipient; raises the database's error when it
    cannot (the caller keeps the message)."""
    rows = receiving.store(
        raw, transport=transport, envelope_from=envelope_from, recipients=recipients
    )
    logger.info(
        "Stored a message of %d bytes from <%s> for %s (%s)",
        len(raw),
        envelope_from,
        ", ".join(recipients),
        transport,
    )
    return rows


def process(rows: Sequence[ReceivedMail]) -> None:
    """Handle stored rows. `receiving.process` records its own failures on the row;
    anything else (the database gone meanwhile) is logged, never raised: the row
    waits, pending, for the scheduled retry (`cercle mail-in-retry`)."""
    for row in rows:
        try:
            receiving.process(row)
        except Exception:
            logger.exception("Handling received message %s failed; it will be tried again", row.pk)


def process_pending() -> int:
    """Handle the rows left pending or failed; how many were handled."""
    return receiving.process_pending()


def fresh_connections() -> None:
    """Drop connections that are too old or broken, as Django does around each request;
    never inside a transaction (a test's), where closing would break it."""
    if not any(c.in_atomic_block for c in connections.all(initialized_only=True)):
        close_old_connections()


def close_connections() -> None:
    """Close this thread's connections (after a database error: start again with a
    new one next time); never inside a transaction (a test's)."""
    if any(c.in_atomic_block for c in connections.all(initialized_only=True)):
        return
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except Exception:
            logger.debug("closing a broken connection failed", exc_info=True)
