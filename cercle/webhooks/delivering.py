"""From an activity event to signed POSTs: fanning out, attempting, retrying, disabling.

`fan_out` (once the action's transaction commits) writes one `Delivery` per endpoint
subscribed to the event's type and queues the `deliver` task for each. `attempt` is
what the task (and the retry job, the net under the worker) runs for one delivery:

1. claim it with one conditional UPDATE (two workers never send it at once);
2. read what the event is about again (`subjects.subject_of`) and send it only if the
   endpoint's owner may be told of it now (`subjects.may_receive`); otherwise the
   delivery is withheld, and nothing leaves Cercle;
3. sign it as Standard Webhooks says (`webhook-id`, `webhook-timestamp`,
   `webhook-signature`, with the `standardwebhooks` library) and POST it;
4. record the answer; on a failure, plan the next attempt (`RETRY_DELAYS`, for a day
   at most: `GIVE_UP_AFTER`), and disable an endpoint that has failed for a day,
   telling its owner by email.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from standardwebhooks import Webhook

from cercle.activity.models import ActivityEvent
from cercle.mail.delivery import queue_email
from cercle.webhooks import sending
from cercle.webhooks.models import Delivery, DeliveryStatus, Endpoint
from cercle.webhooks.subjects import may_receive, planned_for, subject_of

logger = logging.getLogger(__name__)

# The waits after the 1st, 2nd... failed attempt; then one last attempt a day after the
# message was made, and it fails for good.
RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
)
GIVE_UP_AFTER = timedelta(days=1)
# An endpoint every attempt to which has failed for this long is disabled.
DISABLE_AFTER = timedelta(days=1)
# How long a claimed attempt holds its delivery (the POST takes at most ~15 s).
LEASE = timedelta(minutes=2)
# A planned item is published at its moment by the worker, or within a minute by the
# scheduler: its deliveries wait that long after the moment.
PUBLISH_GRACE = timedelta(minutes=2)
# Past its moment by this much and still not out, it will not be (refused, deleted).
PUBLISH_PATIENCE = timedelta(hours=1)

PING = "webhook.ping"


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


# --- Fanning out ---------------------------------------------------------------------


def subscribed(community_id: int | None, names: Iterable[str]) -> list[Endpoint]:
    """The active endpoints told of `names` in that community: its own and the
    instance-wide ones, in one query."""
    types = Q()
    for name in names:
        types |= Q(types__contains=f",{name},")
    where = Q(community=None)
    if community_id is not None:
        where |= Q(community_id=community_id)
    return list(Endpoint.objects.filter(where, types, active=True))


def fan_out(event_id: int, community_id: int | None, names: tuple[str, ...]) -> list[Delivery]:
    """Write the deliveries of one event and queue them (after the action commits)."""
    now = timezone.now()
    deliveries = [
        Delivery(endpoint=endpoint, event_id=event_id, event_type=name, next_attempt_at=now)
        for endpoint in subscribed(community_id, names)
        for name in names
        if name in endpoint.type_names
    ]
    if not deliveries:
        return []
    Delivery.objects.bulk_create(deliveries)
    for delivery in deliveries:
        queue(delivery)
    return deliveries


def queue(delivery: Delivery, at: datetime | None = None) -> None:
    """Ask the worker to attempt `delivery` (at `at`, when the backend can wait; the
    retry job sends it otherwise)."""
    from cercle.webhooks.tasks import deliver  # noqa: PLC0415 (the task imports this module)

    if at is None:
        deliver.enqueue(delivery.pk)
    elif deliver.get_backend().supports_defer:
        deliver.using(run_after=at).enqueue(delivery.pk)


# --- One attempt ---------------------------------------------------------------------


def attempt(delivery_id: int) -> str:
    """Attempt one delivery if it is due; returns its status afterwards ("" when it
    was not due or another worker holds it)."""
    now = timezone.now()
    delivery = (
        Delivery.objects.select_related("endpoint__owner", "endpoint__community", "event")
        .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
        .first()
    )
    if delivery is None or delivery.next_attempt_at is None or delivery.next_attempt_at > now:
        return ""
    claimed = Delivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.PENDING, next_attempt_at=delivery.next_attempt_at
    ).update(next_attempt_at=now + LEASE)
    if not claimed:
        return ""
    endpoint = delivery.endpoint
    if not endpoint.active:
        _close(delivery, DeliveryStatus.FAILED, now, _("The endpoint is disabled."))
        return delivery.status
    payload, withheld = payload_for(delivery)
    if payload is None:
        _wait_or_withhold(delivery, now, withheld)
        return delivery.status
    delivery.payload = payload
    body = body_of(payload)
    headers = {
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(endpoint.secret).sign(delivery.message_id, now, body),
    }
    answer = sending.post(endpoint.url, body, headers)
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status_code = answer.status
    delivery.last_response = answer.body
    delivery.last_error = answer.error
    if answer.ok:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
        _save(delivery)
        Endpoint.objects.filter(pk=endpoint.pk).exclude(failing_since=None).update(
            failing_since=None
        )
        return delivery.status
    following = next_attempt(delivery, now)
    if following is None:
        delivery.status = DeliveryStatus.FAILED
        delivery.failed_at = now
    delivery.next_attempt_at = following
    _save(delivery)
    _count_failure(endpoint, now)
    if following is not None and endpoint.active:
        queue(delivery, following)
    return delivery.status


def _wait_or_withhold(delivery: Delivery, now: datetime, reason: str) -> None:
    """Nothing to send now: wait for a planned item's publication (no attempt spent),
    or mark the delivery not sent."""
    planned = planned_for(delivery.event) if delivery.event is not None else None
    if planned is not None and planned > now - PUBLISH_PATIENCE:
        delivery.next_attempt_at = max(planned, now) + PUBLISH_GRACE
        delivery.save(update_fields=["next_attempt_at"])
        queue(delivery, delivery.next_attempt_at)
        return
    _close(delivery, DeliveryStatus.WITHHELD, now, reason)


def payload_for(delivery: Delivery) -> tuple[dict[str, Any] | None, str]:
    """The payload to send now, or None and why it is withheld."""
    if delivery.event_id is None:
        return delivery.payload, ""  # a test ping: written when it was asked for
    event: ActivityEvent | None = delivery.event
    subject = subject_of(event) if event is not None else None
    if subject is None:
        return None, _("Nothing to tell any more: it is gone, hidden or not published.")
    if not may_receive(subject, delivery.endpoint.owner):
        return None, _("The owner of the endpoint may not read it: nothing was sent.")
    return {
        "type": delivery.event_type,
        "timestamp": timestamp(subject.occurred_at),
        "data": subject.data(),
    }, ""


def ping_payload(endpoint: Endpoint, now: datetime) -> dict[str, Any]:
    return {
        "type": PING,
        "timestamp": timestamp(now),
        "data": {
            "endpoint": endpoint.pk,
            "community": endpoint.community.slug if endpoint.community else None,
            "types": endpoint.type_names,
        },
    }


def next_attempt(delivery: Delivery, now: datetime) -> datetime | None:
    """When to try again after `delivery.attempts` failed attempts; None: give up."""
    deadline = delivery.created_at + GIVE_UP_AFTER
    if now >= deadline:
        return None
    index = delivery.attempts - 1
    if index < len(RETRY_DELAYS):
        return min(now + RETRY_DELAYS[index], deadline)
    return deadline


def _save(delivery: Delivery) -> None:
    delivery.save(
        update_fields=[
            "status",
            "payload",
            "attempts",
            "next_attempt_at",
            "last_attempt_at",
            "last_status_code",
            "last_response",
            "last_error",
            "delivered_at",
            "failed_at",
        ]
    )


def _close(delivery: Delivery, status: str, now: datetime, reason: str) -> None:
    delivery.status = status
    delivery.last_error = reason[:300]
    delivery.next_attempt_at = None
    if status == DeliveryStatus.FAILED:
        delivery.failed_at = now
    _save(delivery)


def _count_failure(endpoint: Endpoint, now: datetime) -> None:
    Endpoint.objects.filter(pk=endpoint.pk, failing_since=None).update(failing_since=now)
    since = Endpoint.objects.filter(pk=endpoint.pk).values_list("failing_since", flat=True).first()
    if since is not None and now - since >= DISABLE_AFTER:
        disable(endpoint, now, _("Every delivery has failed for a day."))


def disable(endpoint: Endpoint, now: datetime, reason: str) -> bool:
    """Disable `endpoint` (once), fail what it still had to send, tell its owner."""
    with transaction.atomic():
        disabled = Endpoint.objects.filter(pk=endpoint.pk, active=True).update(
            active=False, disabled_at=now, disabled_reason=reason[:300]
        )
        if not disabled:
            return False
        endpoint.active, endpoint.disabled_at, endpoint.disabled_reason = False, now, reason
        Delivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.FAILED,
            failed_at=now,
            next_attempt_at=None,
            last_error=_("The endpoint is disabled."),
        )
        _tell_owner(endpoint, reason)
    logger.warning("Webhook endpoint %s disabled: %s", endpoint.pk, reason)
    return True


def _tell_owner(endpoint: Endpoint, reason: str) -> None:
    owner = endpoint.owner
    with translation.override(owner.language or settings.LANGUAGE_CODE):
        where = endpoint.community.name if endpoint.community else _("the whole instance")
        subject = _("A webhook endpoint is disabled")
        lines = [
            _("Hello %(name)s,") % {"name": owner.get_short_name()},
            "",
            _("Cercle disabled the webhook endpoint %(url)s (%(where)s): %(reason)s")
            % {"url": endpoint.url, "where": where, "reason": reason},
            _(
                "What it should have received is in its delivery log. Once the receiver "
                "answers again, turn the endpoint back on and send again what it missed:"
            ),
            f"{settings.SITE_URL}{endpoint.get_absolute_url()}",
        ]
    queue_email(
        EmailMessage(
            subject=f"[{settings.SITE_NAME}] {subject}",
            body="\n".join(lines),
            from_email=None,
            to=[owner.email],
        )
    )


# --- The net under the worker -----------------------------------------------------------


def retry_due(now: datetime | None = None, limit: int = 500) -> int:
    """Attempt every delivery whose moment has come (`cercle webhooks retry`); returns
    how many were attempted."""
    now = now or timezone.now()
    due = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in due if attempt(pk))
