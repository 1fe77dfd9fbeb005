from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunitiesConfig(AppConfig):
    """Communities, spaces, memberships and invitations: the data and its typology.
    What people do with them (and the pages) is `cercle.membership`."""

    name = "cercle.communities"
    label = "communities"
    verbose_name = _("Communities")
