from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    """Webhooks: endpoints a coordinator (for a community) or staff (for the instance)
    registers, told of what happens as the Standard Webhooks specification says, by the
    background worker, only about what the endpoint's owner may read (docs/api.md)."""

    name = "cercle.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from cercle.activity.log import event_recorded
        from cercle.webhooks.receivers import on_event_recorded

        # What the actions record becomes deliveries to the endpoints told of it.
        event_recorded.register(on_event_recorded)
