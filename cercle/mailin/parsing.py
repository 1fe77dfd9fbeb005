"""Reading a received message: who wrote, about what, and which words are new.

`parse(raw)` turns the bytes of a message into a `ParsedMail` (message.py) and never
raises: a broken message gives empty fields, never an error. docs/mail.md ("What
Cercle keeps of a message") says in words what this module keeps and removes.

The body is the text/plain part, or the HTML part made Markdown (markdownify) when
there is no text part worth reading. Quoted earlier messages, signatures and phone
footers are then cut with Cercle's rules below (English and French quote headers,
Outlook's header blocks, "-- " signatures), helped by `mail-parser-reply`'s patterns
for the other languages it knows.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from email.parser import HeaderParser
from email.policy import compat32
from email.utils import parseaddr
from typing import TypeVar

import authres
from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString
from django.conf import settings
from mailparser_reply.constants import MAIL_LANGUAGES
from mailparser_reply.parser import EmailMessage
from markdownify import MarkdownConverter

from cercle.mail.addresses import LOOP_HEADER, mail_domain
from cercle.mailin.message import DeliveryReport, MailAttachment, ParsedMail

logger = logging.getLogger(__name__)

# Bodies longer than this are cut before the quote rules run: they are regular
# expressions, and a megabyte of text is no message anyone types.
MAX_TEXT = 200_000
MAX_HTML = 400_000


def parse(raw: bytes) -> ParsedMail:
    """Read `raw` (a whole RFC 5322 message) as Cercle does. Never raises."""
    try:
        message = message_from_bytes(raw, policy=compat32)
    except Exception:  # a message the email package cannot read at all
        logger.warning("Unreadable message of %d bytes", len(raw))
        return ParsedMail()
    return _safely(lambda: _read(message), ParsedMail())


def _read(message: Message) -> ParsedMail:
    from_name, from_address = _from(message)
    subject = _header_text(message, "Subject")
    no_reports: tuple[tuple[DeliveryReport, ...], bool] = ((), False)
    reports, is_report = _safely(lambda: _reports(message), no_reports)
    no_body: tuple[str, tuple[MailAttachment, ...]] = ("", ())
    body, attachments = _safely(lambda: _body(message, subject, is_report), no_body)
    return ParsedMail(
        message_id=_storable(_message_id(_header_raw(message, "Message-ID"))),
        from_address=_storable(from_address),
        from_name=_storable(from_name),
        subject=_storable(subject),
        in_reply_to=_storable(_message_id(_header_raw(message, "In-Reply-To"))),
        references=tuple(
            _storable(mid) for mid in _message_ids(_header_raw(message, "References"))
        ),
        auto_submitted=_safely(lambda: _automatic(message, subject, from_address), False),
        ours=_safely(lambda: _ours(message), False),
        reports=reports,
        is_report=is_report,
        dmarc=_safely(lambda: _dmarc(message), ""),
        body=_storable(body),
        attachments=attachments,
    )


_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _storable(text: str) -> str:
    """Text any database keeps: no NUL or other control character, no lone surrogate."""
    return _UNSTORABLE.sub("", text)


T = TypeVar("T")


def _safely(read: Callable[[], T], fallback: T) -> T:
    try:
        return read()
    except Exception:  # one unreadable part never loses the rest
        logger.warning("Part of a message could not be read", exc_info=True)
        return fallback


# --- Headers ---------------------------------------------------------------------------


def _header_raw(message: Message, name: str) -> str:
    """A header's value as sent (the first one), raw 8-bit text (RFC 6532, or a
    client's Latin-1) read as UTF-8 or else windows-1252."""
    wanted = name.lower()
    try:
        for key, value in message.raw_items():
            if key.lower() == wanted:
                return _unescape(str(value))
    except Exception:  # an unreadable header is read as none
        return ""
    return ""


def _unescape(text: str) -> str:
    """The email package keeps a header's 8-bit bytes as surrogates: make them text."""
    if not any("\udc80" <= char <= "\udcff" for char in text):
        return text
    data = text.encode("utf-8", "surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("windows-1252", errors="replace")


_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")


def _decode(value: str) -> str:
    """An RFC 2047 header made text, whitespace collapsed; undecodable words kept raw."""
    if not value.isascii():  # raw 8-bit text, perhaps with encoded words among it
        value = _ENCODED_WORD.sub(lambda word: _decode(word.group(0)), value)
        return " ".join(value.split())
    try:
        text = str(make_header(decode_header(value)))
    except Exception:  # a wrong charset or a broken encoded word
        text = value
    return " ".join(text.split())


def _header_text(message: Message, name: str) -> str:
    return _decode(_header_raw(message, name))


def _from(message: Message) -> tuple[str, str]:
    raw = _header_raw(message, "From")
    name, address = parseaddr(" ".join(raw.split()))
    if not address or "@" not in address:
        # parseaddr gives up on some odd shapes: take the first thing that looks like one
        found = re.search(r"[^\s<>\"(),;:]+@[^\s<>\"(),;:]+", raw)
        address = found.group(0) if found else ""
    return _decode(name).strip("\"' "), address.strip().lower()


_MESSAGE_ID = re.compile(r"<[^<>\s]+>")


def _message_ids(value: str) -> list[str]:
    ids = _MESSAGE_ID.findall(value)
    if not ids:
        ids = [word for word in value.split() if "@" in word]
    return ids


def _message_id(value: str) -> str:
    ids = _message_ids(value)
    return ids[0] if ids else " ".join(value.split())


# --- Automatic messages (RFC 3834), loops, DMARC ----------------------------------------

_PRECEDENCE_AUTOMATIC = {"bulk", "junk", "list", "auto_reply"}
_DAEMON_SENDER = re.compile(r"^(mailer-daemon|postmaster|mail-daemon)@", re.IGNORECASE)
_AUTO_SUBJECT = re.compile(
    r"^\s*(auto:|automatic reply|auto-?reply|autoreply|out of (the )?office|absence|absent"
    r"|r[ée]ponse automatique|message d.absence|abwesenheit|automatische antwort"
    r"|respuesta autom[áa]tica|risposta automatica|fuori sede|automatisch antwoord"
    r"|afwezig|vacation|on vacation|en cong[ée]s?)",
    re.IGNORECASE,
)


def _automatic(message: Message, subject: str, from_address: str) -> bool:
    """An automatic message, by RFC 3834's headers or by the marks of common robots.
    A subject alone ("Absence") is never enough: a person may write it."""

    auto_submitted = _header_raw(message, "Auto-Submitted").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return True
    if _header_raw(message, "Precedence").strip().lower() in _PRECEDENCE_AUTOMATIC:
        return True
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Reply"):
        if _header_raw(message, name).strip().lower() not in ("", "no", "false", "0"):
            return True
    return_path = _header_raw(message, "Return-Path")
    if return_path and return_path.strip() in ("<>", ""):
        return True
    if _DAEMON_SENDER.match(from_address) or message.get_content_type() == "multipart/report":
        return True  # a bounce, a read receipt, a feedback report: a server's doing
    hints = 0
    if _AUTO_SUBJECT.match(subject):
        hints += 1
    suppress = _header_raw(message, "X-Auto-Response-Suppress").lower()
    if any(word in suppress for word in ("all", "oof", "autoreply")):
        hints += 1
    if _header_raw(message, "X-MS-Exchange-Generated-Message-Source"):
        hints += 1
    return hints >= 2


def _ours(message: Message) -> bool:
    domain = mail_domain()
    try:
        values = message.get_all(LOOP_HEADER) or []
    except Exception:
        return False
    return any(str(value).strip().lower() == domain for value in values)


def _dmarc(message: Message) -> str:
    """The DMARC result of the Authentication-Results header to trust (RFC 8601): the
    one whose authserv-id is `MAIL_IN_AUTHSERV_ID`, else the topmost (the last mail
    server's; the lower ones may have been written by anyone)."""

    wanted = settings.MAIL_IN_AUTHSERV_ID.lower()
    headers = message.get_all("Authentication-Results") or []
    for value in headers:
        text = " ".join(str(value).split())
        try:
            header = authres.AuthenticationResultsHeader.parse_value(text)
        except Exception:  # authres raises its own SyntaxError, and others
            if wanted:
                continue
            return ""
        if wanted and str(header.authserv_id).lower() != wanted:
            continue
        for result in header.results:
            if str(result.method).lower() == "dmarc":
                return str(result.result).lower()
        return ""
    return ""


# --- Delivery reports (RFC 3464) --------------------------------------------------------


def _reports(message: Message) -> tuple[tuple[DeliveryReport, ...], bool]:
    if message.get_content_type() == "multipart/report":
        for part in message.walk():
            if part.get_content_type() in (
                "message/delivery-status",
                "message/global-delivery-status",
            ):
                return tuple(_status_blocks(part)), True
        if str(message.get_param("report-type", "")).lower() in ("delivery-status",):
            return (), True
    legacy = _legacy_bounce(message)
    if legacy is not None:
        return legacy, True
    return (), False


def _fields_blocks(part: Message) -> Iterator[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        yield from (block for block in payload if isinstance(block, Message))
        return
    # Some servers send the status as one encoded text: read its blocks by hand
    text = _text_of(part)
    for chunk in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        if chunk.strip():
            yield HeaderParser(policy=compat32).parsestr(chunk.strip() + "\n")


def _address_field(value: str) -> str:
    value = " ".join(value.split())
    if ";" in value:
        value = value.split(";", 1)[1]
    return value.strip().strip("<>").strip().lower()


def _status_blocks(part: Message) -> Iterator[DeliveryReport]:
    for block in _fields_blocks(part):
        recipient = _address_field(
            str(block.get("Original-Recipient") or block.get("Final-Recipient") or "")
        )
        if not recipient:
            continue  # the per-message fields (Reporting-MTA, Arrival-Date...)
        yield DeliveryReport(
            recipient=_storable(recipient),
            # the first word: some servers add a comment ("failed (bad mailbox)")
            action=_storable((str(block.get("Action") or "").split() or [""])[0].lower()),
            status=_storable(_status_code(str(block.get("Status") or ""))),
            diagnostic=_storable(" ".join(str(block.get("Diagnostic-Code") or "").split())),
        )


def _status_code(value: str) -> str:
    found = re.search(r"\b[245]\.\d{1,3}\.\d{1,3}\b", value)
    return found.group(0) if found else " ".join(value.split())


# The plain-text bounces of mail servers that send no RFC 3464 report: Exim's older
# "Mail delivery failed" and qmail's "Hi. This is the qmail-send program".
_LEGACY_BOUNCE = re.compile(
    r"This message was created automatically by mail delivery software"
    r"|This is the qmail-send program"
    r"|I'm afraid I wasn't able to deliver your message",
    re.IGNORECASE,
)
_RETURNED = re.compile(
    r"\n-{2,}\s*(?:This is a copy of the message|Below this line is a copy"
    r"|Original message follows|Undelivered message follows)",
    re.IGNORECASE,
)
_LEGACY_DELAY = re.compile(r"has not yet been delivered|delayed|will keep trying", re.I)
# A line holding only an address: where each failed recipient begins
_ADDRESS_LINE = re.compile(r"\s*<?([^\s<>@]+@[^\s<>@]+?)>?:?\s*")


def _without_returned(text: str) -> str:
    """A plain-text bounce's report, without the returned message that follows it."""
    return _RETURNED.split(text, maxsplit=1)[0]


def _legacy_bounce(message: Message) -> tuple[DeliveryReport, ...] | None:
    if message.is_multipart() and message.get_content_type() != "multipart/mixed":
        return None
    first = next((p for p in message.walk() if p.get_content_type() == "text/plain"), None)
    if first is None:
        return None
    text = _text_of(first).replace("\r\n", "\n")
    if not _LEGACY_BOUNCE.search(text[:2000]):
        return None
    text = _without_returned(text)
    delayed = bool(_LEGACY_DELAY.search(text)) and "permanent" not in text.lower()
    action = "delayed" if delayed else "failed"
    reports: list[DeliveryReport] = []
    lines = text.split("\n")
    for index, line in enumerate(lines):
        found = _ADDRESS_LINE.fullmatch(line)
        if not found:
            continue
        following: list[str] = []
        for next_line in lines[index + 1 : index + 6]:
            if not next_line.strip() or _ADDRESS_LINE.fullmatch(next_line):
                break
            following.append(" ".join(next_line.split()))
        detail = " ".join(following)
        codes = re.search(r"\b([45]\.\d{1,3}\.\d{1,3})\b", detail)
        status = codes.group(1) if codes else ("4.0.0" if delayed else "5.0.0")
        reports.append(
            DeliveryReport(
                recipient=found.group(1).lower(),
                action=action,
                status=status,
                diagnostic=detail,
            )
        )
    return tuple(reports)


# --- Body and attachments ---------------------------------------------------------------


def _text_of(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        raw = part.get_payload()
        return raw if isinstance(raw, str) else ""
    charset = part.get_content_charset() or "utf-8"
    for candidate in (charset, "utf-8", "windows-1252"):
        try:
            return payload.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("utf-8", errors="replace")


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or part.get_param("name", header="content-type") or ""
    except Exception:
        name = ""
    if isinstance(name, tuple):  # RFC 2231 with a charset
        name = str(name[2])
    return _safe_name(_decode(_unescape(str(name))))


def _safe_name(name: str) -> str:
    """A file name without folders, control characters or leading dots."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\x00-\x1f\x7f\ud800-\udfff]", "", name).strip().strip(".")
    return name[:200]


def _content_id(part: Message) -> str:
    return _header_raw(part, "Content-ID").strip().strip("<>").strip()


_DSN_SKIPPED = {"message/delivery-status", "message/global-delivery-status"}


def _walk_leaves(message: Message) -> Iterator[Message]:
    """The leaf parts, in order (an attached message is one), without the status and
    the returned message of a report."""
    if message.get_content_type() == "message/rfc822":
        yield message
        return
    if message.is_multipart():
        report = message.get_content_type() == "multipart/report"
        payload = message.get_payload()
        if not isinstance(payload, list):
            return
        for index, sub in enumerate(payload):
            if isinstance(sub, Message) and not (report and index > 0):
                yield from _walk_leaves(sub)
        return
    if message.get_content_maintype() != "message":
        yield message


def _body(
    message: Message, subject: str, is_report: bool
) -> tuple[str, tuple[MailAttachment, ...]]:
    plains, htmls, attachments, forwards = _contents(message, depth=0)
    plain = "\n\n".join(plains)
    if is_report:
        # A report's words are the mail server's, its images its own: nothing to keep
        return normalise(_without_returned(plain)), ()
    forwarded = bool(_FORWARD_SUBJECT.match(subject))
    if plain.strip() or not htmls:
        text = plain
    else:
        text = html_to_markdown(_trimmed_soup("\n".join(htmls), forwarded=forwarded))
    words = trim_text(text[:MAX_TEXT], forwarded=forwarded)
    return "\n\n".join(t for t in (words, *forwards) if t)[:MAX_TEXT], tuple(attachments)


# Messages attached inside attached messages are read this deep, no deeper.
FORWARD_DEPTH = 3
FORWARD_LINE = "---------- Forwarded message ---------"
FORWARD_HEADERS = ("From", "Date", "Subject", "To", "Cc")


def _contents(
    message: Message, depth: int
) -> tuple[list[str], list[str], list[MailAttachment], list[str]]:
    """A message's text parts, HTML parts, attachments and the messages attached to
    it whole (as forwarded blocks). Several text parts are one text cut by attachments
    (Apple Mail puts an inline image between two): the caller joins them."""
    plains: list[str] = []
    htmls: list[str] = []
    attachments: list[MailAttachment] = []
    forwards: list[str] = []
    for part in _walk_leaves(message):
        content_type = part.get_content_type()
        disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
        body_part = disposition != "attachment" and not _filename(part)
        if content_type == "message/rfc822":
            forward = _forwarded(part, depth) if depth < FORWARD_DEPTH else None
            if forward is not None:
                forwards.append(forward[0])
                attachments.extend(forward[1])
        elif body_part and content_type == "text/plain":
            text = _text_of(part)
            if str(part.get_param("format", "")).lower() == "flowed":
                text = unflow(text, delsp=str(part.get_param("delsp", "")).lower() == "yes")
            plains.append(text)
        elif body_part and content_type == "text/html":
            htmls.append(_text_of(part))
        else:
            attachment = _attachment(part, disposition, len(attachments) + 1)
            if attachment is not None:
                attachments.append(attachment)
    return plains, htmls, attachments, forwards


def _forwarded(part: Message, depth: int) -> tuple[str, list[MailAttachment]] | None:
    """A message attached whole (Outlook's "forward as attachment", a `.eml` dragged
    in): what the person shares, so its text is kept whole, below the same header
    block a forward written inline has, and its files become attachments."""
    inner = part.get_payload(0) if part.is_multipart() else None
    if not isinstance(inner, Message) or _ours(inner):
        # One of Cercle's own emails attached to a reply ("attach the original") is the
        # quote of what is answered: left out, as a quote is.
        return None
    plains, htmls, attachments, forwards = _contents(inner, depth + 1)
    text = "\n\n".join(plains)
    if not text.strip() and htmls:
        text = html_to_markdown(_trimmed_soup("\n".join(htmls), forwarded=True))
    headers = [
        f"{name}: {value}"
        for name in FORWARD_HEADERS
        if (value := " ".join(_header_text(inner, name).split()))
    ]
    block = header_lines_broken("\n".join([FORWARD_LINE, *headers]))
    parts = [block, normalise(text[:MAX_TEXT]), *forwards]
    return "\n\n".join(p for p in parts if p), attachments


def _attachment(part: Message, disposition: str, number: int) -> MailAttachment | None:
    """A part that is not the body as a file: one with a name, or an image shown inline
    (Content-ID). Other parts (a second text) are left."""
    content_type = part.get_content_type()
    filename = _filename(part)
    content_id = _content_id(part)
    if not filename and not (content_id and part.get_content_maintype() == "image"):
        return None
    content = part.get_payload(decode=True)
    if not isinstance(content, bytes):
        return None
    if not filename:
        filename = f"image-{number}.{part.get_content_subtype().split('+')[0] or 'bin'}"
    return MailAttachment(
        filename=filename,
        content_type=content_type,
        content=content,
        inline=bool(content_id) and disposition != "attachment",
        content_id=content_id,
    )


def unflow(text: str, *, delsp: bool = False) -> str:
    """Text sent as format=flowed (RFC 3676) with its soft line breaks joined."""
    joined: list[tuple[int, str, bool]] = []  # quote depth, text, continues
    for line in text.replace("\r\n", "\n").split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        if content.startswith(" "):
            content = content[1:]  # space-stuffing
        continues = content.endswith(" ") and content != "-- "
        if continues and delsp:
            content = content[:-1]
        if joined and joined[-1][2] and joined[-1][0] == depth:
            joined[-1] = (depth, joined[-1][1] + content, continues)
        else:
            joined.append((depth, content, continues))
    return "\n".join(("> " * depth + content) if depth else content for depth, content, _ in joined)


# --- HTML -------------------------------------------------------------------------------


def trim_html(html: str, *, forwarded: bool = False) -> str:
    """An HTML body without what mail clients mark as the quoted earlier message
    (Gmail, Outlook, Thunderbird), without images and without its head."""
    return str(_trimmed_soup(html, forwarded=forwarded))


def _with_class(soup: BeautifulSoup, *names: str) -> list[Tag]:
    wanted = set(names)
    return [
        tag
        for tag in soup.find_all(class_=True)
        if isinstance(tag, Tag) and wanted.intersection(tag.get_attribute_list("class"))
    ]


def _trimmed_soup(html: str, *, forwarded: bool) -> BeautifulSoup:
    soup = BeautifulSoup(html[:MAX_HTML], "html.parser")
    for element in soup.find_all(["head", "style", "script", "title", "meta", "link", "img"]):
        # cid: images are attachments; remote ones are logos and trackers that would
        # tell the sender who reads the post
        element.decompose()
    for element in _with_class(soup, "gmail_signature", "moz-signature"):
        element.decompose()
    if forwarded or any(_holds_forward(quote) for quote in _with_class(soup, "gmail_quote")):
        return soup  # a forward (in Gmail's quote, too) is what the person shares
    for element in _with_class(soup, "moz-cite-prefix", "gmail_attr"):
        element.decompose()
    for element in _with_class(soup, "gmail_quote", "gmail_quote_container"):
        if element.name != "div" or element.decomposed or _answers_inside(element):
            continue
        element.decompose()
    for marker_id in ("appendonsend", "divRplyFwdMsg", "x_appendonsend", "x_divRplyFwdMsg"):
        marker = soup.find(id=marker_id)
        if isinstance(marker, Tag):
            _cut_from(marker)
    return soup


def _holds_forward(element: Tag) -> bool:
    return any(_FORWARD_MARKER.match(line.strip()) for line in element.get_text("\n").split("\n"))


def _answers_inside(quote: object) -> bool:
    """Whether a Gmail quote holds the person's own words between its blockquotes
    (an inline reply), rather than only the earlier message."""
    if not isinstance(quote, Tag):
        return False
    for child in quote.children:
        if isinstance(child, NavigableString):
            if child.strip():
                return True
            continue
        if isinstance(child, Tag) and child.name != "blockquote" and child.get_text(strip=True):
            classes = child.get_attribute_list("class")
            if "gmail_attr" not in classes:
                return True
    return False


def _cut_from(marker: object) -> None:
    """Remove `marker` and everything after it in the document."""
    if not isinstance(marker, Tag):
        return
    node: Tag | None = marker
    while node is not None and node.name not in ("body", "[document]"):
        for sibling in list(node.next_siblings):
            sibling.extract()
        node = node.parent
    previous = marker.find_previous_sibling()
    marker.decompose()
    if isinstance(previous, Tag) and previous.name == "hr":
        previous.decompose()


def html_to_markdown(html: str | BeautifulSoup) -> str:
    """HTML made Markdown: links, lists, emphasis, code and tables kept."""
    soup = (
        html if isinstance(html, BeautifulSoup) else BeautifulSoup(html[:MAX_HTML], "html.parser")
    )
    text = MarkdownConverter(
        heading_style="ATX",
        bullets="-",
        strip=["img", "span", "font"],
        escape_underscores=False,
        escape_asterisks=False,
    ).convert_soup(soup)
    text = text.replace("\xa0", " ")
    return normalise(str(text))


# --- Text: quotes, signatures, forwards --------------------------------------------------


def normalise(text: str) -> str:
    """CRLF to LF, no trailing spaces, no run of blank lines, none at either end."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n")


_FORWARD_SUBJECT = re.compile(r"^\s*(fwd?|tr|wg|rv|i)\s*:", re.IGNORECASE)

_FORWARD_MARKER = re.compile(
    r"^(?:-{2,}\s*(?:Forwarded message|Message transf[ée]r[ée]|Mensaje reenviado"
    r"|Weitergeleitete Nachricht|Messaggio inoltrato|Doorgestuurd bericht)\s*-{2,}"
    r"|Begin forwarded message\s?:|D[ée]but du message r[ée]exp[ée]di[ée]\s?:"
    r"|Anfang der weitergeleiteten Nachricht\s?:)$",
    re.IGNORECASE,
)

_ORIGINAL_MESSAGE = re.compile(
    r"^-{2,}\s*(?:Original Message|Message d['\u2019]origine|Mensaje original"
    r"|Urspr[üu]ngliche Nachricht|Messaggio originale|Oorspronkelijk bericht)\s*-{2,}$",
    re.IGNORECASE,
)
_WROTE = re.compile(
    r"^(?:On\s.{1,300}\swrote\s?:|Le\s.{1,300}\sa\s[ée]crit\s?:"
    r"|.{1,200}\s(?:wrote|a\s[ée]crit)\s?:)$",
    re.IGNORECASE,
)
_OUTLOOK_FIELD = re.compile(
    r"^\**\s*(From|De|Sent|Envoy[ée]|Date|To|[ÀA]|Cc|Subject|Objet|Sujet|Pour)\s?:\**\s?",
    re.IGNORECASE,
)
_OUTLOOK_FROM = re.compile(r"^\**\s*(From|De)\s?:", re.IGNORECASE)
_SEPARATOR = re.compile(r"^[_-]{20,}$")
_SIGNATURE = re.compile(r"^(--|-- |__)$")
_PHONE_FOOTER = re.compile(
    r"^(Sent from my |Sent from Mail\b|Sent from Outlook|Sent from Yahoo Mail"
    r"|Sent from (my )?(iPhone|iPad|Android|Samsung|mobile)|Sent via |Get Outlook for "
    r"|Sent with Proton Mail|Sent from Proton Mail|Sent from Gmail Mobile"
    r"|Envoy[ée] de mon |Envoy[ée] depuis |Envoy[ée] [àa] partir de |Envoy[ée] de Yahoo"
    r"|Envoy[ée] avec Proton Mail|T[ée]l[ée]charger Outlook|Obtenir Outlook pour "
    r"|Provenance : Courrier pour Windows"
    r"|Gesendet von |Von meinem \w+ gesendet|Enviado desde |Inviato da |Verzonden vanaf "
    r"|Skickat från )",
    re.IGNORECASE,
)
# An attribution line of any client or language ("* Bob <bob@x> [2026-12-07]:",
# "Bob Martin <bob@x> wrote:") is known by what follows it: a quote.
_ATTRIBUTION = re.compile(r"^.{0,300}(@|\d{1,2}:\d{2}).{0,300}:$")
# Gmail's place of an inline image in the text part: the image is an attachment.
_IMAGE_PLACE = re.compile(r"^\[image: [^\]]*\]$")


def _library_header() -> re.Pattern[str]:
    """mail-parser-reply's quote headers of every language it knows."""
    languages = [code for code in MAIL_LANGUAGES if len(code) == 2]
    pattern: re.Pattern[str] = EmailMessage(text="", languages=languages).HEADER_REGEX
    return pattern


_LIBRARY_HEADER = _library_header()
_LIBRARY_LINE = 200
_LIBRARY_LINES = 2000
_COLON = re.compile("[:\uff1a]")


@dataclass(frozen=True)
class _Header:
    """Where the quoted earlier message begins: `span` lines of header at `at`."""

    at: int
    span: int
    # A "... wrote:" header: the earlier message follows as "> " lines, which the
    # person may have answered in between (an inline reply). Otherwise (Outlook's
    # blocks) the earlier message follows unquoted and is cut whole.
    quotes_follow: bool


def _quoted(line: str) -> bool:
    return line.startswith(">")


def _unquote(line: str) -> str:
    return re.sub(r"^>\s?", "", line)


def _next_is_quoted(lines: list[str], index: int) -> bool:
    for line in lines[index:]:
        if line.strip():
            return _quoted(line)
    return False


def _library_starts(lines: list[str]) -> dict[int, int]:
    """The lines where mail-parser-reply sees a quote header, with their span."""
    # Its patterns take time growing fast with a line's length: only the lines that
    # may be a header are shown to it (short, unquoted, with a colon), the others are
    # left empty so that line numbers still match
    text = "\n".join(
        line if len(line) <= _LIBRARY_LINE and not _quoted(line) and _COLON.search(line) else ""
        for line in lines[:_LIBRARY_LINES]
    )
    starts: dict[int, int] = {}
    for match in _LIBRARY_HEADER.finditer(text):
        found = match.group(0)
        if not found.strip():
            continue
        begin = match.start() + len(found) - len(found.lstrip())
        end = match.start() + len(found.rstrip())
        first = text.count("\n", 0, begin)
        starts.setdefault(first, text.count("\n", begin, end) + 1)
    return starts


def _find_header(lines: list[str]) -> _Header | None:  # noqa: PLR0911 - one per shape
    library = _library_starts(lines)
    for index, raw in enumerate(lines):
        line = raw.strip()
        if not line or _quoted(line):
            continue
        plain = line.replace("*", "")
        if _ORIGINAL_MESSAGE.match(plain):
            return _Header(index, 1, quotes_follow=False)
        if re.match(r"^(On|Le)\s", plain, re.IGNORECASE):
            if _WROTE.match(plain):
                return _Header(index, 1, quotes_follow=True)
            if index + 1 < len(lines):
                joined = f"{plain} {lines[index + 1].strip().replace('*', '')}"
                if _WROTE.match(joined):
                    return _Header(index, 2, quotes_follow=True)
        if (_WROTE.match(plain) or _ATTRIBUTION.match(plain)) and _next_is_quoted(lines, index + 1):
            return _Header(index, 1, quotes_follow=True)
        if _SEPARATOR.match(line) and _outlook_block(lines, index + 1):
            return _Header(index, 1 + _outlook_block(lines, index + 1), quotes_follow=False)
        if _outlook_block(lines, index):
            return _Header(index, _outlook_block(lines, index), quotes_follow=False)
        if index in library:
            span = library[index]
            return _Header(index, span, quotes_follow=_next_is_quoted(lines, index + span))
    return None


def _outlook_block(lines: list[str], index: int) -> int:
    """Outlook's "From: / Sent: / To: / Subject:" block (any order, in English or
    French), which starts with From or De."""
    while index < len(lines) and not lines[index].strip():
        index += 1
    if index >= len(lines) or not _OUTLOOK_FROM.match(lines[index].strip()):
        return 0
    start = index
    while index < len(lines) and _OUTLOOK_FIELD.match(lines[index].strip()):
        index += 1
    return index - start if index - start >= 2 else 0


def _first(lines: list[str], pattern: re.Pattern[str]) -> int | None:
    for index, line in enumerate(lines):
        if pattern.match(line.strip()):
            return index
    return None


def trim_text(text: str, *, forwarded: bool = False) -> str:
    """The new words of a message's text (docs/mail.md): quoted earlier messages,
    signatures and phone footers removed, inline answers kept with what they answer,
    forwarded messages kept whole."""
    lines = [line for line in normalise(text).split("\n") if not _IMAGE_PLACE.match(line)]
    forward_at = _first(lines, _FORWARD_MARKER)
    header = _find_header(lines)
    if forward_at is None and forwarded and header is not None and not header.quotes_follow:
        forward_at = header.at  # Outlook forwards with the same block as its replies
    if forward_at is not None and (header is None or forward_at <= header.at):
        note = _finish(_inline(lines[:forward_at]))
        shared = header_lines_broken(_finish(lines[forward_at:]))
        return f"{note}\n\n{shared}" if note else shared
    if header is None:
        return _finish(_inline(lines))
    before = lines[: header.at]
    after = lines[header.at + header.span :] if header.quotes_follow else []
    return _finish(_inline([*before, "", *after]))


def header_lines_broken(text: str) -> str:
    """A forward's first paragraph (its marker and header lines) with two spaces ending
    each line but the last: a line break in the Markdown of the post, as in the mail."""
    head, gap, rest = text.partition("\n\n")
    lines = head.split("\n")
    return "\n".join([*(f"{line}  " for line in lines[:-1]), lines[-1]]) + gap + rest


def _finish(lines: list[str]) -> str:
    """Normalised, without empty quote lines at either end."""
    while lines and (not lines[0].strip() or lines[0].strip(">").strip() == ""):
        lines = lines[1:]
    while lines and (not lines[-1].strip() or lines[-1].strip(">").strip() == ""):
        lines = lines[:-1]
    return normalise("\n".join(lines))


def _ending(block: list[str], index: int) -> bool:
    """A signature separator, or a phone footer standing alone (a paragraph of its
    own, as apps add it; "Sent from my phone, so briefly: yes" in a sentence stays):
    the end of the person's words."""
    line = block[index]
    if _SIGNATURE.match(line):
        return True
    if not _PHONE_FOOTER.match(line.strip()):
        return False
    alone_before = index == 0 or not block[index - 1].strip()
    alone_after = index + 1 == len(block) or not block[index + 1].strip()
    return alone_before and alone_after


def _inline(lines: list[str]) -> list[str]:
    """The person's words, and the quotes they answer: quoted lines interleaved with
    answers are kept, the quoted rest after the last answer is dropped, and so is
    everything from the signature or phone footer on."""

    blocks: list[tuple[bool, list[str]]] = []
    for line in lines:
        quoted = _quoted(line)
        if (not line.strip() and blocks) or (blocks and blocks[-1][0] == quoted):
            blocks[-1][1].append(line)
        else:
            blocks.append((quoted, [line]))
    # The person's words end at their signature: nothing after it counts
    for position, (quoted, block) in enumerate(blocks):
        ending = next((i for i in range(len(block)) if _ending(block, i)), None)
        if not quoted and ending is not None:
            blocks = [*blocks[:position], (False, block[:ending])]
            break
    answered = [not quoted and any(line.strip() for line in block) for quoted, block in blocks]
    kept: list[str] = []
    for position, (quoted, block) in enumerate(blocks):
        if not quoted:
            kept.extend(block)
        elif any(answered[position + 1 :]):
            kept.extend(_quote_block(block))
    return kept


def _quote_block(block: list[str]) -> list[str]:
    """A kept quote, as Markdown, without the quote header it may begin with."""
    inner = [_unquote(line) for line in block if line.strip()]
    while inner and (not inner[0].strip(">").strip() or _WROTE.match(inner[0].strip())):
        inner.pop(0)
    while inner and not inner[-1].strip(">").strip():
        inner.pop()
    return [("> " + line).rstrip() if line.strip() else ">" for line in inner] + [""]
