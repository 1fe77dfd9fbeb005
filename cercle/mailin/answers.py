"""Answers by email to a message Cercle did not post: what was refused and why, in the
reader's language (docs/mail.md, "What happens to a message received").

An answer is an automatic reply (RFC 3834: `Auto-Submitted: auto-replied`), threaded
under the message it answers (`In-Reply-To`, `References`). `receiving` decides whether
to answer at all: never automatic mail, delivery reports or our own messages, never a
forged sender of a reply address, and at most one answer per sender and hour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse

from cercle.accounts.models import User
from cercle.communities.models import Community
from cercle.mail.addresses import LOOP_HEADER, mail_domain
from cercle.mail.compose import compose
from cercle.mail.delivery import queue_email
from cercle.mailin.message import ParsedMail
from cercle.mailin.models import ReceivedMail

# One answer per sender within this window, whatever the refusals.
ANSWER_WINDOW = timedelta(hours=1)


class Refusal:
    """Which explanation an answer gives (the paragraph its template shows)."""

    TOO_LARGE = "too_large"
    RATE = "rate"
    DMARC = "dmarc"
    # A reply the person may no longer post (left, lost access, topic locked...).
    NOT_ALLOWED_REPLY = "not_allowed_reply"
    # A new topic from an address no account uses.
    UNKNOWN_SENDER = "unknown_sender"
    # A new topic from a person who may not start one in the space.
    NOT_ALLOWED_SPACE = "not_allowed_space"
    SPACE_CLOSED = "space_closed"
    EMPTY = "empty"
    NO_TITLE = "no_title"
    # The action's own refusal (a file refused, too long...), its message shown.
    INVALID = "invalid"


@dataclass(frozen=True)
class Answer:
    refusal: str
    to: str
    language: str
    person: User | None = None
    # The action's words, already in `language`.
    detail: str = ""
    # Only when the person may still read the topic (`permissions.mail.may_name_topic`).
    topic_title: str = ""
    topic_url: str = ""


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def language_for(person: User | None, community: Community | None = None) -> str:
    """The person's language, else the community's, else the instance's."""
    if person is not None and person.language:
        return person.language
    if community is not None and community.language:
        return community.language
    return str(settings.LANGUAGE_CODE)


def answered_recently(address: str, now: datetime) -> bool:
    """Whether `address` was answered within the last hour (one answer per hour)."""
    return ReceivedMail.objects.filter(
        from_address=address.lower(), answered_at__gte=now - ANSWER_WINDOW
    ).exists()


def _megabytes(size: int) -> float:
    return size / (1024 * 1024)


def queue_answer(received: ReceivedMail, parsed: ParsedMail, answer: Answer) -> None:
    """Send the answer once the current transaction commits (with the row's outcome)."""
    context = {
        "refusal": answer.refusal,
        "name": answer.person.display_name if answer.person is not None else "",
        "detail": answer.detail,
        "topic_title": answer.topic_title,
        "topic_url": answer.topic_url,
        "address": answer.to,
        "size_mb": _megabytes(received.size),
        "limit_mb": _megabytes(settings.MAIL_IN_MAX_BYTES),
        "rate": settings.MAIL_IN_RATE_PER_HOUR,
        "login_url": absolute(reverse("account_login")),
        "signup_url": absolute(reverse("account_signup")),
    }
    message = compose("mailin/email/refused", answer.to, context, answer.language)
    headers = {
        "Auto-Submitted": "auto-replied",
        "Content-Language": answer.language,
        # Our own mark: should the answer come back (an auto-forward), it is dropped.
        LOOP_HEADER: mail_domain(),
    }
    message_id = parsed.message_id or received.message_id
    if message_id:
        references = [ref for ref in parsed.references if ref != message_id]
        headers["In-Reply-To"] = message_id
        headers["References"] = " ".join([*references, message_id])
    message.extra_headers.update(headers)
    queue_email(message)
