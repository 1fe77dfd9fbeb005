"""Every change the editorial calendar makes: planned posts and the rhythm setting.

Each `do_*` function asks `cercle.permissions` (animators are those who
`may_animate`), validates, writes in one transaction with its activity event, then
hands the item to `cercle.animation.planning`, which publishes it at once or at its
moment. Refusals raise `ActionRefused` and write nothing.
"""

from __future__ import annotations

import re
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cercle import permissions
from cercle.accounts.models import User
from cercle.activity import verbs
from cercle.activity.log import record_event
from cercle.animation import planning
from cercle.animation.models import Failure, NotPublished, PlannedPost
from cercle.communities.models import Community, Space
from cercle.conversations.actions import do_start_topic
from cercle.conversations.models import Kind as TopicKind
from cercle.errors import ActionRefused

MAX_BODY = 50_000
MIN_GAP_DAYS = 1
MAX_GAP_DAYS = 60


def _require_animator(access: permissions.CommunityAccess, space: Space) -> None:
    if not access.may_animate(space):
        # Saying more than "no" would tell that a private space exists.
        raise ActionRefused(
            _("Only animators may plan posts here."), not_found=not access.reads(space)
        )


def _clean(
    access: permissions.CommunityAccess,
    space: Space,
    *,
    topic_kind: str,
    title: str,
    body: str,
    publish_at: datetime | None,
    now: datetime,
) -> tuple[str, str]:
    if topic_kind not in TopicKind.values:
        raise ActionRefused(_("Unknown kind of topic."))
    if not permissions.conversations.may_start_topic(access, space, topic_kind):
        raise ActionRefused(_("Only coordinators may publish announcements."))
    title = " ".join((title or "").split())
    if len(title) < 3:
        raise ActionRefused(_("Give the topic a title of at least 3 characters."))
    if len(title) > 200:
        raise ActionRefused(_("The title is too long: 200 characters at most."))
    body = re.sub(r"\A(?:[ \t]*\r?\n)+", "", (body or "").rstrip())
    if not body.strip():
        raise ActionRefused(_("Write a message first."))
    if len(body) > MAX_BODY:
        raise ActionRefused(
            _("This message is too long: %(count)d characters at most.") % {"count": MAX_BODY}
        )
    if publish_at is not None:
        if timezone.is_naive(publish_at):
            raise ActionRefused(_("Give the moment with its time zone."))
        if publish_at <= now:
            raise ActionRefused(
                _("Choose a moment in the future, or leave it empty to publish at once.")
            )
    return title, body


def do_plan_post(
    actor: User,
    space: Space,
    *,
    topic_kind: str,
    title: str,
    body: str,
    publish_at: datetime | None,
) -> PlannedPost:
    """Plan a topic in `space`, started as `actor` at `publish_at` (None: at once)."""
    access = permissions.community_access(actor, space.community)
    _require_animator(access, space)
    now = timezone.now()
    title, body = _clean(
        access, space, topic_kind=topic_kind, title=title, body=body, publish_at=publish_at, now=now
    )
    with transaction.atomic():
        post = PlannedPost.objects.create(
            community=space.community,
            space=space,
            created_by=actor,
            topic_kind=topic_kind,
            title=title,
            body=body,
            publish_at=publish_at,
        )
        record_event(verbs.POST_PLANNED, actor=actor, community=space.community, target=post)
        planning.schedule(post, now)
    return post


def _locked(post: PlannedPost) -> PlannedPost:
    """The post, its row locked until the transaction ends: a worker publishing it at
    this moment waits for us, or we see that it went out."""
    locked = (
        PlannedPost.objects.select_for_update(of=("self",))
        .select_related("community", "space", "created_by")
        .get(pk=post.pk)
    )
    if locked.published_at is not None:
        raise ActionRefused(
            _("This post is already published: change it in its conversation instead.")
        )
    return locked


def do_replan_post(
    actor: User,
    post: PlannedPost,
    *,
    space: Space,
    topic_kind: str,
    title: str,
    body: str,
    publish_at: datetime | None,
) -> PlannedPost:
    """Change a post that is not out yet; it keeps its author. A post whose publication
    was refused is tried again at its new moment."""
    access = permissions.community_access(actor, post.community)
    _require_animator(access, post.space)
    if space.community_id != post.community_id:
        raise ActionRefused(_("Choose a space of this community."))
    _require_animator(access, space)
    now = timezone.now()
    title, body = _clean(
        access, space, topic_kind=topic_kind, title=title, body=body, publish_at=publish_at, now=now
    )
    with transaction.atomic():
        post = _locked(post)
        post.space = space
        post.topic_kind = topic_kind
        post.title = title
        post.body = body
        post.publish_at = publish_at
        post.failure = ""
        post.failed_at = None
        post.save()
        record_event(verbs.POST_REPLANNED, actor=actor, community=post.community, target=post)
        planning.schedule(post, now)
    return post


def do_publish_post_now(actor: User, post: PlannedPost) -> PlannedPost:
    """Publish a planned post at once, as its author. When the author may no longer post
    there, the post stays unpublished and `post.failure` says why."""
    access = permissions.community_access(actor, post.community)
    _require_animator(access, post.space)
    now = timezone.now()
    with transaction.atomic():
        post = _locked(post)
        post.publish_at = now
        post.failure = ""
        post.failed_at = None
        post.save(update_fields=["publish_at", "failure", "failed_at"])
        record_event(verbs.POST_PUBLISH_NOW, actor=actor, community=post.community, target=post)
        planning.publish(post, now)
    return post


def publish_post(post: PlannedPost) -> None:
    """What publishing a planned post means (`planning.register`, in `AnimationConfig`):
    its topic is started in its space as its author, through the conversation actions
    like any other topic. Refused (`NotPublished`) when the author is gone or may no
    longer start this kind of topic there, or when the topic itself is refused."""
    author = post.created_by
    if author is None or not author.is_active:
        raise NotPublished(Failure.AUTHOR_GONE)
    access = permissions.community_access(author, post.community)
    if not permissions.conversations.may_start_topic(access, post.space, post.topic_kind):
        raise NotPublished(Failure.NOT_ALLOWED)
    try:
        topic = do_start_topic(
            author, post.space, kind=post.topic_kind, title=post.title, body=post.body
        )
    except ActionRefused as refusal:
        raise NotPublished(Failure.REFUSED) from refusal
    post.topic = topic
    PlannedPost.objects.filter(pk=post.pk).update(topic=topic, failure="", failed_at=None)
    post.failure, post.failed_at = "", None


def do_delete_post(actor: User, post: PlannedPost) -> None:
    """Drop a post before it is published (afterwards it is a topic like any other)."""
    access = permissions.community_access(actor, post.community)
    _require_animator(access, post.space)
    with transaction.atomic():
        post = _locked(post)
        record_event(verbs.POST_UNPLANNED, actor=actor, community=post.community, target=post)
        post.delete()


def do_set_rhythm_gap(actor: User, community: Community, days: int) -> Community:
    """How many quiet days in a row the calendar points out as a gap in the rhythm."""
    access = permissions.community_access(actor, community)
    if not access.may_animate():
        raise ActionRefused(
            _("Only animators may change the rhythm."), not_found=not access.sees_landing()
        )
    if not MIN_GAP_DAYS <= days <= MAX_GAP_DAYS:
        raise ActionRefused(
            _("Choose between %(low)d and %(high)d days.")
            % {"low": MIN_GAP_DAYS, "high": MAX_GAP_DAYS}
        )
    with transaction.atomic():
        Community.objects.filter(pk=community.pk).update(rhythm_gap_days=days)
        community.rhythm_gap_days = days
        record_event(verbs.COMMUNITY_RHYTHM_CHANGED, actor=actor, community=community)
    return community
