"""The worker's part of the bridges: find who an event goes to, then send each
message on its own (a slow chat holds up no other)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from cercle.bridges import sending


@task()
def announce(event_id: int) -> int:
    """Record the posts an activity event makes and queue each; how many."""
    planned = sending.plan(event_id)
    for post_id, message in planned:
        deliver.enqueue(post_id, message)
    return len(planned)


@task()
def deliver(post_id: int, message: dict[str, Any]) -> bool:
    """Send one post; a failure is recorded on it and on its bridge, not raised."""
    return sending.deliver(post_id, message)
