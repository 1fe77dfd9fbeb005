"""The secret key of a person's news feed addresses."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FeedKey(models.Model):
    """What a person's secret feed addresses carry (`/feeds/k/<key>/...`): whoever has
    one reads the feed as that person. A new key revokes every address given before."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="news_feed_key"
    )
    # Random, and looked up by its value: long enough that guessing is hopeless.
    key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("news feed key")
        verbose_name_plural = _("news feed keys")

    def __str__(self) -> str:
        return f"news feed key of {self.person_id}"

    @staticmethod
    def new_key() -> str:
        return secrets.token_urlsafe(24)
