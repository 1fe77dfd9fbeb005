from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivityConfig(AppConfig):
    """The activity log: the low layer every action writes and analytics reads."""

    name = "cercle.activity"
    label = "activity"
    verbose_name = _("Activity log")
