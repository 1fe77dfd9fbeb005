"""The addresses and message ids of Cercle's mail (docs/mail.md).

Every address Cercle receives at shares one mailbox, `<local>+<tag>@<domain>`
(`CERCLE_MAIL_IN_ADDRESS`, for example `cercle@community.example.org`):

- `<local>+r-<person>-<topic>-<mac>`: a reply address, one per person and topic. The
  mac is an HMAC of the two ids under the site's secret, so that nobody can make the
  address of another person (a forged `From` with someone's address posts nothing: the
  address, not the header, says who writes).
- `<local>+<community>.<space>`: a space's address, for new topics by email (slugs
  hold no dot; the two kinds of tags cannot be confused).
- `<local>+b-<person>-<mac>`: the envelope sender (Return-Path) of every message sent
  to a person, where delivery reports (bounces) come back (VERP).

Ids are written in base 36 and the mac in lowercase base 32, because some mail servers
lower the case of local parts. Without `CERCLE_MAIL_IN_ADDRESS`, mail in is off: no
address is made, and messages carry no Reply-To.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings

MAC_LENGTH = 20  # base 32 characters: 100 bits
# Set on every message Cercle sends: a message carrying it that comes back in is our
# own, looping (a forward, an auto-forward), and is never posted.
LOOP_HEADER = "X-Cercle-Loop"

_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(number: int) -> str:
    if number < 0:
        raise ValueError("ids are positive")
    digits = ""
    while True:
        number, rest = divmod(number, 36)
        digits = _DIGITS[rest] + digits
        if number == 0:
            return digits


def _mac(purpose: str, *ids: int) -> str:
    message = ":".join([purpose, *(str(i) for i in ids)]).encode()
    key = hashlib.sha256(b"cercle.mail.addresses" + settings.SECRET_KEY.encode()).digest()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.b32encode(digest).decode().lower()[:MAC_LENGTH]


def mail_in_enabled() -> bool:
    return bool(settings.MAIL_IN_ADDRESS)


def _parts() -> tuple[str, str]:
    local, _, domain = settings.MAIL_IN_ADDRESS.rpartition("@")
    return local, domain.lower()


def mail_domain() -> str:
    """The domain of message ids and the loop mark: the mail-in domain, else the site's."""
    if mail_in_enabled():
        return _parts()[1]
    return (urlsplit(settings.SITE_URL).hostname or "localhost").lower()


def _address(tag: str) -> str | None:
    if not mail_in_enabled():
        return None
    local, domain = _parts()
    return f"{local}+{tag}@{domain}"


def reply_address(person_id: int, topic_id: int) -> str | None:
    """Where `person` replies to `topic` by email; None when mail in is off."""
    return _address(
        f"r-{_base36(person_id)}-{_base36(topic_id)}-{_mac('reply', person_id, topic_id)}"
    )


def space_address(community_slug: str, space_slug: str) -> str | None:
    """A space's address for new topics; None when mail in is off."""
    return _address(f"{community_slug}.{space_slug}")


def bounce_address(person_id: int) -> str | None:
    """The envelope sender of messages to `person`; None when mail in is off."""
    return _address(f"b-{_base36(person_id)}-{_mac('bounce', person_id)}")


def without_private_addresses(text: str) -> str:
    """`text` with each reply and bounce address of Cercle's mailbox replaced by the
    mailbox's own address. Those carry a person's token: a post, which others read,
    must not hand them out, yet an email quoted or forwarded into a post (a
    notification with its "Reply by email" link) brings them along."""
    if not mail_in_enabled():
        return text
    local, domain = _parts()
    private = re.compile(
        rf"\b{re.escape(local)}\+[rb]-[0-9a-z-]+@{re.escape(domain)}\b", re.IGNORECASE
    )
    return private.sub(f"{local}@{domain}", text)


@dataclass(frozen=True)
class Recipient:
    """What an address received at means. `kind` is "reply", "space" or "bounce"."""

    kind: str
    person_id: int | None = None
    topic_id: int | None = None
    community_slug: str = ""
    space_slug: str = ""


_REPLY = re.compile(rf"^r-([0-9a-z]{{1,13}})-([0-9a-z]{{1,13}})-([a-z2-7]{{{MAC_LENGTH}}})$")
_BOUNCE = re.compile(rf"^b-([0-9a-z]{{1,13}})-([a-z2-7]{{{MAC_LENGTH}}})$")
_SPACE = re.compile(r"^([a-z0-9_-]+)\.([a-z0-9_-]+)$")


def _tag(address: str) -> str | None:
    """The tag of an address of Cercle's mailbox, or None for any other address."""
    found = parseaddr(address)[1].strip().lower()
    local, _, domain = found.rpartition("@")
    base, own_domain = _parts()
    mailbox, plus, tag = local.partition("+")
    if domain != own_domain or mailbox != base.lower() or not plus:
        return None
    return tag


def read_recipient(address: str) -> Recipient | None:  # noqa: PLR0911 - one per shape
    """The meaning of an address Cercle received at, or None: another domain or mailbox,
    an unknown tag, or a reply or bounce address whose mac does not match."""
    if not mail_in_enabled():
        return None
    tag = _tag(address)
    if tag is None:
        return None
    if reply := _REPLY.match(tag):
        person, topic = int(reply[1], 36), int(reply[2], 36)
        if hmac.compare_digest(reply[3], _mac("reply", person, topic)):
            return Recipient("reply", person_id=person, topic_id=topic)
        return None
    if bounce := _BOUNCE.match(tag):
        person = int(bounce[1], 36)
        if hmac.compare_digest(bounce[2], _mac("bounce", person)):
            return Recipient("bounce", person_id=person)
        return None
    if space := _SPACE.match(tag):
        return Recipient("space", community_slug=space[1], space_slug=space[2])
    return None


def topic_message_id(topic_id: int) -> str:
    """The Message-ID of the thread's root: every email about the topic refers to it."""
    return f"<topic-{topic_id}@{mail_domain()}>"


def post_message_id(post_id: int) -> str:
    return f"<post-{post_id}@{mail_domain()}>"
