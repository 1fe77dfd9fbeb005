from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The security log: what staff need to know about sign-ins, factors, roles,
    provisioning and data requests (docs/security-log.md, docs/sso.md)."""

    name = "cercle.audit"
    label = "audit"
    verbose_name = _("Security log")

    def ready(self) -> None:
        # allauth's and Django's sign-in, sign-out, password and address signals.
        from cercle.audit import receivers

        receivers.connect()
