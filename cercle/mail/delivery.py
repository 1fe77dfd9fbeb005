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


def queue_email(message: EmailMessage) -> None:
    """Send `message` from the background worker once the current transaction commits."""
    payload = message_to_payload(message)
    transaction.on_commit(lambda: send_email.enqueue(payload))
