"""Addresses that bounce: recorded from delivery reports, and no longer sent to.

A permanent failure (a 5.x.x status: no such user, domain gone) stops mail to the
address at once; temporary failures (4.x.x: mailbox full) stop it after
`SOFT_LIMIT` within `SOFT_WINDOW`. The person sees why on their email settings page
and starts mail again there (`clear_bounce`) once they fixed it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from cercle.mail.models import Bounce, BounceKind

SOFT_LIMIT = 3
SOFT_WINDOW = timedelta(days=14)


def record_bounce(
    person_id: int, address: str, *, permanent: bool, status: str = "", diagnostic: str = ""
) -> Bounce:
    """Note one delivery failure to `address`, a person's; returns the row, `stopped`
    when mail to the address now stops."""
    address = address.strip().lower()
    now = timezone.now()
    with transaction.atomic():
        bounce = (
            Bounce.objects.select_for_update().filter(person_id=person_id, address=address).first()
        )
        if bounce is None:
            bounce = Bounce(person_id=person_id, address=address, count=0)
        elif bounce.last_at and now - bounce.last_at > SOFT_WINDOW and not bounce.stopped:
            bounce.count = 0  # an old run of temporary failures is forgotten
        bounce.count += 1
        bounce.kind = BounceKind.HARD if permanent else BounceKind.SOFT
        bounce.status = status[:16]
        bounce.diagnostic = " ".join(diagnostic.split())[:500]
        if permanent or bounce.count >= SOFT_LIMIT:
            bounce.stopped = True
        bounce.save()
    return bounce


def clear_bounce(person_id: int) -> int:
    """The person fixed their mailbox: send to their addresses again."""
    deleted, _ = Bounce.objects.filter(person_id=person_id).delete()
    return deleted


def stopped_addresses(addresses: Iterable[str]) -> set[str]:
    """Those of `addresses` (any case) that mail no longer goes to, in one query."""
    wanted = {address.strip().lower() for address in addresses if address}
    if not wanted:
        return set()
    return set(
        Bounce.objects.filter(address__in=wanted, stopped=True).values_list("address", flat=True)
    )


def stopped_bounce(person_id: int) -> Bounce | None:
    """Why mail to the person stopped, for their settings page; None when it did not."""
    return Bounce.objects.filter(person_id=person_id, stopped=True).order_by("-last_at").first()
