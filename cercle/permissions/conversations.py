"""Conversations: topics, replies, reactions, flags, tags and the moderation log.

Each question takes the person's `CommunityAccess` (the core) and the object."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cercle.permissions.core import CommunityAccess

if TYPE_CHECKING:
    from cercle.communities.models import Space
    from cercle.conversations.models import Post, Topic


def may_start_topic(access: CommunityAccess, space: Space, kind: str) -> bool:
    if kind == "announcement" and not access.is_coordinator:
        return False
    return access.may_post(space)


def may_reply(access: CommunityAccess, topic: Topic) -> bool:
    if not access.may_post(topic.space):
        return False
    if topic.is_locked or topic.is_hidden or topic.merged_into_id:
        return access.may_moderate(topic.space)
    return True


def may_edit(access: CommunityAccess, post: Post, space: Space) -> bool:
    """Authors edit their own posts while they may post; moderators edit any."""
    if post.deleted_at is not None:
        return False
    own = post.author_id is not None and post.author_id == access.actor.pk
    return (own and access.may_post(space)) or access.may_moderate(space)


def may_delete(access: CommunityAccess, post: Post, space: Space) -> bool:
    return may_edit(access, post, space)


def may_accept_answer(access: CommunityAccess, topic: Topic) -> bool:
    if topic.kind != "question":
        return False
    asker = topic.author_id is not None and topic.author_id == access.actor.pk
    return (asker and access.may_post(topic.space)) or access.may_moderate(topic.space)


def may_react(access: CommunityAccess, post: Post, space: Space) -> bool:
    own = post.author_id is not None and post.author_id == access.actor.pk
    return not own and post.deleted_at is None and access.may_post(space)


def may_flag(access: CommunityAccess, post: Post, space: Space) -> bool:
    own = post.author_id is not None and post.author_id == access.actor.pk
    return not own and post.deleted_at is None and access.may_post(space)


def sees_hidden(access: CommunityAccess, space: Space) -> bool:
    """Hidden topics and posts stay visible, marked, to those who moderate them."""
    return access.may_moderate(space)


def may_curate_tags(access: CommunityAccess) -> bool:
    return access.is_coordinator or access.staff


def may_read_moderation_log(access: CommunityAccess) -> bool:
    return access.is_coordinator or access.staff


# --- What a page shows: the `can` records templates read --------------------------------------


@dataclass(frozen=True)
class TopicCan:
    """What the reader may do on a topic's page, as a whole."""

    reply: bool
    moderate: bool
    # Reopen a solved question (take the accepted answer back).
    reopen: bool


@dataclass(frozen=True)
class PostCan:
    """What the reader may do with one post of a topic's page."""

    edit: bool
    delete: bool
    flag: bool
    react: bool
    accept: bool
    moderate: bool
    quote: bool


def topic_can(access: CommunityAccess, topic: Topic) -> TopicCan:
    return TopicCan(
        reply=may_reply(access, topic),
        moderate=access.may_moderate(topic.space),
        reopen=topic.accepted_answer_id is not None and may_accept_answer(access, topic),
    )


def post_can(access: CommunityAccess, post: Post, topic: Topic, page: TopicCan) -> PostCan:
    """`page` is the topic's own record, computed once for all its posts."""
    space = topic.space
    shown = post.deleted_at is None
    return PostCan(
        edit=may_edit(access, post, space),
        delete=may_delete(access, post, space),
        flag=may_flag(access, post, space),
        react=may_react(access, post, space),
        accept=shown
        and post.position > 0
        and topic.accepted_answer_id != post.pk
        and may_accept_answer(access, topic),
        moderate=shown and page.moderate,
        quote=shown and page.reply,
    )
