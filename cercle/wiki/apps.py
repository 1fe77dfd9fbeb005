from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WikiConfig(AppConfig):
    name = "cercle.wiki"
    label = "wiki"
    verbose_name = _("Wiki")

    def ready(self) -> None:
        from cercle.notifications import digest
        from cercle.wiki.queries import digest_items

        digest.register_section("wiki", _("New wiki articles"), digest_items)
