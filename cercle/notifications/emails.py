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
from cercle.mail.delivery import queue_email
from cercle.notifications import queries
from cercle.notifications.models import Frequency, Notification

UNSUBSCRIBE_SALT = "cercle.notifications.unsubscribe"
EXCERPT_LENGTH = 400
RELATED = (
    "recipient",
    "actor",
    "community",
    "topic",
    "post__topic__space__community",
    "post__topic__community",
    "post__persona",
    "post__topic__persona",
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


def _item(notification: Notification) -> dict[str, Any]:
    return {
        "notification": notification,
        # Through the notification, so that opening it from the email marks it read.
        "url": absolute(reverse("notification_open", kwargs={"notification_id": notification.pk})),
        "excerpt": excerpt(notification),
    }


def compose_one(notification: Notification) -> EmailMultiAlternatives:
    person = notification.recipient
    language = language_of(person, notification.community.language)
    unsubscribe = unsubscribe_url(person, [notification.kind])
    message = compose(
        "notifications/email/notification",
        person.email,
        {
            "person": person,
            **_item(notification),
            "unsubscribe_url": unsubscribe,
            "settings_url": absolute(reverse("notification_settings")),
        },
        language,
    )
    with_unsubscribe(message, unsubscribe, language)
    return message


def compose_summary(
    person: User, notifications: Sequence[Notification], frequency: str
) -> EmailMultiAlternatives:
    language = language_of(person, notifications[0].community.language)
    unsubscribe = unsubscribe_url(person, {n.kind for n in notifications})
    message = compose(
        "notifications/email/summary",
        person.email,
        {
            "person": person,
            "frequency": frequency,
            "items": [_item(n) for n in notifications],
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
        sent = compose_one(notification).send(fail_silently=False) > 0
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
                queue_email(compose_summary(keep[0].recipient, keep, frequency))
                emails += 1
    return emails, dropped
