"""Planning and publishing every kind of activity the same way.

Each plannable model registers here from its app's `AppConfig.ready()`
(`register(Model, on_publish=...)`), with what publishing it does besides making it
visible (open its discussion, announce it), taken from its own actions: models never
import actions. Its actions call `schedule(item)` after saving: the item goes out at
once when it has no `publish_at` (or one already past), otherwise the background
worker is asked to run `publish_due` at that moment (`publish_due_task`).
`publish_due` is also what `cercle publish_due` runs, for installations that prefer a
timer to the worker, and what tests call with a `now` of their choosing.

Publishing claims the row with one conditional UPDATE (`published_at` from NULL to
now): two workers woken at the same moment cannot both publish one item, on SQLite
(one writer at a time) as on PostgreSQL (the second UPDATE waits for the first to
commit, then finds the row taken).

A kind whose publishing can be refused when its moment comes (a planned post whose
author may no longer post there) raises `NotPublished` from `on_publish`: the item
stays unpublished, the model's `on_publish_refused` records why, and its
`publishable` filter keeps the worker from trying it again until an animator
re-plans it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar, cast

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from cercle.activity import verbs
from cercle.activity.log import record_event
from cercle.animation.models import NotPublished, Plannable

P = TypeVar("P", bound=Plannable)

__all__ = [
    "NotPublished",
    "kinds",
    "publish",
    "publish_due",
    "publish_due_task",
    "register",
    "schedule",
]


@dataclass(frozen=True)
class Registration:
    model: type[Plannable]
    # Called once, inside the publishing transaction, after `published_at` is set;
    # it may raise `NotPublished` to keep the item unpublished.
    on_publish: Callable[[Any], object] | None = None


REGISTRY: dict[str, Registration] = {}

# How many due items one run publishes per kind; the next run takes the rest.
BATCH = 500


def register(model: type[P], *, on_publish: Callable[[P], object] | None = None) -> None:
    """`model` appears on the calendar and is published by the worker; `on_publish(item)`
    does what publishing means besides becoming visible. Call it from the model's
    `AppConfig.ready()`."""
    if not model.KIND:
        raise ValueError(f"{model.__name__} needs a KIND")
    REGISTRY[model.KIND] = Registration(
        model=model, on_publish=cast("Callable[[Any], object] | None", on_publish)
    )


def kinds() -> Iterable[type[Plannable]]:
    return [registration.model for registration in REGISTRY.values()]


def publish(item: Plannable, now: datetime | None = None) -> bool:
    """Publish `item` now; False when it was already published (by another worker) or
    when its kind's `on_publish` refused (`NotPublished`): then it stays unpublished."""
    return _publish(item, now or timezone.now(), only_if_due=False)


def _publish(item: Plannable, now: datetime, *, only_if_due: bool) -> bool:
    model = type(item)
    unpublished = model._default_manager.filter(pk=item.pk, published_at=None)
    if only_if_due:
        # Re-planned later (or deleted) between the worker's read and this claim.
        unpublished = unpublished.filter(publish_at__lte=now)
    with transaction.atomic():
        claimed = model.publishable(unpublished).update(published_at=now)
        if not claimed:
            return False
        item.published_at = now
        try:
            # A savepoint: what a refused publication began to write is undone.
            with transaction.atomic():
                on_publish = REGISTRY[item.KIND].on_publish
                if on_publish is not None:
                    on_publish(item)
        except NotPublished as refusal:
            model._default_manager.filter(pk=item.pk).update(published_at=None)
            item.published_at = None
            item.on_publish_refused(refusal.reason, now)
            record_event(
                verbs.NOT_PUBLISHED[item.KIND],
                actor=item.created_by,
                community=item.community,
                target=item,
            )
            return False
        record_event(
            verbs.PUBLISHED[item.KIND],
            actor=item.created_by,
            community=item.community,
            target=item,
        )
    return True


def publish_due(now: datetime | None = None) -> int:
    """Publish every item whose moment has come; returns how many this run published."""
    now = now or timezone.now()
    published = 0
    for model in kinds():
        due = (
            model.publishable(model._default_manager.filter(published_at=None, publish_at__lte=now))
            .select_related("community", "space", "created_by")
            .order_by("publish_at", "pk")[:BATCH]
        )
        for item in due:
            published += _publish(item, now, only_if_due=True)
    return published


def schedule(item: Plannable, now: datetime | None = None) -> None:
    """Call after saving a new or re-planned item, inside the action's transaction."""
    now = now or timezone.now()
    if item.published_at is not None:
        return
    if item.publish_at is None or item.publish_at <= now:
        publish(item, now)
        return
    moment = item.publish_at

    def wake_the_worker() -> None:
        # A backend that cannot wait (the immediate one, in tests and small setups)
        # would refuse the task: there `cercle publish_due`, run by a timer, publishes.
        if publish_due_task.get_backend().supports_defer:
            publish_due_task.using(run_after=moment).enqueue()

    transaction.on_commit(wake_the_worker)


@task(queue_name="default")
def publish_due_task() -> int:
    """Publish what is due: queued by `schedule` to run at the planned moment."""
    return publish_due()
