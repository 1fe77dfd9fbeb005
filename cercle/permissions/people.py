"""People: following someone or something."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cercle.accounts.models import User
from cercle.communities.models import Space
from cercle.permissions import conversations
from cercle.permissions.core import CommunityAccess, community_access, may_see_person

if TYPE_CHECKING:
    from cercle.conversations.models import Tag, Topic


def may_follow(actor: User, target: User | Topic | Space | Tag) -> bool:
    """One can follow only what one may read (a person: someone one can see)."""
    if isinstance(target, User):
        return target.pk != actor.pk and may_see_person(actor, target)
    access = community_access(actor, target.community)
    if isinstance(target, Space) or target._meta.model_name == "topic":
        return may_follow_in(access, target)  # type: ignore[arg-type]
    return access.reads_open_spaces()


def may_follow_in(access: CommunityAccess, target: Topic | Space) -> bool:
    """`may_follow` for a topic or space of the community `access` is about, with the
    reader's access already loaded (the topic and space pages ask it, with no query)."""
    if not access.actor.is_authenticated or not access.actor.is_active:
        return False
    if isinstance(target, Space):
        return access.reads(target)
    if target.is_hidden and not conversations.sees_hidden(access, target.space):
        return False
    return access.reads(target.space)
