from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SearchConfig(AppConfig):
    name = "cercle.search"
    label = "search"

    def ready(self) -> None:
        from cercle.conversations import hooks
        from cercle.search import conversations
        from cercle.search.index import restore_sqlite_triggers

        post_migrate.connect(restore_sqlite_triggers, sender=self)
        # Conversations keep their search documents in step through their hooks.
        hooks.post_changed.register(conversations.index_post)
        hooks.post_deleted.register(conversations.hide_post)
        hooks.topic_merged_away.register(conversations.remove_topic)
