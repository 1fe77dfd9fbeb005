"""What allauth and Django's authentication do, written to the security log.

Connected in `AuditConfig.ready()`. Each receiver writes one row through
`record_security_event`, with the request's IP address and device. Sign-ins through
an identity provider (allauth's `sociallogin`) are written by `cercle.sso`, as
`SSO_SIGN_IN`, with the provider and what the mapping did: here only the other
sign-ins (password, a code sent by email, a passkey), so that no sign-in is written
twice. A failed sign-in names the address that was typed, never the password.
"""

from __future__ import annotations

from typing import Any

from allauth.account import signals as account_signals
from allauth.account.authentication import get_authentication_records
from allauth.account.models import EmailAddress
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals
from django.http import HttpRequest

from cercle.accounts.models import User
from cercle.audit.log import record_security_event
from cercle.audit.models import SecurityKind

# allauth's names for how a person proved who they are, as the log shows them
# (cercle/audit/describe.py puts them in words).
FIRST_FACTORS = {"password", "code", "passkey"}


def _as_user(value: object) -> User | None:
    return value if isinstance(value, User) and value.pk is not None else None


def _person_with_address(address: str) -> User | None:
    """The account an address typed in the sign-in form belongs to, if any."""
    if not address:
        return None
    owner = (
        EmailAddress.objects.filter(email__iexact=address)
        .select_related("user")
        .order_by("-primary", "-verified")
        .first()
    )
    if owner is not None:
        return _as_user(owner.user)
    return User.objects.filter(email__iexact=address).first()


def _how(request: HttpRequest | None, user: User) -> dict[str, str]:
    """The first factor and the second, from allauth's records of this session."""
    if request is None or not hasattr(request, "session"):
        return {}
    method = ""
    second = ""
    for record in get_authentication_records(request, user):
        kind = str(record.get("method", ""))
        if kind == "mfa":
            # A passkey used alone is a first factor; a code or key after a password
            # is the second.
            if record.get("passwordless"):
                method = "passkey"
            else:
                second = str(record.get("type", ""))
        elif kind in FIRST_FACTORS:
            method = kind
    how = {"method": method}
    if second:
        how["second_factor"] = second
    return {key: value for key, value in how.items() if value}


def signed_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if kwargs.get("sociallogin") is not None:
        return  # cercle.sso writes SSO_SIGN_IN, with the provider
    person = _as_user(user)
    if person is None:
        return
    record_security_event(
        SecurityKind.SIGN_IN, actor=person, subject=person, request=request, **_how(request, person)
    )


def sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Django masks the password (and anything secret) in `credentials`; only the
    # address is read, and kept as typed (trimmed, cut to the column's length).
    typed = str(credentials.get("email") or credentials.get("username") or "").strip()[:254]
    record_security_event(
        SecurityKind.SIGN_IN_FAILED,
        subject=_person_with_address(typed),
        subject_label=typed,
        request=request,
        method="password",
    )


def code_rejected(
    sender: Any, request: HttpRequest, user: Any, last_attempt: bool = False, **kwargs: Any
) -> None:
    person = _as_user(user)
    record_security_event(
        SecurityKind.SIGN_IN_FAILED,
        subject=person,
        request=request,
        method="code",
        last_attempt=True if last_attempt else None,
    )


def second_factor_failed(
    sender: Any, request: HttpRequest, user: Any, authenticator: Any = None, **kwargs: Any
) -> None:
    person = _as_user(user)
    record_security_event(
        SecurityKind.SIGN_IN_FAILED,
        subject=person,
        request=request,
        method="second_factor",
        second_factor=str(getattr(authenticator, "type", "")) or None,
        reauthentication=True if kwargs.get("reauthentication") else None,
    )


def signed_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    person = _as_user(user)
    if person is None:
        return  # a visitor who was not signed in
    record_security_event(SecurityKind.SIGN_OUT, actor=person, subject=person, request=request)


def _own_change(kind: SecurityKind) -> Any:
    def receiver(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
        person = _as_user(user)
        if person is not None:
            record_security_event(kind, actor=person, subject=person, request=request)

    return receiver


password_changed = _own_change(SecurityKind.PASSWORD_CHANGED)
password_set = _own_change(SecurityKind.PASSWORD_SET)


def password_reset(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    # Reset from a link or code sent by email: the person is not signed in, so the log
    # names them as the subject, and as the actor (they held the link).
    person = _as_user(user)
    if person is not None:
        record_security_event(
            SecurityKind.PASSWORD_RESET, actor=person, subject=person, request=request
        )


def _email(kind: SecurityKind, field: str) -> Any:
    def receiver(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
        address = kwargs.get(field)
        person = _as_user(kwargs.get("user")) or _as_user(getattr(address, "user", None))
        if person is None:
            return
        signed_in_user = getattr(request, "user", None) if request is not None else None
        record_security_event(
            kind,
            actor=signed_in_user if _as_user(signed_in_user) else None,
            subject=person,
            request=request,
            address=getattr(address, "email", None),
        )

    return receiver


email_added = _email(SecurityKind.EMAIL_ADDED, "email_address")
email_confirmed = _email(SecurityKind.EMAIL_CONFIRMED, "email_address")
email_removed = _email(SecurityKind.EMAIL_REMOVED, "email_address")


def email_changed(
    sender: Any,
    request: HttpRequest | None,
    user: Any,
    from_email_address: Any = None,
    to_email_address: Any = None,
    **kwargs: Any,
) -> None:
    person = _as_user(user)
    if person is None:
        return
    record_security_event(
        SecurityKind.EMAIL_CHANGED,
        actor=person,
        subject=person,
        request=request,
        previous_address=getattr(from_email_address, "email", None),
        address=getattr(to_email_address, "email", None),
    )


def signed_up(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if kwargs.get("sociallogin") is not None:
        return  # cercle.sso writes ACCOUNT_CREATED, with the provider
    person = _as_user(user)
    if person is not None:
        record_security_event(
            SecurityKind.ACCOUNT_CREATED,
            actor=person,
            subject=person,
            request=request,
            method="signup",
        )


def connect() -> None:
    """Connect every receiver, once (each under its own `dispatch_uid`)."""
    receivers: dict[str, tuple[Any, Any]] = {
        "signed_in": (account_signals.user_logged_in, signed_in),
        "sign_in_failed": (auth_signals.user_login_failed, sign_in_failed),
        "code_rejected": (account_signals.login_code_rejected, code_rejected),
        "second_factor_failed": (mfa_signals.authentication_failed, second_factor_failed),
        "signed_out": (auth_signals.user_logged_out, signed_out),
        "password_changed": (account_signals.password_changed, password_changed),
        "password_set": (account_signals.password_set, password_set),
        "password_reset": (account_signals.password_reset, password_reset),
        "email_added": (account_signals.email_added, email_added),
        "email_confirmed": (account_signals.email_confirmed, email_confirmed),
        "email_removed": (account_signals.email_removed, email_removed),
        "email_changed": (account_signals.email_changed, email_changed),
        "signed_up": (account_signals.user_signed_up, signed_up),
    }
    for name, (signal, receiver) in receivers.items():
        signal.connect(receiver, dispatch_uid=f"cercle.audit.{name}", weak=False)
