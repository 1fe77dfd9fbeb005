from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The public REST API, /api/v1/ (docs/api.md): thin endpoints over the same actions,
    queries and permissions package as the pages, personal access tokens, and the spec
    in OpenAPI 3.1 generated from the code by django-ninja."""

    name = "cercle.api"
    label = "api"
    verbose_name = _("API")
