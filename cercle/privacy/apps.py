from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """A person's data rights: export of everything about them, erasure
    (docs/privacy.md)."""

    name = "cercle.privacy"
    label = "privacy"
    verbose_name = _("Privacy")
