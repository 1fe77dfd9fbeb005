"""Notification emails: one at a time, in daily or weekly summaries, with a
one-click unsubscribe link (RFC 8058) signed for the recipient and the kinds it
turns off.

Every email asks the permissions again just before it leaves: the recipient may
have left the community, or the private space, or the post may be gone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cercle import permissions
from cercle.accounts.models import User
from cercle.conversations.rendering import plain_text
from cercle.mail.compose import compose
from cercle.mail.delivery import queue_email, send_now
from cercle.notifications import queries, threads
from cercle.notifications.models import Frequency, Kind, Notification

UNSUBSCRIBE_SALT = "cercle.notifications.unsubscribe"
EXCERPT_LENGTH = 400
RELATED = (
    "recipient",
    "actor",
    "community",
    "topic",
    "topic__space__community",
    "topic__community",
    "post__topic__space__community",
    "post__topic__community",
    "post__persona",
    "post__reply_to",
    "post__topic__persona",
)
# A notification of these kinds is about a new post: its email is that post's message
# in the topic's thread. Another email about the same post (its acceptance) gets an id
# of its own, in the same thread.
NEW_POST_KINDS = frozenset(
    {
        Kind.MENTION,
        Kind.ANSWER,
        Kind.REPLY,
        Kind.FOLLOWED_REPLY,
        Kind.NEW_TOPIC,
        Kind.FOLLOWED_PERSON,
    }
)


# --- Unsubscribe links ------------------------------------------------------------------


def unsubscribe_token(person: User, keys: Iterable[str]) -> str:
    """A link that needs no log-in: signed, for one person and the kinds it turns off."""
    # No time stamp: an unsubscribe link must keep working for as long as the email is kept.
    data = {"p": person.pk, "k": sorted(set(keys))}
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object(data)


def read_unsubscribe_token(token: str) -> tuple[User, list[str]] | None:
    """The person and kinds behind a token, or None when it was tampered with."""
    try:
        data = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    if not (isinstance(data.get("p"), int) and isinstance(data.get("k"), list)):
        return None
    person = User.objects.filter(pk=data["p"], is_active=True).first()
    if person is None:
        return None
    return person, [str(key) for key in data["k"]]


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def unsubscribe_url(person: User, keys: Iterable[str]) -> str:
    token = unsubscribe_token(person, keys)
    return absolute(reverse("notification_unsubscribe", kwargs={"token": token}))


def with_unsubscribe(message: EmailMultiAlternatives, url: str, language: str) -> None:
    """The headers that let mail programs offer "Unsubscribe" in one click (RFC 8058)."""
    message.extra_headers["List-Unsubscribe"] = f"<{url}>"
    message.extra_headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.extra_headers["Content-Language"] = language
    message.extra_headers["Auto-Submitted"] = "auto-generated"


def language_of(person: User, fallback: str) -> str:
    return person.language or fallback or settings.LANGUAGE_CODE


# --- What an email says -------------------------------------------------------------------


def excerpt(notification: Notification) -> str:
    if notification.post is None:
        return ""
    text = plain_text(notification.post.body_html)
    if len(text) > EXCERPT_LENGTH:
        text = text[: EXCERPT_LENGTH - 1].rsplit(" ", 1)[0] + "…"
    return text


def topic_of(notification: Notification) -> Any:
    """The topic a notification is about, or None (a badge, an event...)."""
    if notification.post is not None:
        return notification.post.topic
    return notification.topic


def _item(
    notification: Notification, access: permissions.CommunityAccess | None = None
) -> dict[str, Any]:
    topic = topic_of(notification)
    reply = (
        threads.reply_address(access, topic) if access is not None and topic is not None else None
    )
    return {
        "notification": notification,
        # Through the notification, so that opening it from the email marks it read.
        "url": absolute(reverse("notification_open", kwargs={"notification_id": notification.pk})),
        "excerpt": excerpt(notification),
        "reply_mailto": threads.reply_mailto(reply, topic) if topic is not None else "",
    }


def compose_one(
    notification: Notification, access: permissions.CommunityAccess | None = None
) -> EmailMultiAlternatives:
    """One notification's email. About a post, it is a message of the topic's thread
    (`threads.add_thread_headers`), with the reader's reply address when they have one."""
    person = notification.recipient
    if access is None:
        access = permissions.community_access(person, notification.community)
    language = language_of(person, notification.community.language)
    unsubscribe = unsubscribe_url(person, [notification.kind])
    post = notification.post
    reply = threads.reply_address(access, post.topic) if post is not None else None
    message = compose(
        "notifications/email/notification",
        person.email,
        {
            "person": person,
            **_item(notification),
            "reply_address": reply,
            "unsubscribe_url": unsubscribe,
            "settings_url": absolute(reverse("notification_settings")),
        },
        language,
    )
    if post is not None:
        variant = "" if notification.kind in NEW_POST_KINDS else str(notification.kind)
        if post.edited_at is not None and notification.created_at >= post.edited_at:
            # A mention added by an edit: the post itself may have been emailed already.
            variant = "edited"
        threads.add_thread_headers(message, post, person, access, variant=variant)
    with_unsubscribe(message, unsubscribe, language)
    return message


def compose_summary(
    person: User,
    notifications: Sequence[Notification],
    frequency: str,
    accesses: dict[int, permissions.CommunityAccess] | None = None,
) -> EmailMultiAlternatives:
    language = language_of(person, notifications[0].community.language)
    unsubscribe = unsubscribe_url(person, {n.kind for n in notifications})
    accesses = accesses or {}
    items = [_item(n, accesses.get(n.community_id)) for n in notifications]
    message = compose(
        "notifications/email/summary",
        person.email,
        {
            "person": person,
            "frequency": frequency,
            "items": items,
            "replies_by_email": any(item["reply_mailto"] for item in items),
            "unsubscribe_url": unsubscribe,
            "settings_url": absolute(reverse("notification_settings")),
            "list_url": absolute(reverse("notifications")),
        },
        language,
    )
    with_unsubscribe(message, unsubscribe, language)
    return message


# --- Sending ----------------------------------------------------------------------------------


def deliverable(notification: Notification, access: permissions.CommunityAccess) -> bool:
    """Asked again at send time: still unread, still wanted, still allowed."""
    person = notification.recipient
    return (
        notification.read_at is None
        and bool(person.email)
        and queries.wants_email(person, notification.kind)
        and queries.still_visible(notification, access)
    )


def send_immediately(notification_id: int) -> bool:
    """The background task's work: send one notification's email if it may still go.

    The task runs on the `email` queue and sends by itself, as `cercle.mail`'s task
    does, after asking again. It sends outside any transaction (SQLite would stay
    locked while the SMTP server answers); a failure raises, which leaves the task
    failed and the notification pending, for a retry."""
    notification = (
        Notification.objects.select_related(*RELATED)
        .filter(pk=notification_id, emailed_at=None, email_frequency=Frequency.IMMEDIATELY)
        .first()
    )
    if notification is None:
        return False
    access = permissions.community_access(notification.recipient, notification.community)
    sent = False
    if deliverable(notification, access):
        # Stopped addresses are dropped there; the envelope sender is the bounce address.
        message = compose_one(notification, access)
        sent = send_now(message, person_id=notification.recipient_id) > 0
    Notification.objects.filter(pk=notification.pk, emailed_at=None).update(
        emailed_at=timezone.now()
    )
    return sent


def send_summaries(frequency: str) -> tuple[int, int]:
    """One email per person with their pending notifications of this frequency, each
    asked again; returns (emails queued, notifications dropped). Running it twice sends
    nothing more: every notification handled is marked."""
    pending = Notification.objects.filter(email_frequency=frequency, emailed_at=None)
    people = list(pending.order_by().values_list("recipient_id", flat=True).distinct())
    emails = dropped = 0
    for person_id in people:
        with transaction.atomic():
            notifications = list(
                pending.filter(recipient_id=person_id)
                .select_for_update(of=("self",))
                .select_related(*RELATED)
                .order_by("created_at", "pk")
            )
            if not notifications:
                continue
            accesses: dict[int, permissions.CommunityAccess] = {}
            keep = []
            for notification in notifications:
                access = accesses.setdefault(
                    notification.community_id,
                    permissions.community_access(notification.recipient, notification.community),
                )
                if deliverable(notification, access):
                    keep.append(notification)
            Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(
                emailed_at=timezone.now()
            )
            dropped += len(notifications) - len(keep)
            if keep:
                queue_email(
                    compose_summary(keep[0].recipient, keep, frequency, accesses),
                    person_id=person_id,
                )
                emails += 1
    return emails, dropped
