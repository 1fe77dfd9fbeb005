from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from cercle import sections


class UiConfig(AppConfig):
    name = "cercle.ui"
    label = "ui"
    verbose_name = _("User interface")

    def ready(self) -> None:
        # Every app's page sections (cercle/sections.py), once all apps are loaded.
        sections.discover()
