from __future__ import annotations

from typing import Any

from django_tasks import task

from cercle.mail.payload import payload_to_message


@task(queue_name="email")
def send_email(payload: dict[str, Any]) -> int:
    """Deliver one queued message; a failure leaves the task failed, for a retry."""
    return payload_to_message(payload).send(fail_silently=False)
