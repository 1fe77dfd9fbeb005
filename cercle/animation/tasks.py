from __future__ import annotations

from django_tasks import task

from cercle.animation.planning import publish_due


@task(queue_name="default")
def publish_due_task() -> int:
    """Publish what is due: queued by `planning.schedule` to run at the planned moment."""
    return publish_due()
