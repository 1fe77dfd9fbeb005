from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "cercle.events"
    label = "events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from cercle.animation import planning
        from cercle.events.actions import open_discussion
        from cercle.events.models import Event
        from cercle.events.queries import digest_items
        from cercle.notifications import digest

        # Announced, an event opens its discussion in its space.
        planning.register(Event, on_publish=open_discussion)
        digest.register_section("events", _("Upcoming events"), digest_items)
