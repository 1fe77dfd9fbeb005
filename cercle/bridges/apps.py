from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BridgesConfig(AppConfig):
    """Chat bridges: a community's space or tag posted into a Slack, Microsoft Teams or
    Mattermost channel, or a Matrix room (docs/api.md, "Chat bridges")."""

    name = "cercle.bridges"
    label = "bridges"
    verbose_name = _("Chat bridges")
