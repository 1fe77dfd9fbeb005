from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContestsConfig(AppConfig):
    name = "cercle.contests"
    label = "contests"
    verbose_name = _("Contests")

    def ready(self) -> None:
        from cercle.animation import planning
        from cercle.contests.models import Contest

        # Publishing a contest only makes it visible: its phases follow its dates.
        planning.register(Contest)
