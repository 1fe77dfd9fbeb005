"""The one way to write the security log."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

from cercle.audit.models import SecurityEvent, SecurityKind

if TYPE_CHECKING:
    from cercle.accounts.models import User

logger = logging.getLogger("cercle.security")


def _client_ip(request: HttpRequest) -> str | None:
    # The address the server saw; a reverse proxy's X-Forwarded-For is trusted only
    # where the deployment sets REMOTE_ADDR from it (docs/configuration.md).
    address = request.META.get("REMOTE_ADDR") or None
    return str(address) if address else None


def record_security_event(
    kind: SecurityKind | str,
    *,
    actor: User | None = None,
    subject: User | None = None,
    subject_label: str = "",
    request: HttpRequest | None = None,
    **detail: Any,
) -> SecurityEvent:
    """Write one row of the security log (inside the caller's transaction, so that
    a change rolled back leaves no row saying it happened)."""
    kind = SecurityKind(kind)  # an undeclared kind is refused (ValueError)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    label = subject_label or (subject.email if subject is not None else "")
    event = SecurityEvent.objects.create(
        kind=kind,
        actor=actor,
        subject=subject,
        subject_label=label[:254],
        ip_address=_client_ip(request) if request is not None else None,
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[:300],
        detail={key: value for key, value in detail.items() if value is not None},
    )
    logger.info("security %s about %s by %s %s", kind, label, getattr(actor, "pk", None), detail)
    return event
