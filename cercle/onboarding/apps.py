from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnboardingConfig(AppConfig):
    name = "cercle.onboarding"
    label = "onboarding"
    verbose_name = _("Onboarding")

    def ready(self) -> None:
        from cercle.communities import hooks
        from cercle.onboarding.actions import welcome_newcomer

        # Whoever becomes an active member, however they joined, is welcomed.
        hooks.member_joined.register(welcome_newcomer)
