"""What every message Cercle sends carries, and where it may not go (docs/mail.md,
"Outgoing mail").

- The loop mark (`addresses.LOOP_HEADER`): a message carrying it that comes back in is
  Cercle's own and is never posted.
- When mail in is on and a message goes to one person, its envelope sender (the SMTP
  `MAIL FROM`, the Return-Path) is that person's bounce address (VERP), so that a
  delivery report names whom it is about; the `From:` header the person reads stays
  `DEFAULT_FROM_EMAIL`. Django sends with `from_email` as the envelope sender and a
  `From` header when one is given, which is what `sign` sets.
- Addresses that bounced for good (`bounces.stopped_addresses`) receive nothing.
"""

from __future__ import annotations

from email.utils import parseaddr

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage

from cercle.mail import addresses
from cercle.mail.bounces import stopped_addresses

# RFC 2606 reserves `.invalid`: imported and generated people who never gave an
# address carry one, and no message is ever addressed to them.
UNDELIVERABLE_SUFFIX = ".invalid"


def deliverable(address: str) -> bool:
    return not address.rstrip(">").strip().lower().endswith(UNDELIVERABLE_SUFFIX)


def _bare(address: str) -> str:
    return parseaddr(address)[1].strip().lower()


def drop_undeliverable(message: EmailMessage) -> bool:
    """Take `.invalid` and stopped addresses off the message (one query); True while
    someone is left to send it to."""
    message.to = [address for address in message.to if deliverable(address)]
    message.cc = [address for address in message.cc if deliverable(address)]
    message.bcc = [address for address in message.bcc if deliverable(address)]
    stopped = stopped_addresses(_bare(address) for address in message.recipients())
    if stopped:
        message.to = [address for address in message.to if _bare(address) not in stopped]
        message.cc = [address for address in message.cc if _bare(address) not in stopped]
        message.bcc = [address for address in message.bcc if _bare(address) not in stopped]
    return bool(message.recipients())


def person_of(message: EmailMessage) -> int | None:
    """The account a message to one address goes to, found by that address (one
    query), or None: several recipients, or an address nobody has."""
    recipients = message.recipients()
    if len(recipients) != 1:
        return None
    found = (
        get_user_model()
        .objects.filter(email__iexact=_bare(recipients[0]))
        .values_list("pk", flat=True)
        .first()
    )
    return int(found) if found is not None else None


def sign(message: EmailMessage, person_id: int | None = None) -> None:
    """The loop mark, and, when mail in is on and the message goes to one person, the
    envelope sender that brings that person's bounces back (VERP). Without
    `person_id`, the person is looked up by the address when mail in is on."""
    message.extra_headers[addresses.LOOP_HEADER] = addresses.mail_domain()
    if not addresses.mail_in_enabled() or len(message.recipients()) != 1:
        return
    if person_id is None:
        person_id = person_of(message)
    bounce = addresses.bounce_address(person_id) if person_id is not None else None
    if bounce is None:
        return
    # The header the person reads stays Cercle's address; only the envelope changes.
    message.extra_headers.setdefault("From", message.from_email or settings.DEFAULT_FROM_EMAIL)
    message.from_email = bounce
