"""A poll closes by the clock, with no action to record it: this job notices the polls
whose closing moment has passed and records `poll.closed` once for each, so that
webhooks (and chat bridges) can tell of it like of anything an action records."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from cercle.activities.models import Poll
from cercle.activity import verbs
from cercle.activity.log import record_event
from cercle.activity.models import ActivityEvent

# Polls that closed longer ago than this are old news: never announced late (a new
# install, or a scheduler stopped for days, does not send a week of closings).
LOOK_BACK = timedelta(days=2)


def record_closed_polls(now: datetime | None = None) -> int:
    """Record `poll.closed` for each published poll closed since LOOK_BACK and not yet
    recorded; returns how many. Idempotent."""
    now = now or timezone.now()
    recorded = ActivityEvent.objects.filter(
        verb=verbs.POLL_CLOSED.name, object_type=Poll._meta.label_lower
    ).values("object_id")
    closed = list(
        Poll.objects.filter(closes_at__lte=now, closes_at__gt=now - LOOK_BACK)
        .exclude(published_at=None)
        .exclude(pk__in=recorded)
        .select_related("community")
        .order_by("closes_at", "pk")
    )
    for poll in closed:
        with transaction.atomic():
            record_event(verbs.POLL_CLOSED, actor=None, community=poll.community, target=poll)
    return len(closed)
