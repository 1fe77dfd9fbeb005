from __future__ import annotations

from django_tasks import task

from cercle.webhooks.delivering import attempt


@task(queue_name="default")
def deliver(delivery_id: int) -> str:
    """Attempt one webhook delivery when it is due (its next attempt is planned by
    `delivering.attempt`; `cercle webhooks retry` is the net under the worker)."""
    return attempt(delivery_id)
