from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnimationConfig(AppConfig):
    name = "cercle.animation"
    label = "animation"
    verbose_name = _("Animation")

    def ready(self) -> None:
        from cercle.animation import planning
        from cercle.animation.actions import publish_post
        from cercle.animation.models import PlannedPost

        planning.register(PlannedPost, on_publish=publish_post)
