"""The headers that make emails about a topic one conversation in mail programs
(docs/mail.md, "Outgoing mail").

Every email about a post carries:

- `Message-ID`: the post's (`addresses.post_message_id`), the topic's own
  (`addresses.topic_message_id`) for its opening post: the root of the thread;
- `In-Reply-To`: the post it answers (`post.reply_to`), else the root;
- `References`: the root, then the post it answers, if any;
- `List-Id`, `List-Post`, `List-Archive`, as a mailing list's messages do (RFC 2919,
  RFC 2369);
- `Reply-To`: the reader's own reply address for the topic, when mail in is on and
  they may reply;
- the subject `[Community] Topic title`, `Re: [Community] Topic title` for the later
  posts: Gmail groups messages by their subject as well as their references, so the
  subject is the same for the whole topic ("Re:" is never translated, for the same
  reason). Why the person receives it is said in the body.
"""

from __future__ import annotations

from email.header import Header
from urllib.parse import quote

from django.conf import settings
from django.core.mail import EmailMessage

from cercle import permissions
from cercle.accounts.models import User
from cercle.communities.models import Space
from cercle.conversations.models import Post, Topic
from cercle.mail import addresses
from cercle.notifications.hooks import post_address


def message_id(post: Post, variant: str = "") -> str:
    """The post's Message-ID; a `variant` ("accepted") for another email about the same
    post, so that a mail program does not take it for a copy of the first."""
    found = (
        addresses.topic_message_id(post.topic_id)
        if post.position == 0
        else addresses.post_message_id(post.pk)
    )
    if variant:
        found = found.replace("@", f".{variant}@", 1)
    return found


def subject(topic: Topic, post: Post | None = None) -> str:
    first = post is not None and post.position == 0
    return f"{'' if first else 'Re: '}[{topic.community.name}] {topic.title}"


def _phrase(text: str) -> str:
    """A display name for a structured header: quoted, or encoded when not ASCII."""
    if text.isascii():
        escaped = text.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    return Header(text, "utf-8").encode()


def list_id(space: Space) -> str:
    """`"Community / Space" <space.community.domain>` (RFC 2919)."""
    community = space.community
    label = f"{space.slug}.{community.slug}.{addresses.mail_domain()}".replace("_", "-")
    return f"{_phrase(f'{community.name} / {space.name}')} <{label}>"


def reply_address(access: permissions.CommunityAccess, topic: Topic) -> str | None:
    """Where the reader replies to `topic` by email: None when mail in is off or when
    they may not reply on the page."""
    if not addresses.mail_in_enabled():
        return None
    reader = access.actor
    if reader.pk is None or not permissions.mail.may_reply_by_email(access, topic):
        return None
    return addresses.reply_address(reader.pk, topic.pk)


def reply_mailto(address: str | None, topic: Topic) -> str:
    """A "Reply by email" link, the subject filled in; empty without an address."""
    if not address:
        return ""
    return f"mailto:{address}?subject={quote(subject(topic), safe='')}"


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def add_thread_headers(
    message: EmailMessage,
    post: Post,
    reader: User,
    access: permissions.CommunityAccess,
    *,
    variant: str = "",
) -> str | None:
    """Everything above, on `message` about `post` for `reader`; returns the reader's
    reply address (None when there is none)."""
    topic = post.topic
    root = addresses.topic_message_id(topic.pk)
    headers = message.extra_headers
    headers["Message-ID"] = message_id(post, variant)
    parent = post.reply_to if post.reply_to_id and post.reply_to is not None else None
    if variant:
        headers["In-Reply-To"] = message_id(post)
        headers["References"] = " ".join(
            dict.fromkeys([root, *([message_id(parent)] if parent else []), message_id(post)])
        )
    elif post.position > 0:
        headers["In-Reply-To"] = message_id(parent) if parent else root
        chain = [root, message_id(parent)] if parent else [root]
        headers["References"] = " ".join(dict.fromkeys(chain))
    headers["List-Id"] = list_id(topic.space)
    space_address = post_address(topic.space)
    headers["List-Post"] = f"<mailto:{space_address}>" if space_address else "NO"
    headers["List-Archive"] = f"<{absolute(topic.get_absolute_url())}>"
    message.subject = subject(topic, None if variant else post)
    address = reply_address(access, topic)
    if address:
        message.reply_to = [address]
    return address
