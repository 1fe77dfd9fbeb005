"""A received message as Cercle reads it: what `parsing.parse` returns."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class MailAttachment:
    """A file the message carried: an attachment, or an image shown inline (`cid:`)."""

    filename: str
    content_type: str
    content: bytes
    inline: bool = False
    content_id: str = ""


@dataclass(frozen=True)
class DeliveryReport:
    """A delivery status notification (RFC 3464) about one recipient of ours."""

    recipient: str  # the address that failed (Final-Recipient / Original-Recipient)
    action: str  # failed, delayed, delivered, relayed, expanded
    status: str  # 5.1.1
    diagnostic: str = ""

    @property
    def permanent(self) -> bool:
        return self.action == "failed" and self.status.startswith("5")


@dataclass(frozen=True)
class ParsedMail:
    message_id: str = ""
    from_address: str = ""  # lower-cased
    from_name: str = ""
    subject: str = ""
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    # An automatic message (RFC 3834 Auto-Submitted other than "no", Precedence bulk,
    # junk or list, X-Autoreply, X-Autorespond, an "out of office" shape...).
    auto_submitted: bool = False
    # One of Cercle's own messages come back (it carries `addresses.LOOP_HEADER`).
    ours: bool = False
    # A delivery report (multipart/report; report-type=delivery-status), one per
    # recipient it reports on; empty otherwise.
    reports: tuple[DeliveryReport, ...] = ()
    is_report: bool = False
    # The DMARC result of the trusted Authentication-Results header ("pass", "fail",
    # "none", ...), or "" when there is none to trust.
    dmarc: str = ""
    # The text to post, in Markdown: the new words only (quotes of earlier messages,
    # signatures and "Sent from my phone" removed), HTML mail made Markdown.
    body: str = ""
    attachments: tuple[MailAttachment, ...] = field(default=())
