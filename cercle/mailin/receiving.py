"""Receiving a message: store it, then handle it (docs/mail.md).

`store` writes the message whole, one row per Cercle recipient, before anything else:
the transports (SMTP/LMTP server, IMAP poller) acknowledge a message only once `store`
returned, and keep it (spool file, message left in the mailbox) when it raised.
`process` decides what the message is and does it, through the same actions and
permission checks as the pages, and records the outcome on the row.

The checks, in this order (the first that applies decides; docs/mail.md has the table
of outcomes and the answer each gives):

1. larger than `MAIL_IN_MAX_BYTES`: refused, answered;
2. one of our own messages come back (`addresses.LOOP_HEADER`): ignored;
3. a delivery report: recorded at a bounce address, ignored anywhere else;
4. automatic (RFC 3834 `Auto-Submitted`, `Precedence`, out of office...): ignored;
5. a message already received for the same address (same Message-ID): ignored;
6. an address Cercle does not know (or a bounce address, which takes only reports):
   refused, not answered;
7. DMARC: refused, answered, when the receiving server says `dmarc=fail`; for a
   space's address (where the From is the only proof of who writes) also when
   `MAIL_IN_AUTHSERV_ID` is set and the trusted header does not say `dmarc=pass`;
8. more than `MAIL_IN_RATE_PER_HOUR` messages from the sender within the hour:
   refused, answered;
9. then by address: a reply (`actions.do_reply_by_email`) or a new topic
   (`actions.do_start_topic_by_email`).

Answers (`answers.queue_answer`) go only to a sender who wrote themselves: never to
automatic mail, reports or loops, never to the From of a reply address that is not the
person's own, and at most once per sender and hour whatever the refusals (a forged
From must not make Cercle a source of backscatter).

A database error or an unexpected exception rolls back whatever the message had begun
(the post and the row's outcome are written in one transaction) and leaves the row
FAILED with the error as its reason; `process_pending` (a periodic job,
`cercle mail-in-retry`) tries it again, up to `MAX_ATTEMPTS` times, then it stays
failed for staff to see.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from email.utils import parseaddr

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cercle.accounts.models import User
from cercle.communities.models import Community
from cercle.mail.addresses import Recipient, read_recipient
from cercle.mailin import actions
from cercle.mailin.actions import Decision
from cercle.mailin.answers import Answer, Refusal, answered_recently, language_for, queue_answer
from cercle.mailin.message import ParsedMail
from cercle.mailin.models import Outcome, ReceivedMail
from cercle.mailin.parsing import parse

logger = logging.getLogger(__name__)

# A row that failed this many times stays FAILED, for staff to look at.
MAX_ATTEMPTS = 10
RATE_WINDOW = timedelta(hours=1)
TO_HANDLE = (Outcome.PENDING, Outcome.FAILED)
RECORDED = [
    "outcome",
    "reason",
    "person",
    "community",
    "topic",
    "post",
    "attempts",
    "processed_at",
    "answered_at",
]


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


def receive(
    raw: bytes, *, transport: str, envelope_from: str, recipients: Sequence[str]
) -> list[ReceivedMail]:
    """Store the message (raising the database's error when it cannot: the transport
    keeps it), then handle each recipient's row. Handling never raises: a failure is
    recorded on the row, which `process_pending` retries."""
    rows = store(raw, transport=transport, envelope_from=envelope_from, recipients=recipients)
    return [process(row) for row in rows]


def process(received: ReceivedMail) -> ReceivedMail:
    """Handle one stored message, once: a row already handled is returned as it is.
    Returns the row with its outcome (FAILED, with the error, when handling broke)."""
    return _process(received.pk, skip_locked=False) or received


def process_pending(limit: int = 100) -> int:
    """Handle the rows left pending (stored, not handled) and retry the failed ones, the
    oldest first; returns how many were handled. Rows another worker is handling are
    skipped."""
    ids = list(
        ReceivedMail.objects.filter(outcome__in=TO_HANDLE)
        .exclude(outcome=Outcome.FAILED, attempts__gte=MAX_ATTEMPTS)
        .order_by("received_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    handled = 0
    for pk in ids:
        if _process(pk, skip_locked=True) is not None:
            handled += 1
    return handled


def _process(pk: int, *, skip_locked: bool) -> ReceivedMail | None:
    try:
        with transaction.atomic():
            # Locked until the outcome commits: two workers never handle one message twice.
            row = (
                ReceivedMail.objects.select_for_update(skip_locked=skip_locked)
                .filter(pk=pk)
                .first()
            )
            if row is None or row.outcome not in TO_HANDLE:
                return row
            row.attempts += 1
            decision, parsed = _decide(row)
            _record(row, decision, parsed)
            return row
    except Exception as error:  # any failure is the row's, retried later
        logger.exception("mail in: handling received message %s failed", pk)
        return _fail(pk, error)


def _fail(pk: int, error: Exception) -> ReceivedMail | None:
    """Everything the message began was rolled back; the row says why, to be retried."""
    reason = f"{type(error).__name__}: {error}"[:2000]
    try:
        ReceivedMail.objects.filter(pk=pk, outcome__in=TO_HANDLE).update(
            outcome=Outcome.FAILED,
            reason=reason,
            attempts=F("attempts") + 1,
            processed_at=timezone.now(),
        )
        return ReceivedMail.objects.filter(pk=pk).first()
    except Exception:  # the database is down: the row stays as it was
        logger.exception("mail in: could not record the failure of message %s", pk)
        return None


def _record(row: ReceivedMail, decision: Decision, parsed: ParsedMail) -> None:
    now = timezone.now()
    row.outcome, row.reason = decision.outcome, decision.reason
    row.person = decision.person
    row.community = decision.community
    row.topic = decision.topic
    row.post = decision.post
    row.processed_at = now
    answer = decision.answer
    if answer is not None and answer.to:
        if answered_recently(answer.to, now):
            row.reason += " Not answered: this sender was answered within the hour."
        else:
            queue_answer(row, parsed, answer)
            row.answered_at = now
    # Not the message itself: it may weigh megabytes, and it does not change.
    row.save(update_fields=RECORDED)


# --- Deciding ---------------------------------------------------------------------------


def _head(raw: bytes) -> bytes:
    """The header block of a message (all a message too large to read whole needs)."""
    for separator in (b"\r\n\r\n", b"\n\n"):
        end = raw.find(separator)
        if end != -1:
            return raw[: end + len(separator)]
    return raw


def _is_report(raw_head: bytes, parsed: ParsedMail) -> bool:
    if parsed.is_report or parsed.reports:
        return True
    content_type = _header(raw_head, "Content-Type", 300).lower()
    return content_type.startswith("multipart/report")


def _decide(row: ReceivedMail) -> tuple[Decision, ParsedMail]:
    raw = bytes(row.raw)
    recipient = read_recipient(row.recipient)
    if row.size > settings.MAIL_IN_MAX_BYTES:
        # Read the headers only: who wrote, and whether it is automatic.
        parsed = parse(_head(raw))
        decision = Decision(
            Outcome.REFUSED_TOO_LARGE,
            f"The message is {row.size} bytes; the limit is {settings.MAIL_IN_MAX_BYTES}.",
        )
        automatic = parsed.ours or parsed.auto_submitted or _is_report(_head(raw), parsed)
        if not automatic:
            decision.answer = _answer(Refusal.TOO_LARGE, parsed, recipient)
        return decision, parsed
    parsed = parse(raw)
    return _decide_parsed(row, parsed, recipient), parsed


def _decide_parsed(  # noqa: PLR0911 - one return per check, in the documented order
    row: ReceivedMail, parsed: ParsedMail, recipient: Recipient | None
) -> Decision:
    if parsed.ours:
        return Decision(Outcome.IGNORED_LOOP, "One of Cercle's own messages came back.")
    if _is_report(_head(bytes(row.raw)), parsed):
        if recipient is not None and recipient.kind == "bounce":
            return actions.do_record_delivery_reports(parsed, recipient)
        return Decision(
            Outcome.IGNORED_AUTO_REPLY, "A delivery report to an address that takes no reports."
        )
    if parsed.auto_submitted:
        return Decision(
            Outcome.IGNORED_AUTO_REPLY, "An automatic message (auto-reply, list or bulk)."
        )
    if _duplicate(row):
        return Decision(
            Outcome.IGNORED_DUPLICATE,
            f"The message {row.message_id} was received for this address before.",
        )
    if recipient is None or recipient.kind == "bounce":
        why = "takes only delivery reports" if recipient else "is not one of Cercle's"
        return Decision(Outcome.REFUSED_ADDRESS, f"The address {row.recipient} {why}.")
    if _fails_dmarc(parsed, recipient):
        return Decision(
            Outcome.REFUSED_DMARC,
            f"DMARC of the sender's domain: {parsed.dmarc or 'no trusted result'}.",
            answer=_answer(Refusal.DMARC, parsed, recipient),
        )
    sent = _sent_within_the_hour(row)
    if sent > settings.MAIL_IN_RATE_PER_HOUR:
        return Decision(
            Outcome.REFUSED_RATE,
            f"{sent} messages from {row.from_address} within the hour; the limit is "
            f"{settings.MAIL_IN_RATE_PER_HOUR}.",
            answer=_answer(Refusal.RATE, parsed, recipient),
        )
    if recipient.kind == "reply":
        return actions.do_reply_by_email(parsed, recipient)
    return actions.do_start_topic_by_email(parsed, recipient)


def _duplicate(row: ReceivedMail) -> bool:
    """The same message (Message-ID) received before for the same address: the first row
    is the one handled (or retried), whatever became of it."""
    if not row.message_id:
        return False
    return ReceivedMail.objects.filter(
        message_id=row.message_id, recipient=row.recipient, pk__lt=row.pk
    ).exists()


def _fails_dmarc(parsed: ParsedMail, recipient: Recipient) -> bool:
    """An explicit DMARC failure refuses everywhere. At a space's address, where the From
    is the only proof of who writes, a receiving server named in MAIL_IN_AUTHSERV_ID
    must also vouch for it (dmarc=pass); without that setting, no result to trust is
    not a refusal (the reply addresses carry their own proof, their mac)."""
    if parsed.dmarc == "fail":
        return True
    return (
        recipient.kind == "space" and bool(settings.MAIL_IN_AUTHSERV_ID) and parsed.dmarc != "pass"
    )


def _sent_within_the_hour(row: ReceivedMail) -> int:
    """Messages from the row's sender in the hour up to it (itself included): measured
    from when it arrived, so that a retry decides as the first attempt did."""
    if not row.from_address:
        return 0
    return ReceivedMail.objects.filter(
        from_address=row.from_address,
        received_at__gt=row.received_at - RATE_WINDOW,
        pk__lte=row.pk,
    ).count()


def _answer(refusal: str, parsed: ParsedMail, recipient: Recipient | None) -> Answer | None:
    """An answer to the sender, if one may be sent: at a reply address only to the
    person it names, writing from one of their addresses; at a space's address to the
    sender (in their language when they are a Cercle person); elsewhere to nobody."""
    if recipient is None or not parsed.from_address:
        return None
    if recipient.kind == "reply":
        person = User.objects.filter(pk=recipient.person_id or 0).first()
        if person is None or not actions.owns_address(person, parsed.from_address):
            return None
        return Answer(refusal, parsed.from_address, language_for(person), person)
    if recipient.kind == "space":
        person = actions.person_for_address(parsed.from_address)
        community = Community.objects.filter(slug=recipient.community_slug).first()
        return Answer(refusal, parsed.from_address, language_for(person, community), person)
    return None
