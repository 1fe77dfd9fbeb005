"""Planned things (posts, polls, quizzes, challenges, contests, events): an item is
seen in a space the person reads, and before it is published only by those who may
animate there (they prepare it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.db.models import Model, QuerySet

from cercle.permissions.core import CommunityAccess, readable_spaces

if TYPE_CHECKING:
    from cercle.animation.models import Plannable

M = TypeVar("M", bound=Model)


def visible(queryset: QuerySet[M], access: CommunityAccess) -> QuerySet[M]:
    """The items of `access.community` in spaces the person reads; unpublished ones only
    for those who may animate (they prepare them)."""
    queryset = queryset.filter(community=access.community, space__in=readable_spaces(access))
    if not access.may_animate():
        queryset = queryset.exclude(published_at=None)
    return queryset


def may_see(item: Plannable, access: CommunityAccess) -> bool:
    """`visible` for one item already loaded."""
    if item.community_id != access.community.pk or not access.reads(item.space):
        return False
    return item.published_at is not None or access.may_animate(item.space)
