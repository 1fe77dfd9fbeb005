from __future__ import annotations

from django_tasks import task

from cercle.notifications.emails import send_immediately
from cercle.notifications.mailing_list import send_post


@task(queue_name="email")
def send_notification_email(notification_id: int) -> bool:
    """Email one notification, if the recipient still wants it and may still see what
    it is about."""
    return send_immediately(notification_id)


@task(queue_name="email")
def send_mailing_list_post(post_id: int, person_ids: list[int]) -> int:
    """Queue a new post's email to the people in mailing-list mode who follow its space
    or topic, each asked again (`mailing_list.send_post`)."""
    return send_post(post_id, person_ids)
