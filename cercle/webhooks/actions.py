"""Every change to webhook endpoints: checked through the permissions package first.

A community's endpoints are managed by those `permissions.webhooks.may_manage_webhooks`
allows, the instance-wide ones (community None) by staff. Whoever registers an
endpoint, or rotates its secret, becomes its owner: deliveries tell only what the
owner may read, and only the owner sees the secret.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cercle import permissions
from cercle.accounts.models import User
from cercle.communities.models import Community
from cercle.errors import ActionRefused
from cercle.webhooks import catalogue, sending
from cercle.webhooks.delivering import PING, ping_payload, queue
from cercle.webhooks.models import Delivery, DeliveryStatus, Endpoint, new_secret


def may_manage(actor: User, community: Community | None) -> bool:
    if community is None:
        return permissions.webhooks.may_manage_instance_webhooks(actor)
    return permissions.webhooks.may_manage_webhooks(permissions.community_access(actor, community))


def _require(actor: User, community: Community | None) -> None:
    if not may_manage(actor, community):
        raise ActionRefused(_("You may not do this here."), not_found=True)


def _checked_url(url: str) -> str:
    try:
        sending.checked(url)
    except sending.Refused as refusal:
        raise ActionRefused(refusal.message) from None
    return url.strip()


def _checked_types(names: Iterable[str]) -> list[str]:
    chosen = [name for name in names if name in catalogue.BY_NAME]
    if not chosen:
        raise ActionRefused(_("Choose at least one event."))
    return chosen


def do_create_endpoint(
    actor: User,
    community: Community | None,
    *,
    url: str,
    description: str = "",
    types: Iterable[str],
) -> Endpoint:
    """Register an endpoint for `community` (None: the whole instance), owned by `actor`."""
    _require(actor, community)
    endpoint = Endpoint(
        owner=actor,
        community=community,
        url=_checked_url(url),
        description=description.strip()[:200],
    )
    endpoint.type_names = _checked_types(types)
    endpoint.save()
    return endpoint


def do_update_endpoint(
    actor: User,
    endpoint: Endpoint,
    *,
    url: str,
    description: str,
    types: Iterable[str],
    active: bool,
) -> Endpoint:
    """Change an endpoint; turning a disabled one back on forgets why it was disabled
    (what it missed stays in the log, to be sent again)."""
    _require(actor, endpoint.community)
    endpoint.url = _checked_url(url)
    endpoint.description = description.strip()[:200]
    endpoint.type_names = _checked_types(types)
    if active and not endpoint.active:
        endpoint.disabled_at, endpoint.disabled_reason, endpoint.failing_since = None, "", None
    elif not active and endpoint.active:
        endpoint.disabled_at = timezone.now()
        endpoint.disabled_reason = _("Turned off by %(name)s.") % {"name": actor}
    endpoint.active = active
    endpoint.save()
    return endpoint


def do_delete_endpoint(actor: User, endpoint: Endpoint) -> None:
    """Delete an endpoint with its delivery log."""
    _require(actor, endpoint.community)
    endpoint.delete()


def do_rotate_secret(actor: User, endpoint: Endpoint) -> Endpoint:
    """A new secret (the old one stops verifying at once); `actor` becomes the owner."""
    _require(actor, endpoint.community)
    endpoint.secret = new_secret()
    endpoint.owner = actor
    endpoint.save(update_fields=["secret", "owner"])
    return endpoint


def do_send_ping(actor: User, endpoint: Endpoint) -> Delivery:
    """Send a test message (`webhook.ping`) to `endpoint` now, signed like the others."""
    _require(actor, endpoint.community)
    if not endpoint.active:
        raise ActionRefused(_("Turn the endpoint on before sending to it."))
    now = timezone.now()
    with transaction.atomic():
        delivery = Delivery.objects.create(
            endpoint=endpoint,
            event_type=PING,
            payload=ping_payload(endpoint, now),
            next_attempt_at=now,
        )
        transaction.on_commit(lambda: queue(delivery))
    return delivery


def do_resend(actor: User, delivery: Delivery) -> Delivery:
    """Send a delivery again, as a new delivery of the same message (same `webhook-id`,
    so a receiver that already has it can tell); what it tells is read again, and sent
    only if the owner may still read it."""
    endpoint = delivery.endpoint
    _require(actor, endpoint.community)
    if not endpoint.active:
        raise ActionRefused(_("Turn the endpoint on before sending to it."))
    now = timezone.now()
    with transaction.atomic():
        again = Delivery.objects.create(
            endpoint=endpoint,
            event_id=delivery.event_id,
            message_id=delivery.message_id,
            event_type=delivery.event_type,
            payload=delivery.payload if delivery.event_id is None else None,
            status=DeliveryStatus.PENDING,
            next_attempt_at=now,
        )
        transaction.on_commit(lambda: queue(again))
    return again
