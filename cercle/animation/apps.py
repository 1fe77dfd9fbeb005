from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnimationConfig(AppConfig):
    name = "cercle.animation"
    label = "animation"
    verbose_name = _("Animation")

    def ready(self) -> None:
        # Registered here rather than with the decorator: `planning` imports this
        # app's models module, which defines the planned post.
        from cercle.animation import planning  # noqa: PLC0415 - the app registry is ready
        from cercle.animation.models import PlannedPost  # noqa: PLC0415

        planning.register(PlannedPost)
