"""What staff do from the received-mail log (/staff/mail/): handle again a message that
failed, or that still waits (the receiver stopped before handling it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from cercle import permissions
from cercle.errors import ActionRefused
from cercle.mailin import receiving
from cercle.mailin.models import Outcome, ReceivedMail

if TYPE_CHECKING:
    from cercle.accounts.models import User

RETRYABLE = frozenset({Outcome.FAILED, Outcome.PENDING})


def may_try_again(received: ReceivedMail) -> bool:
    """Whether the message is one "Try again" applies to: it failed or still waits, and
    its text is still kept."""
    return received.outcome in RETRYABLE and bool(received.raw)


def do_try_again(actor: User, received: ReceivedMail) -> ReceivedMail:
    """Handle `received` again, through the same path as when it arrived
    (`receiving.process`), and return it with its new outcome."""
    if not permissions.mail.may_retry_received_mail(actor):
        raise ActionRefused(_("Only staff handle received messages again."), not_found=True)
    received.refresh_from_db()
    if not may_try_again(received):
        raise ActionRefused(
            _("This message was handled already (%(outcome)s): there is nothing to try again.")
            % {"outcome": received.get_outcome_display()}
        )
    return receiving.process(received)
