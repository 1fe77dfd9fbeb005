from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnimationConfig(AppConfig):
    name = "cercle.animation"
    label = "animation"
    verbose_name = _("Animation")
