"""The idea board.

Each question takes the person's `CommunityAccess` (the core) and the object."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cercle.permissions.core import CommunityAccess

if TYPE_CHECKING:
    from cercle.ideas.models import Idea


def may_vote_for_idea(access: CommunityAccess, idea: Idea) -> bool:
    """Vote for an idea (or take the vote back): a member who may take part in its
    space, for someone else's idea, while it is still open (new or under discussion)."""
    own = idea.author_id is not None and idea.author_id == access.actor.pk
    return not own and idea.is_open and access.may_take_part(idea.space)


def may_decide_idea(access: CommunityAccess, idea: Idea) -> bool:
    """Change an idea's status, with the reason: the animators of its space."""
    return access.may_animate(idea.space)
