"""Reading state, written when a page is read: the two GET side effects of
conversations (cercle/web_effects.py lists every one).

They write only about the reader and only what reading means: how far they have read
a topic (the unread and "new replies" markers) and when they last opened a space
("new since your last visit"). Nothing else a GET does writes.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from cercle import permissions
from cercle.accounts.models import User
from cercle.communities.models import Space
from cercle.conversations.actions import do_mark_read
from cercle.conversations.models import SpaceVisit, Topic
from cercle.web_effects import get_side_effect

# Visits within half an hour count as one, so "new" stays put while browsing.
SAME_VISIT_SECONDS = 1800


@get_side_effect("space visits")
def note_space_visit(reader: permissions.Actor, space: Space) -> datetime | None:
    """When the reader last opened this space before now (None the first time), and
    remember this visit (one query within a visit, two when a new visit starts)."""
    if not reader.is_authenticated:
        return None
    now = timezone.now()
    visit, created = SpaceVisit.objects.get_or_create(
        person_id=reader.pk, space=space, defaults={"visited_at": now}
    )
    if created:
        return None
    if (now - visit.visited_at).total_seconds() > SAME_VISIT_SECONDS:
        visit.previous_visit_at = visit.visited_at
        visit.visited_at = now
        visit.save(update_fields=["previous_visit_at", "visited_at"])
    return visit.previous_visit_at


@get_side_effect("read markers")
def note_topic_read(reader: User, topic: Topic, position: int, *, known: int | None) -> None:
    """The reader has read `topic` up to `position`; `known` is how far the page's
    query found they had read before (None: never opened). Nothing is written, or
    asked, when the page shows nothing new to them."""
    if known is not None and position <= known:
        return
    do_mark_read(reader, topic, position)
