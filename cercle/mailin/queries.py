"""What the mail pages show: a community's spaces with their address and whether they
take new topics by email, and the instance's received-mail log with each message read
safely (headers decoded, text only: the HTML of a message is never rendered)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from typing import Any, cast

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from cercle import permissions
from cercle.communities.models import Community, Space
from cercle.conversations.models import Kind
from cercle.mail.addresses import mail_in_enabled, space_address
from cercle.mailin.models import Outcome, ReceivedMail, SpaceMailbox
from cercle.mailin.tones import tone

LOG_PAGE_SIZE = 50
COUNTS_DAYS = 7
# Longer texts are cut on the page (the whole message stays in the row).
TEXT_LIMIT = 100_000
HEADERS = (
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "Auto-Submitted",
    "Authentication-Results",
)

# --- A community's mail settings -----------------------------------------------------------------


@dataclass
class SpaceMail:
    """One space on the mail settings page."""

    space: Space
    mailbox: SpaceMailbox | None
    address: str | None  # None while mail in is off

    @property
    def enabled(self) -> bool:
        return self.mailbox is not None and self.mailbox.enabled

    @property
    def kind(self) -> str:
        return self.mailbox.kind if self.mailbox is not None else Kind.DISCUSSION

    @property
    def kind_label(self) -> str:
        return str(Kind(self.kind).label) if self.kind in Kind.values else self.kind

    # The space's form, set by the view (bound when it was the one sent back with errors).
    form: Any = field(default=None)


def space_mail(community: Community) -> list[SpaceMail]:
    """Every space of `community`, private ones too, in their order, with their mailbox:
    one query whatever their number."""
    spaces = (
        Space.objects.filter(community=community)
        .select_related("mailbox__updated_by")
        .order_by("position", "pk")
    )
    return [
        SpaceMail(
            space=space,
            mailbox=getattr(space, "mailbox", None),
            address=space_address(community.slug, space.slug),
        )
        for space in spaces
    ]


def mail_in_is_on() -> bool:
    return mail_in_enabled()


# --- The received-mail log -----------------------------------------------------------------------


@dataclass(frozen=True)
class LogFilter:
    outcome: str = ""
    search: str = ""

    @property
    def filtering(self) -> bool:
        return bool(self.outcome or self.search)


def received_log(log_filter: LogFilter) -> QuerySet[ReceivedMail]:
    """The messages received, newest first, with what each row links to loaded along
    (the person and their face, the topic, the post): a page is two queries, its count
    and its rows, whatever its length."""
    found = ReceivedMail.objects.defer("raw").select_related(
        "person__profile",
        "topic__community",
        "topic__space",
        "post__topic__community",
        "post__topic__space",
    )
    if log_filter.outcome:
        found = found.filter(outcome=log_filter.outcome)
    words = log_filter.search.strip()
    if words:
        found = found.filter(
            Q(from_address__icontains=words)
            | Q(envelope_from__icontains=words)
            | Q(subject__icontains=words)
        )
    return found.order_by("-received_at", "-pk")


@dataclass(frozen=True)
class OutcomeCount:
    outcome: str
    label: str
    count: int

    @property
    def tone(self) -> str:
        return tone(self.outcome)


def recent_counts(days: int = COUNTS_DAYS) -> list[OutcomeCount]:
    """How many messages ended in each outcome over the last `days` days, in the order
    outcomes are declared: one aggregate query."""
    since = timezone.now() - timedelta(days=days)
    counted = {
        row["outcome"]: row["count"]
        for row in ReceivedMail.objects.filter(received_at__gte=since)
        .order_by()
        .values("outcome")
        .annotate(count=Count("pk"))
    }
    return [
        OutcomeCount(outcome, str(label), counted[outcome])
        for outcome, label in Outcome.choices
        if counted.get(outcome)
    ]


def received_one(pk: int) -> ReceivedMail | None:
    return (
        ReceivedMail.objects.select_related(
            "person__profile",
            "community",
            "topic__community",
            "topic__space",
            "post__topic__community",
            "post__topic__space",
        )
        .filter(pk=pk)
        .first()
    )


# --- A message, read safely -----------------------------------------------------------------------


@dataclass(frozen=True)
class MessageView:
    """What the detail page shows of a message: its headers and its text, as strings
    the template escapes. `kept` is False once the retention emptied `raw`."""

    kept: bool
    headers: list[tuple[str, str]]
    text: str = ""
    # The message had no plain text: `text` is its HTML source, shown as text.
    html_source: bool = False
    truncated: bool = False


def _header_values(message: Message, name: str) -> list[str]:
    try:
        values = message.get_all(name) or []
    except (ValueError, IndexError, TypeError, AttributeError):
        return []
    found: list[str] = []
    for value in values:
        try:
            text = str(value)
        except (ValueError, IndexError, TypeError, AttributeError, LookupError):
            text = repr(value)
        found.append(" ".join(text.split()))
    return found


def _content(part: Message) -> str:
    try:
        return str(cast(EmailMessage, part).get_content())
    except (LookupError, ValueError, UnicodeError, AttributeError, KeyError, TypeError):
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            return payload.decode("utf-8", errors="replace")
        return str(part.get_payload())


def _body(message: EmailMessage) -> tuple[str, bool]:
    """The plain text of the message, or (without one) its HTML source; and whether
    it is HTML."""
    for preference, is_html in ((("plain",), False), (("html",), True)):
        try:
            part = message.get_body(preferencelist=preference)
        except (LookupError, ValueError, KeyError, AttributeError, TypeError):
            part = None
        if part is not None:
            return _content(part), is_html
    if not message.is_multipart():
        return _content(message), message.get_content_subtype() == "html"
    return "", False


def message_view(received: ReceivedMail) -> MessageView:
    raw = bytes(received.raw or b"")
    if not raw:
        return MessageView(kept=False, headers=[])
    message = BytesParser(policy=policy.default).parsebytes(raw)
    headers = [(name, value) for name in HEADERS for value in _header_values(message, name)]
    text, html_source = _body(message)
    truncated = len(text) > TEXT_LIMIT
    return MessageView(
        kept=True,
        headers=headers,
        text=text[:TEXT_LIMIT],
        html_source=html_source,
        truncated=truncated,
    )


def space_email_for(access: permissions.CommunityAccess, space: Space) -> tuple[str, str] | None:
    """The address where the reader may start a topic in `space` by email, and the kind
    of topic a message starts there: while the space's mailbox takes email and the
    reader may start that kind of topic there (`permissions.mail`); None otherwise.
    One query for a member, none for a visitor or while mail in is off."""
    if not mail_in_enabled() or not access.actor.is_authenticated:
        return None
    kind = (
        SpaceMailbox.objects.filter(space_id=space.pk, enabled=True)
        .values_list("kind", flat=True)
        .first()
    )
    if kind is None or not permissions.mail.may_start_topic_by_email(access, space, kind):
        return None
    address = space_address(space.community.slug, space.slug)
    return (address, kind) if address else None


def space_post_address(space: Space) -> str | None:
    """The address new topics of `space` may be sent to, while its mailbox takes email
    (and mail in is on); None otherwise. Answers notifications' `space_post_address`."""
    if not mail_in_enabled():
        return None
    if not SpaceMailbox.objects.filter(space_id=space.pk, enabled=True).exists():
        return None
    return space_address(space.community.slug, space.slug)
