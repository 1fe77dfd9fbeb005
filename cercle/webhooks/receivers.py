"""The receiver of `activity.log.event_recorded`: what happens becomes deliveries."""

from __future__ import annotations

from functools import partial

from django.db import transaction

from cercle.activity.models import ActivityEvent
from cercle.webhooks import catalogue
from cercle.webhooks.delivering import fan_out


def on_event_recorded(event: ActivityEvent) -> None:
    """For a verb of the catalogue, write and queue the deliveries once the action
    commits; for any other verb, nothing at all (not even a query)."""
    kinds = catalogue.types_of(event.verb)
    if not kinds:
        return
    names = tuple(kind.name for kind in kinds)
    # Robust: an endpoint's trouble never turns a committed action into an error page.
    transaction.on_commit(partial(fan_out, event.pk, event.community_id, names), robust=True)
