from __future__ import annotations

from django_tasks import task

from cercle.badges.awarding import run


@task(queue_name="default")
def award_badges_task() -> str:
    """The badges job as a background task: award earned badges, fill last month's
    showcase (what `cercle award_badges` does)."""
    return str(run())
