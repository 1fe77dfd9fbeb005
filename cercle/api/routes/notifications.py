"""/notifications: the caller's notifications about what they may still see (the
list page's query, `notifications.queries.notification_list`), each with the sentence
the page shows, in the caller's language; marking one read (`do_open`: someone
else's is a 404) or all of them (`do_mark_all_read`)."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.template.loader import render_to_string
from ninja import Router, Schema

from cercle.api.caller import Scope
from cercle.api.pagination import Page, cursor_page
from cercle.api.problems import ERRORS
from cercle.api.routes.community_kit import (
    CommunityRef,
    PersonRef,
    absolute,
    community_ref,
    need,
    person_ref,
)
from cercle.notifications import actions, queries
from cercle.notifications.models import Notification

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    # The sentence of the notifications page ("Alice answered your question “…”").
    text: str
    community: CommunityRef
    # Who did it; null when it was said as one of the community's personas (the real
    # writer is never shown), or when they have left.
    actor: PersonRef | None
    topic_id: int | None
    post_id: int | None
    url: str
    created_at: datetime
    read_at: datetime | None


class UnreadOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int


def _shown_actor(notification: Notification) -> PersonRef | None:
    """The actor as the page names them (notifications/list.html)."""
    post = notification.post
    actor = notification.actor
    if actor is None or (post is not None and post.persona_id is not None):
        return None
    if notification.kind == "accepted" and post is not None and post.topic.persona_id is not None:
        return None
    return person_ref(actor)


def _out(notification: Notification) -> NotificationOut:
    return NotificationOut(
        id=notification.pk,
        kind=notification.kind,
        text=render_to_string(
            "notifications/_sentence.html", {"notification": notification}
        ).strip(),
        community=community_ref(notification.community),
        actor=_shown_actor(notification),
        topic_id=notification.topic_id,
        post_id=notification.post_id,
        url=absolute(notification.get_absolute_url()),
        created_at=notification.created_at,
        read_at=notification.read_at,
    )


@router.get("", response={200: Page[NotificationOut], **ERRORS}, summary="List your notifications")
def list_notifications(
    request: HttpRequest,
    unread: bool | None = None,
    kind: str = "",
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[NotificationOut]:
    """Your notifications about what you may still see, newest first; `unread=true`
    keeps the unread ones (`false` the read ones), `kind` one kind (mention, answer,
    reply, accepted, followed_reply, new_topic...)."""
    person = need(request, Scope.READ)
    notifications = queries.notification_list(person)
    if unread is not None:
        notifications = notifications.filter(read_at__isnull=unread)
    if kind:
        notifications = notifications.filter(kind=kind)
    rows, next_cursor = cursor_page(
        notifications, ordering=("-created_at", "-pk"), cursor=cursor, limit=limit
    )
    return Page[NotificationOut](items=[_out(row) for row in rows], next_cursor=next_cursor)


@router.get(
    "/unread", response={200: UnreadOut, **ERRORS}, summary="How many notifications are unread"
)
def unread_count(request: HttpRequest) -> UnreadOut:
    """The figure of the bell in the page header."""
    return UnreadOut(unread=queries.unread_count(need(request, Scope.READ)))


@router.post(
    "/read", response={200: MarkedOut, **ERRORS}, summary="Mark all your notifications read"
)
def mark_all_read(request: HttpRequest) -> MarkedOut:
    return MarkedOut(marked=actions.do_mark_all_read(need(request, Scope.WRITE)))


@router.post(
    "/{notification_id}/read",
    response={200: NotificationOut, **ERRORS},
    summary="Mark a notification read",
)
def mark_read(request: HttpRequest, notification_id: int) -> NotificationOut:
    """Yours, about something you may still see; a 404 otherwise."""
    person = need(request, Scope.WRITE)
    return _out(actions.do_open(person, notification_id))
