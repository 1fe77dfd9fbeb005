"""Cercle's own system checks (`cercle check`, `cercle check --deploy`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, register
from django.core.checks import Warning as CheckWarning

# Caches that each server process keeps for itself: what one worker counts, the
# others never see.
PROCESS_LOCAL_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(Tags.caches, deploy=True)
def check_cache_is_shared(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The log-in lock-out, the rate limits and presence count in the cache: with a
    cache inside each process, every web worker counts on its own (5 wrong passwords
    per account let 5 through per worker)."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend not in PROCESS_LOCAL_CACHES:
        return []
    return [
        CheckWarning(
            f"The cache ({backend.rsplit('.', 1)[-1]}) is kept inside each server "
            "process: with more than one web worker, log-in lock-outs, rate limits "
            "and presence are counted by each worker on its own.",
            hint="Leave CACHES to Cercle's default (a table of the database) or set "
            "CERCLE_REDIS_URL (docs/configuration.md, Cache).",
            id="cercle.W001",
        )
    ]
