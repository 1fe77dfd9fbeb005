from __future__ import annotations

from django_tasks import task

from cercle.notifications.emails import send_immediately


@task(queue_name="email")
def send_notification_email(notification_id: int) -> bool:
    """Email one notification, if the recipient still wants it and may still see what
    it is about."""
    return send_immediately(notification_id)
