from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BridgesConfig(AppConfig):
    """Chat bridges: a community's space or tag posted into a Slack, Microsoft Teams or
    Mattermost channel, or a Matrix room (docs/api.md)."""

    name = "cercle.bridges"
    label = "bridges"
    verbose_name = _("Chat bridges")

    def ready(self) -> None:
        from cercle.activity import log
        from cercle.bridges import receivers

        # What the actions record leaves for the chats once they commit.
        log.event_recorded.register(receivers.on_event_recorded)
