"""The activity log's receiver: how what the actions record reaches the chats.

`on_event_recorded` runs inside the action's transaction: it looks at the verb first
and returns at once, without a query, for any verb no bridge carries. For the four it
carries (a question asked, a question solved, an event created, an announcement) it
waits for the commit, then queues `tasks.announce` when the community has an active
bridge: a rolled-back action posts nothing.
"""

from __future__ import annotations

from django.db import transaction

from cercle.activity.models import ActivityEvent
from cercle.bridges.models import NEWS_OF_VERB, Bridge
from cercle.bridges.tasks import announce
from cercle.webhooks import catalogue


def on_event_recorded(event: ActivityEvent) -> None:
    if not catalogue.types_of(event.verb):
        return
    if event.verb not in NEWS_OF_VERB or event.community_id is None:
        return
    event_id, community_id = event.pk, event.community_id

    def queue() -> None:
        if Bridge.objects.filter(community_id=community_id, active=True).exists():
            announce.enqueue(event_id)

    transaction.on_commit(queue)
