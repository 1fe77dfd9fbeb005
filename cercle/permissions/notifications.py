"""Notifications: who may be told about something, when it is created, shown or emailed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from cercle.permissions.core import CommunityAccess

if TYPE_CHECKING:
    from cercle.communities.models import Space
    from cercle.conversations.models import Post

# Who a notification about no post nor space is for: the person invited, the
# community's members (its life: welcome, activities, badges...), or whoever sees its
# landing page.
Audience = Literal["invitee", "member", "visitor"]


def content_is_visible(post: Post) -> bool:
    """Deleted and hidden words are not announced (their topic may have moved or merged)."""
    topic = post.topic
    return not (post.deleted_at or post.is_hidden or topic.is_hidden)


def may_be_told(
    access: CommunityAccess, audience: Audience, post: Post | None, space: Space | None = None
) -> bool:
    """About a post: while it is visible in a space the person reads; about a space:
    while they read it; otherwise as `audience` says."""
    person = access.actor
    if not person.is_authenticated or not person.is_active:
        return False
    if post is not None:
        return content_is_visible(post) and access.reads(post.topic.space)
    if space is not None:
        return access.reads(space)
    if audience == "invitee":
        return access.has_pending_invitation and access.sees_landing()
    if audience == "member":
        return access.is_member
    return access.sees_landing()
