from __future__ import annotations

from django_tasks import task

from cercle.contests.actions import announce_due


@task(queue_name="default")
def announce_results_task() -> int:
    """Announce the results of contests whose voting has closed: queued by the contest
    actions to run when voting closes."""
    return announce_due()
