"""Ending sessions, recorded in the security log (docs/two-factor.md, "Sessions").

`end_all_sessions` is the one way to sign a person out everywhere: staff use it from
the person's sessions page, and deprovisioning (SCIM) can call it too."""

from __future__ import annotations

from allauth.usersessions.models import UserSession
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from cercle import permissions
from cercle.accounts.models import User
from cercle.accounts.sessions import delete_sessions
from cercle.audit.log import record_security_event
from cercle.audit.models import SecurityKind
from cercle.errors import ActionRefused


def end_all_sessions(
    person: User, *, by: User | None, request: HttpRequest | None = None, reason: str = ""
) -> int:
    """Sign `person` out of every browser and device at once; returns how many
    sessions ended. No permission check: the caller decided (a staff page checks
    `permissions.mfa.may_end_sessions_of`, deprovisioning needs none)."""
    with transaction.atomic():
        ended = delete_sessions(person)
        record_security_event(
            SecurityKind.SESSIONS_ENDED,
            actor=by,
            subject=person,
            request=request,
            count=ended,
            scope="all",
            reason=reason or None,
        )
    return ended


def do_end_session(actor: User, session_id: int, *, request: HttpRequest) -> None:
    """End one of `actor`'s own sessions (another browser or device)."""
    row = UserSession.objects.filter(pk=session_id, user_id=actor.pk).first()
    if row is None or not permissions.mfa.may_end_sessions_of(actor, actor):
        raise ActionRefused(_("This session has ended already."))
    with transaction.atomic():
        current = row.session_key == request.session.session_key
        row.end()
        record_security_event(
            SecurityKind.SESSIONS_ENDED,
            actor=actor,
            subject=actor,
            request=request,
            count=1,
            scope="current" if current else "one",
        )


def do_end_other_sessions(actor: User, *, request: HttpRequest) -> int:
    """End every session of `actor` but the one making the request."""
    with transaction.atomic():
        ended = delete_sessions(actor, keep_session_key=request.session.session_key)
        record_security_event(
            SecurityKind.SESSIONS_ENDED,
            actor=actor,
            subject=actor,
            request=request,
            count=ended,
            scope="others",
        )
    return ended


def do_end_all_sessions_of(actor: User, person: User, *, request: HttpRequest) -> int:
    """Staff sign a person out everywhere (a lost laptop, a leaver)."""
    if not permissions.mfa.may_end_sessions_of(actor, person):
        raise ActionRefused(_("Only staff can end another person's sessions."))
    return end_all_sessions(person, by=actor, request=request, reason="staff")
