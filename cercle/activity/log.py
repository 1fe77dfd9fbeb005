"""Recording what happens, from inside the actions that make it happen.

Every verb is one of the vocabulary (`cercle.activity.verbs`): an undeclared one is
refused before anything is written, and the event's engagement level is the one its
declaration gives.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import models

from cercle.activity import verbs
from cercle.activity.models import ActivityEvent, EngagementLevel
from cercle.hooks import Hook

if TYPE_CHECKING:
    from cercle.accounts.models import User
    from cercle.communities.models import Community

# Called with each event `record_event` writes, inside the action's transaction: how
# what happens leaves Cercle (webhooks, chat bridges) without the log knowing them.
# Receivers look at `event.verb` before anything else and return at once for a verb
# they do not carry, so that an action pays no query for them; what they send, they
# send once the transaction commits. Bulk writers (`new_event`: importers, the
# generator) do not call it: an import is not news.
event_recorded: Hook[[ActivityEvent], None] = Hook("event_recorded")


def record_event(
    verb: verbs.Verb | str,
    *,
    actor: User | None,
    community: Community | None,
    target: models.Model | None = None,
    level: EngagementLevel | None = None,
) -> ActivityEvent:
    """Log `verb`; call it inside the action's transaction so both commit or neither.

    `verb` must be declared (`verbs.UndeclaredVerb`, a ValueError, otherwise); its
    level is the declared one, and a `level` given must be that one."""
    declared = verbs.declared(verb)
    event = ActivityEvent.objects.create(
        verb=declared.name,
        actor=actor,
        community=community,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=target.pk if target is not None else None,
        level=verbs.level_of(declared, level),
        space_id=space_of(target),
    )
    event_recorded(event)
    return event


def new_event(
    verb: verbs.Verb | str,
    *,
    community_id: int,
    actor_id: int | None,
    target: tuple[str, int] | None,
    created_at: datetime | None = None,
    space_id: int | None = None,
) -> ActivityEvent:
    """An event as `record_event` writes it, not saved yet, for writers of many events at
    once (`bulk_create`): the same refusal of an undeclared verb, the declared level.
    `target` is the object's type (its model's `label_lower`) and id."""
    declared = verbs.declared(verb)
    event = ActivityEvent(
        space_id=space_id,
        verb=declared.name,
        community_id=community_id,
        actor_id=actor_id,
        object_type=target[0] if target else "",
        object_id=target[1] if target else None,
        level=declared.level,
    )
    if created_at is not None:
        event.created_at = created_at
    return event


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
