from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "cercle.activities"
    label = "activities"
    verbose_name = _("Polls, quizzes and challenges")

    def ready(self) -> None:
        from cercle.activities.actions import announce
        from cercle.activities.models import Challenge, Poll, Quiz
        from cercle.animation import planning

        # Published, each is announced to the members who read its space.
        for model in (Poll, Quiz, Challenge):
            planning.register(model, on_publish=announce)
