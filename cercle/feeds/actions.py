"""The one write of feeds: making or renewing a person's secret key."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from cercle.accounts.models import User
from cercle.activity import verbs
from cercle.activity.log import record_event
from cercle.errors import ActionRefused
from cercle.feeds.models import FeedKey


def do_renew_feed_key(person: User) -> FeedKey:
    """A new secret key for the person's feed addresses (the first one, or one that
    replaces the old: every address made with the old key stops working at once)."""
    if not person.is_authenticated or not person.is_active:
        raise ActionRefused("", not_found=True)
    with transaction.atomic():
        key, _created = FeedKey.objects.update_or_create(
            person=person, defaults={"key": FeedKey.new_key(), "created_at": timezone.now()}
        )
        record_event(verbs.FEED_KEY_RENEWED, actor=person, community=None)
    return key
