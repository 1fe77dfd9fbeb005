"""Hand outgoing email to the background worker.

Pages never wait on an SMTP server: a message is turned into plain data, queued as
a task once the change that caused it commits, and sent by the
worker. If that transaction rolls back, the message is never sent.
"""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.db import transaction

from cercle.mail.payload import message_to_payload
from cercle.mail.tasks import send_email

# RFC 2606 reserves `.invalid`: imported and generated people who never gave an
# address carry one, and no message is ever addressed to them.
UNDELIVERABLE_SUFFIX = ".invalid"


def deliverable(address: str) -> bool:
    return not address.rstrip(">").strip().lower().endswith(UNDELIVERABLE_SUFFIX)


def queue_email(message: EmailMessage) -> None:
    """Send `message` from the background worker once the current transaction commits.

    Addresses under `.invalid` are dropped; a message left with no recipient is not sent."""
    message.to = [address for address in message.to if deliverable(address)]
    message.cc = [address for address in message.cc if deliverable(address)]
    message.bcc = [address for address in message.bcc if deliverable(address)]
    if not message.recipients():
        return
    payload = message_to_payload(message)
    transaction.on_commit(lambda: send_email.enqueue(payload))
