from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunitiesConfig(AppConfig):
    name = "cercle.communities"
    label = "communities"
    verbose_name = _("Communities")

    def ready(self) -> None:
        from cercle.communities import signals  # noqa: F401 - connects receivers
