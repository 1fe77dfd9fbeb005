"""Hand outgoing email to the background worker.

Pages never wait on an SMTP server: a message is turned into plain data, queued as
a task once the change that caused it commits, and sent by the
worker. If that transaction rolls back, the message is never sent.

Before it is queued, a message loses the addresses it may not go to (`.invalid` ones,
those that bounced for good) and is signed (`outgoing.sign`: the loop mark, and the
person's bounce address as envelope sender when mail in is on).
"""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.db import transaction

from cercle.mail.outgoing import UNDELIVERABLE_SUFFIX, deliverable, drop_undeliverable, sign
from cercle.mail.payload import message_to_payload
from cercle.mail.tasks import send_email

__all__ = ["UNDELIVERABLE_SUFFIX", "deliverable", "queue_email", "send_now"]


def queue_email(message: EmailMessage, *, person_id: int | None = None) -> None:
    """Send `message` from the background worker once the current transaction commits.

    Addresses under `.invalid` and stopped addresses are dropped; a message left with no
    recipient is not sent. `person_id`, the person the message goes to, saves looking
    them up by address for the envelope sender."""
    if not drop_undeliverable(message):
        return
    sign(message, person_id)
    payload = message_to_payload(message)
    transaction.on_commit(lambda: send_email.enqueue(payload))


def send_now(message: EmailMessage, *, person_id: int | None = None) -> int:
    """Send `message` at once (from a background task that asked its questions itself),
    with the same care as `queue_email`; returns how many were sent (0: nobody left)."""
    if not drop_undeliverable(message):
        return 0
    sign(message, person_id)
    return message.send(fail_silently=False)
