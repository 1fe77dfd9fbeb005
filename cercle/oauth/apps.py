from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OauthConfig(AppConfig):
    """OAuth 2.0 for third-party applications (authorization code with PKCE, by
    django-oauth-toolkit): staff register applications, members consent, the API reads
    the bearer tokens through `cercle.oauth.bearer` (docs/api.md)."""

    name = "cercle.oauth"
    label = "oauth"
    verbose_name = _("OAuth applications")
