from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SearchConfig(AppConfig):
    name = "cercle.search"
    label = "search"

    def ready(self) -> None:
        from cercle.search.index import restore_sqlite_triggers

        post_migrate.connect(restore_sqlite_triggers, sender=self)
