from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedsConfig(AppConfig):
    """Atom and JSON Feed for a community, a space, a tag, a person's public activity
    and a search, filtered as the pages are; members-only content through a personal
    secret address (docs/api.md, "Feeds")."""

    name = "cercle.feeds"
    label = "feeds"
    verbose_name = _("Feeds")
