"""The follow button on the topic and space pages (cercle/sections.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cercle import permissions, sections
from cercle.people import actions

if TYPE_CHECKING:
    from cercle.communities.models import Space
    from cercle.conversations.models import Topic


def follow_topic(access: permissions.CommunityAccess, topic: Topic) -> Mapping[str, Any] | None:
    """Whether the reader follows the topic (one query), for those who may follow it."""
    if not permissions.people.may_follow_in(access, topic):
        return None
    return {
        "target_kind": "topic",
        "target_id": topic.pk,
        "following": actions.is_following(access.actor, topic),
        "label": topic.title,
    }


def follow_space(access: permissions.CommunityAccess, space: Space) -> Mapping[str, Any] | None:
    """Whether the reader follows the space (one query), for those who may follow it."""
    if not permissions.people.may_follow_in(access, space):
        return None
    return {
        "target_kind": "space",
        "target_id": space.pk,
        "following": actions.is_following(access.actor, space),
        "label": space.name,
    }


sections.register(
    "conversations.topic.head",
    name="follow",
    template="people/_follow_button.html",
    order=20,
    load=follow_topic,
)
sections.register(
    "conversations.space.head",
    name="follow",
    template="people/_follow_button.html",
    order=10,
    load=follow_space,
)
