from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class PeriodicConfig(AppConfig):
    name = "cercle.periodic"
    label = "periodic"
    verbose_name = _("Scheduled jobs")

    def ready(self) -> None:
        from datetime import time

        from cercle.periodic.registry import Daily, Job, register

        # The project's own housekeeping (`cercle/management/commands`).
        register(Job("forget-form-tokens", Daily(at=time(4)), ("forget_form_tokens",)))
        # Each app's `periodic.py` registers its jobs: the scheduler names no feature.
        autodiscover_modules("periodic")
