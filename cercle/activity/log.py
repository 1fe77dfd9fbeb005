"""Recording what happens, from inside the actions that make it happen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

from cercle.activity.models import ActivityEvent, EngagementLevel

if TYPE_CHECKING:
    from cercle.accounts.models import User
    from cercle.communities.models import Community


def record_event(
    verb: str,
    *,
    actor: User | None,
    community: Community | None,
    target: models.Model | None = None,
    level: EngagementLevel | None = None,
) -> ActivityEvent:
    """Log `verb`; call it inside the action's transaction so both commit or neither."""
    return ActivityEvent.objects.create(
        verb=verb,
        actor=actor,
        community=community,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=target.pk if target is not None else None,
        level=level,
        space_id=space_of(target),
    )


# The relations through which a target reaches its space, when it has none itself.
_SPACE_PARENTS = ("topic", "collection", "contest", "event", "poll", "quiz", "challenge", "idea")


def space_of(target: models.Model | None) -> int | None:
    """The space `target` lives in: its own `space_id`, or its parent's (a post's
    topic, a resource's collection, an entry's contest); None for what lives in no
    space (a community, a membership). The parent is usually loaded already."""
    if target is None:
        return None
    space_id = getattr(target, "space_id", None)
    if isinstance(space_id, int):
        return space_id
    for name in _SPACE_PARENTS:
        if isinstance(getattr(target, f"{name}_id", None), int):
            parent = getattr(target, name)
            space_id = getattr(parent, "space_id", None)
            return space_id if isinstance(space_id, int) else None
    return None
