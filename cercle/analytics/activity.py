"""Recording what happens, from inside the actions that make it happen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

from cercle.analytics.models import ActivityEvent, EngagementLevel

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
    )
