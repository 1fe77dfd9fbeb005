"""What Cercle keeps beside django-oauth-toolkit's own tables: the scopes staff allow
each application to ask for (DOT's Application has no such field; its scopes backend,
`cercle.oauth.scopes.ApplicationScopes`, reads this row)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from oauth2_provider.settings import oauth2_settings


class AllowedScopes(models.Model):
    application = models.OneToOneField(
        oauth2_settings.APPLICATION_MODEL,
        on_delete=models.CASCADE,
        related_name="allowed_scopes",
        verbose_name=_("application"),
    )
    # Space-separated scope names, as OAuth writes them ("read write").
    scopes = models.CharField(_("allowed scopes"), max_length=100, default="read")

    class Meta:
        verbose_name = _("allowed scopes")
        verbose_name_plural = _("allowed scopes")

    def __str__(self) -> str:
        return f"{self.application_id}: {self.scopes}"

    @property
    def names(self) -> list[str]:
        return self.scopes.split()
