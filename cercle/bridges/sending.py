"""From what happens to a chat: the matching of an event to the bridges that carry
it, and the sending of one message (docs/api.md).

The worker's `announce` (`tasks.py`, queued by `receivers.on_event_recorded`) loads
the subject once (`webhooks.subjects.subject_of`: what members see, a persona's name
and never its writer), keeps the bridges it reaches (their space or tag, a private
space's news only through a bridge on that space) whose creator may still read it,
records one `BridgePost` per bridge (a unique key: never twice) and queues `deliver`
for each, so that a slow chat holds up no other.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from cercle import permissions
from cercle.activity.models import ActivityEvent
from cercle.bridges import transports
from cercle.bridges.messages import Message
from cercle.bridges.models import NEWS_OF_VERB, Bridge, BridgePost, PostStatus
from cercle.webhooks import subjects


def reaches(bridge: Bridge, subject: subjects.Subject) -> bool:
    """Whether `subject` is in what `bridge` is connected to, and may leave through it
    (a private space's news only through a bridge on that very space)."""
    space = subject.space_row
    if bridge.space_id is not None and (space is None or space.pk != bridge.space_id):
        return False
    if bridge.tag_id is not None and (bridge.tag is None or bridge.tag.name not in subject.tags):
        return False
    return permissions.bridges.carries_space(bridge.space, space)


def message_of(subject: subjects.Subject, news: str) -> Message:
    return Message(
        news=news,
        title=subject.title,
        excerpt=subject.excerpt,
        url=subject.url,
        community=subject.community.name,
        space=subject.space.name if subject.space is not None else "",
        author=subject.author,
    )


def plan(event_id: int) -> list[tuple[int, dict[str, Any]]]:
    """The posts `event_id` makes: (BridgePost id, message) for each bridge it reaches
    whose creator may read it; each recorded once, whatever the number of runs."""
    event = ActivityEvent.objects.filter(pk=event_id).first()
    if event is None or event.community_id is None:
        return []
    news = NEWS_OF_VERB.get(event.verb)
    if news is None:
        return []
    bridges = [
        bridge
        for bridge in Bridge.objects.filter(community_id=event.community_id, active=True)
        .select_related("space", "tag", "created_by")
        .order_by("pk")
        if bridge.carries(news)
    ]
    if not bridges:
        return []
    subject = subjects.subject_of(event)
    if subject is None:
        return []
    message = asdict(message_of(subject, news))
    planned: list[tuple[int, dict[str, Any]]] = []
    for bridge in bridges:
        creator = bridge.created_by
        if not reaches(bridge, subject) or creator is None:
            continue
        if not subjects.may_receive(subject, creator):
            continue
        try:
            with transaction.atomic():
                post = BridgePost.objects.create(
                    bridge=bridge,
                    news=news,
                    subject_type=subject.object_kind,
                    subject_id=subject.object_id,
                    title=subject.title[:200],
                )
        except IntegrityError:
            continue  # already posted (or being posted) by this bridge
        planned.append((post.pk, message))
    return planned


def deliver(post_id: int, message: dict[str, Any]) -> bool:
    """Send one recorded post, in its community's language; the outcome is recorded
    on the post and on its bridge (its last send, or its last error)."""
    post = BridgePost.objects.select_related("bridge__community").filter(pk=post_id).first()
    if post is None or post.status != PostStatus.PENDING:
        return False
    return send_now(post, Message(**message))


def send_now(post: BridgePost, message: Message) -> bool:
    bridge = post.bridge
    try:
        with translation.override(bridge.community.language):
            transports.send(bridge, message, transaction_id=f"cercle-{post.pk}")
    except transports.SendFailed as failure:
        now = timezone.now()
        error = str(failure)[:500]
        BridgePost.objects.filter(pk=post.pk).update(status=PostStatus.FAILED, error=error)
        Bridge.objects.filter(pk=bridge.pk).update(last_error=error, last_error_at=now)
        post.status, post.error = PostStatus.FAILED, error
        return False
    now = timezone.now()
    BridgePost.objects.filter(pk=post.pk).update(status=PostStatus.SENT, sent_at=now)
    Bridge.objects.filter(pk=bridge.pk).update(last_sent_at=now, last_error="")
    post.status, post.sent_at = PostStatus.SENT, now
    return True
