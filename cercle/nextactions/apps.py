from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NextActionsConfig(AppConfig):
    name = "cercle.nextactions"
    label = "nextactions"
    verbose_name = _("Next actions")
