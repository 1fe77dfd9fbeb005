from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The security log: what staff need to know about sign-ins, factors, roles,
    provisioning and data requests (docs/privacy.md, docs/sso.md)."""

    name = "cercle.audit"
    label = "audit"
    verbose_name = _("Security log")
