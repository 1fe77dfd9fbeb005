from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PersonasConfig(AppConfig):
    name = "cercle.personas"
    label = "personas"
    verbose_name = _("Personas")

    def ready(self) -> None:
        from cercle.conversations import hooks
        from cercle.personas.queries import speakable

        # The composer's "Post as" choice: the personas the writer may speak as here.
        hooks.post_as_choices.register(speakable)
