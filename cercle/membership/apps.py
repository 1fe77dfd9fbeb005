from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembershipConfig(AppConfig):
    """The life of a community as a group: creating it, joining, leaving, invitations,
    roles, spaces' settings, and its own pages (directory, landing, management). Its
    data lives in `cercle.communities`, below the permissions package; this app asks
    that package and so sits above it (docs/architecture.md)."""

    name = "cercle.membership"
    label = "membership"
    verbose_name = _("Membership")

    def ready(self) -> None:
        from cercle.membership import signals  # noqa: F401 - connects receivers
