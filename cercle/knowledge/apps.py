from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "cercle.knowledge"
    label = "knowledge"
    verbose_name = _("Knowledge library")

    def ready(self) -> None:
        from cercle.knowledge.queries import digest_items
        from cercle.notifications import digest

        digest.register_section("library", _("New in the library"), digest_items)
