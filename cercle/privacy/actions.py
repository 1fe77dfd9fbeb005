"""Every change about a person's data rights: exports asked, prepared, downloaded and
expired (docs/privacy.md)."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from cercle import permissions
from cercle.accounts.models import User
from cercle.audit.log import record_security_event
from cercle.audit.models import SecurityKind
from cercle.errors import ActionRefused
from cercle.mail.compose import compose
from cercle.mail.delivery import queue_email
from cercle.privacy import export
from cercle.privacy.models import DataExport, ExportStatus

logger = logging.getLogger(__name__)


def do_request_export(
    actor: User, person: User, *, request: HttpRequest | None = None
) -> DataExport:
    """Ask for a copy of `person`'s data, prepared in the background. The person asks
    for themselves; staff may ask for anyone. One export is prepared at a time."""
    if actor.pk != person.pk and not permissions.is_staff(actor):
        raise ActionRefused(_("You may only ask for your own data."))
    if DataExport.objects.filter(person=person, status=ExportStatus.PENDING).exists():
        raise ActionRefused(_("An export is already being prepared. It will be ready soon."))
    try:
        with transaction.atomic():
            data_export = DataExport.objects.create(person=person, requested_by=actor)
            record_security_event(
                SecurityKind.EXPORT_REQUESTED,
                actor=actor,
                subject=person,
                request=request,
                export=data_export.pk,
                by_staff=actor.pk != person.pk or None,
            )
            pk = data_export.pk
            transaction.on_commit(lambda: prepare_export_task.enqueue(pk))
    except IntegrityError:
        # Another request won the race for the one pending export.
        raise ActionRefused(
            _("An export is already being prepared. It will be ready soon.")
        ) from None
    return data_export


def prepare_export(export_id: int) -> DataExport | None:
    """Write the zip of a pending export, mark it ready and email its link. Idempotent:
    an export no longer pending is left as it is."""
    data_export = DataExport.objects.select_related("person").filter(pk=export_id).first()
    if data_export is None or data_export.status != ExportStatus.PENDING:
        return data_export
    person = data_export.person
    name = f"{person.pk}/cercle-export-{timezone.now():%Y%m%d}-{secrets.token_hex(12)}.zip"
    path = settings.CERCLE_EXPORTS_ROOT / name
    try:
        size = export.write_zip(person, path)
    except Exception:
        logger.exception("export %s of person %s failed", data_export.pk, person.pk)
        path.unlink(missing_ok=True)
        DataExport.objects.filter(pk=data_export.pk).update(status=ExportStatus.FAILED)
        data_export.status = ExportStatus.FAILED
        return data_export
    now = timezone.now()
    with transaction.atomic():
        data_export.status = ExportStatus.READY
        data_export.file = name
        data_export.size = size
        data_export.ready_at = now
        data_export.expires_at = now + timedelta(days=settings.CERCLE_EXPORT_DAYS)
        data_export.save(update_fields=["status", "file", "size", "ready_at", "expires_at"])
        queue_email(
            compose(
                "privacy/email/export_ready",
                person.email,
                {"person": person, "export": data_export},
                person.language,
            )
        )
    return data_export


def may_download(actor: User, data_export: DataExport) -> bool:
    """Only the person the export is about, signed in, may download it: staff who
    prepared it hand it over through the person's own account (docs/privacy.md)."""
    return (
        actor.is_authenticated
        and actor.pk == data_export.person_id
        and data_export.status == ExportStatus.READY
        and data_export.expires_at is not None
        and data_export.expires_at > timezone.now()
    )


def do_mark_downloaded(
    actor: User, data_export: DataExport, *, request: HttpRequest | None = None
) -> None:
    with transaction.atomic():
        data_export.downloaded_at = timezone.now()
        data_export.save(update_fields=["downloaded_at"])
        record_security_event(
            SecurityKind.EXPORT_DOWNLOADED,
            actor=actor,
            subject=data_export.person,
            request=request,
            export=data_export.pk,
        )


def expire_exports(now: datetime | None = None) -> int:
    """Delete the files of the exports past their date; the rows stay, as expired.
    Exports stuck pending for a day (a worker died) are marked failed, so that the
    person may ask again. Returns how many files went."""
    now = now or timezone.now()
    expired = 0
    for data_export in DataExport.objects.filter(status=ExportStatus.READY, expires_at__lte=now):
        path = data_export.path
        if path is not None:
            path.unlink(missing_ok=True)
        data_export.status = ExportStatus.EXPIRED
        data_export.file = ""
        data_export.save(update_fields=["status", "file"])
        expired += 1
    DataExport.objects.filter(
        status=ExportStatus.PENDING, created_at__lte=now - timedelta(days=1)
    ).update(status=ExportStatus.FAILED)
    return expired + _forget_orphans()


def _forget_orphans() -> int:
    """Delete the zips no export row names any more (an account deleted from the admin
    site takes its rows with it): a file is never kept past its row."""
    root = Path(settings.CERCLE_EXPORTS_ROOT)
    if not root.is_dir():
        return 0
    named = set(DataExport.objects.exclude(file="").values_list("file", flat=True))
    # A zip being written has no row naming it yet: only old files are orphans.
    before = timezone.now().timestamp() - 6 * 3600
    gone = 0
    for path in root.glob("*/*.zip"):
        if path.relative_to(root).as_posix() not in named and path.stat().st_mtime < before:
            path.unlink(missing_ok=True)
            gone += 1
    return gone


@task(queue_name="default")
def prepare_export_task(export_id: int) -> str:
    """Prepare one data export's zip in the background and email its link."""
    data_export = prepare_export(export_id)
    return data_export.status if data_export is not None else "gone"
