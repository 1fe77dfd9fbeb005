"""A person's request for a copy of their data (GDPR articles 15 and 20).

The zip itself lives under `settings.CERCLE_EXPORTS_ROOT` (outside MEDIA_ROOT: it is
never served as a static file), named by `file`; only `views.download` hands it out,
to the person it is about. It is deleted when it expires (`cercle expire_data_exports`,
run daily by `cercle periodic`); the row stays, as the record that it existed.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Being prepared")
    READY = "ready", _("Ready to download")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


class DataExport(models.Model):
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="data_exports",
        verbose_name=_("person"),
    )
    # Who asked: the person, or a staff member on their behalf.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    # The zip's name under CERCLE_EXPORTS_ROOT; empty until ready and once deleted.
    file = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    ready_at = models.DateTimeField(_("ready"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    downloaded_at = models.DateTimeField(_("downloaded"), null=True, blank=True)

    class Meta:
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        ordering: ClassVar[list[str]] = ["-created_at", "-pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            # One export being prepared at a time per person (the database says so,
            # whatever the number of web workers).
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status="pending"),
                name="one_pending_export_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"export {self.pk} of {self.person_id} ({self.status})"

    @property
    def path(self) -> Path | None:
        if not self.file:
            return None
        return Path(settings.CERCLE_EXPORTS_ROOT) / self.file

    @property
    def is_ready(self) -> bool:
        return self.status == ExportStatus.READY
