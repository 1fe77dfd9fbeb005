"""The table of the default cache (settings.CACHES without CERCLE_REDIS_URL), so
that every `cercle migrate` (`make run`, deployments, the tests' databases) makes a
fresh install ready with nothing to run by hand."""

from __future__ import annotations

from typing import Any

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

CACHE_TABLE = "cercle_cache"  # settings.CACHES["default"]["LOCATION"]


def create_cache_table(apps: Any, schema_editor: Any) -> None:
    # Created whatever the cache is today (even with Redis), so that leaving Redis
    # later needs nothing by hand; nothing happens when the table exists.
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, CACHE_TABLE, dry_run=False)


def drop_cache_table(apps: Any, schema_editor: Any) -> None:
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(CACHE_TABLE)}")


class Migration(migrations.Migration):
    dependencies: list[tuple[str, str]] = []

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
