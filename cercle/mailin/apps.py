from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailInConfig(AppConfig):
    name = "cercle.mailin"
    label = "mailin"
    verbose_name = _("Mail in")
