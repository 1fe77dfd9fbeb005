"""Polls, quizzes and challenges.

Each question takes the person's `CommunityAccess` (the core) and the object."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cercle.permissions.core import CommunityAccess

if TYPE_CHECKING:
    from datetime import datetime

    from cercle.activities.models import Challenge, Poll


def sees_poll_results(
    access: CommunityAccess, poll: Poll, *, voted: bool, now: datetime | None = None
) -> bool:
    """The counts of a poll the person may see: everyone once it is closed, a voter
    when the animator chose "after voting", the animators at any time. (Names are
    shown for named polls only, never for anonymous ones, to anyone.)"""
    if access.may_animate(poll.space):
        return True
    if poll.published_at is None:
        return False
    return poll.is_closed(now) or (voted and poll.results_shown == "after_voting")


def may_edit_challenge_answer(
    access: CommunityAccess,
    challenge: Challenge,
    author_id: int | None,
    now: datetime | None = None,
) -> bool:
    """Authors change their answer until the deadline, while they may take part."""
    own = author_id is not None and author_id == access.actor.pk
    return own and challenge.is_open(now) and access.may_take_part(challenge.space)


def may_remove_challenge_answer(
    access: CommunityAccess,
    challenge: Challenge,
    author_id: int | None,
    now: datetime | None = None,
) -> bool:
    """Authors until the deadline; the space's moderators at any time."""
    return may_edit_challenge_answer(access, challenge, author_id, now) or access.may_moderate(
        challenge.space
    )
