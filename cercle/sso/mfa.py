"""Two-factor sign-in around allauth.mfa: the security log of factor changes, and
whether the signed-in person still has to add a second factor (docs/two-factor.md).

Whether a person must use a second factor is worked out when they sign in (allauth's
`user_logged_in`, after its own second-factor step) and kept in their session, so that
the pages they open afterwards cost no query for it; it is worked out again in that
session when they add or remove a factor, or change a requirement themselves. A
requirement switched on while someone is signed in applies at their next sign-in
(staff can end their sessions to make it immediate)."""

from __future__ import annotations

from typing import Any

from allauth.mfa import signals
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest

from cercle import permissions
from cercle.accounts.models import User
from cercle.audit.log import record_security_event
from cercle.audit.models import SecurityKind

# True when the session's person must use a second factor and has none yet.
MISSING_FACTOR_KEY = "cercle_two_factor_missing"


def missing_second_factor(person: User) -> bool:
    return permissions.mfa.must_use_two_factor(person) and not is_mfa_enabled(person)


def note_requirement(request: HttpRequest, person: User) -> bool:
    """Work out again, for this session, whether `person` still has to add a factor."""
    missing = missing_second_factor(person)
    session = getattr(request, "session", None)
    if session is not None:
        session[MISSING_FACTOR_KEY] = missing
    return missing


def on_logged_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is not None:
        note_requirement(request, user)


def _person(request: HttpRequest | None, user: Any) -> User | None:
    return user if isinstance(user, User) else None


def on_authenticator_added(
    sender: Any, request: HttpRequest | None, user: Any, authenticator: Authenticator, **_: Any
) -> None:
    person = _person(request, user)
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        # Made with the first factor: the codes are new, not a factor of their own.
        record_security_event(
            SecurityKind.RECOVERY_CODES, actor=person, subject=person, request=request, how="first"
        )
    else:
        record_security_event(
            SecurityKind.FACTOR_ADDED,
            actor=person,
            subject=person,
            request=request,
            what=str(authenticator.type),
            name=_factor_name(authenticator),
        )
    if request is not None and person is not None:
        note_requirement(request, person)


def on_authenticator_removed(
    sender: Any, request: HttpRequest | None, user: Any, authenticator: Authenticator, **_: Any
) -> None:
    person = _person(request, user)
    record_security_event(
        SecurityKind.FACTOR_REMOVED,
        actor=person,
        subject=person,
        request=request,
        what=str(authenticator.type),
        name=_factor_name(authenticator),
    )
    if request is not None and person is not None:
        note_requirement(request, person)


def on_authenticator_reset(
    sender: Any, request: HttpRequest | None, user: Any, authenticator: Authenticator, **_: Any
) -> None:
    person = _person(request, user)
    record_security_event(
        SecurityKind.RECOVERY_CODES, actor=person, subject=person, request=request, how="new"
    )


def _factor_name(authenticator: Authenticator) -> str | None:
    if authenticator.type != Authenticator.Type.WEBAUTHN:
        return None
    name = (authenticator.data or {}).get("name")
    return str(name)[:100] if name else None


def connect() -> None:
    """Listen to allauth (called once, by the app's `ready`)."""
    user_logged_in.connect(on_logged_in, dispatch_uid="cercle.sso.mfa.logged_in")
    signals.authenticator_added.connect(on_authenticator_added, dispatch_uid="cercle.mfa.added")
    signals.authenticator_removed.connect(
        on_authenticator_removed, dispatch_uid="cercle.mfa.removed"
    )
    signals.authenticator_reset.connect(on_authenticator_reset, dispatch_uid="cercle.mfa.reset")
