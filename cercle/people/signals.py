from __future__ import annotations

from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from cercle.people.models import Profile


@receiver(post_delete, sender=Profile)
def delete_photo_with_profile(sender: Any, instance: Profile, **kwargs: Any) -> None:
    """A deleted account (its profile goes with it) leaves no photo behind on disk,
    once the deletion is committed."""
    name = instance.avatar.name if instance.avatar else ""
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))
