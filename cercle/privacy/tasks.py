from __future__ import annotations

from django_tasks import task

from cercle.privacy.actions import prepare_export


@task(queue_name="default")
def prepare_export_task(export_id: int) -> str:
    """Prepare one data export's zip in the background and email its link."""
    data_export = prepare_export(export_id)
    return data_export.status if data_export is not None else "gone"
