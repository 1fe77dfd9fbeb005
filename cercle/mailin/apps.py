from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailInConfig(AppConfig):
    name = "cercle.mailin"
    label = "mailin"
    verbose_name = _("Mail in")

    def ready(self) -> None:
        from cercle.mailin import queries
        from cercle.notifications import hooks as notification_hooks

        # Emails about a topic say where new topics of its space may be sent (List-Post).
        notification_hooks.space_post_address.register(queries.space_post_address)
