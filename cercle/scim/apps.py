from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScimConfig(AppConfig):
    """SCIM 2.0 provisioning: the organisation's directory creates, updates,
    deactivates and deletes people and groups (docs/sso.md, "Provisioning")."""

    name = "cercle.scim"
    label = "scim"
    verbose_name = _("Provisioning (SCIM)")
