"""Every write of OAuth applications: staff register, change and delete them; a person
consents to one and revokes its access. django-oauth-toolkit writes the grants and
tokens themselves (its authorize and token endpoints).

Each function runs in one transaction with its row of the security log, so a change
rolled back leaves no row saying it happened (docs/api.md)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken, Application, Grant, RefreshToken

from cercle import permissions
from cercle.audit.log import record_security_event
from cercle.audit.models import SecurityKind
from cercle.errors import ActionRefused
from cercle.oauth.models import AllowedScopes
from cercle.oauth.scopes import SCOPE_NAMES

if TYPE_CHECKING:
    from cercle.accounts.models import User


@dataclass(frozen=True)
class Registration:
    """What staff fill in for an application."""

    name: str
    redirect_uris: list[str]
    confidential: bool
    scopes: list[str]


def _check_staff(actor: User) -> None:
    if not permissions.oauth.may_manage_oauth_applications(actor):
        raise ActionRefused(_("Only staff manage OAuth applications."))


# The hosts an http:// redirect URI may name: a native app's loopback callback (RFC 8252).
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


def _checked(registration: Registration) -> Registration:
    name = registration.name.strip()
    if not name:
        raise ActionRefused(_("Give the application a name: people see it when they consent."))
    uris = [uri.strip() for uri in registration.redirect_uris if uri.strip()]
    if not uris:
        raise ActionRefused(_("Give at least one redirect URI."))
    for uri in uris:
        parts = urlsplit(uri)
        if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
            raise ActionRefused(
                _(
                    "A redirect URI uses https://, or http:// only to this device "
                    "(127.0.0.1, [::1], localhost) for an app on a computer: %(uri)s"
                )
                % {"uri": uri}
            )
    scopes = [name for name in SCOPE_NAMES if name in registration.scopes]
    if not scopes:
        raise ActionRefused(_("Allow at least one scope."))
    return Registration(name[:255], uris, registration.confidential, scopes)


def _validate_uris(application: Application) -> None:
    """DOT's own check of the redirect URIs (absolute, an allowed scheme, no fragment)."""
    try:
        application.clean()
    except ValidationError as error:
        messages = error.message_dict.get("redirect_uris") or error.messages
        raise ActionRefused(
            _("A redirect URI is not valid: %(reason)s") % {"reason": " ".join(messages)}
        ) from error


def do_register_application(
    actor: User, registration: Registration, *, request: HttpRequest | None = None
) -> tuple[Application, str]:
    """Register an application (authorization code with PKCE, never anything else) and
    return it with its client secret: shown once (a confidential client's), stored
    hashed by django-oauth-toolkit. A public client gets no secret ("")."""
    _check_staff(actor)
    registration = _checked(registration)
    secret = (
        generate_client_secret()  # type: ignore[no-untyped-call]
        if registration.confidential
        else ""
    )
    application = Application(
        name=registration.name,
        redirect_uris=" ".join(registration.redirect_uris),
        client_type=(
            Application.CLIENT_CONFIDENTIAL
            if registration.confidential
            else Application.CLIENT_PUBLIC
        ),
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        client_secret=secret,
        hash_client_secret=True,
        skip_authorization=False,
        algorithm=Application.NO_ALGORITHM,
    )
    _validate_uris(application)
    with transaction.atomic():
        application.save()
        AllowedScopes.objects.create(application=application, scopes=" ".join(registration.scopes))
        record_security_event(
            SecurityKind.OAUTH_APP_REGISTERED,
            actor=actor,
            request=request,
            application=application.pk,
            name=application.name,
            client_type=application.client_type,
            scopes=" ".join(registration.scopes),
        )
    return application, secret


def do_update_application(
    actor: User,
    application: Application,
    registration: Registration,
    *,
    request: HttpRequest | None = None,
) -> Application:
    """Change an application's name, redirect URIs and allowed scopes (its client type
    and credentials stay: a new type is a new registration). Tokens already given
    keep the scopes they were given; new requests get the new ones."""
    _check_staff(actor)
    registration = _checked(registration)
    application.name = registration.name
    application.redirect_uris = " ".join(registration.redirect_uris)
    _validate_uris(application)
    with transaction.atomic():
        application.save(update_fields=["name", "redirect_uris", "updated"])
        AllowedScopes.objects.update_or_create(
            application=application, defaults={"scopes": " ".join(registration.scopes)}
        )
        record_security_event(
            SecurityKind.OAUTH_APP_CHANGED,
            actor=actor,
            request=request,
            application=application.pk,
            name=application.name,
            scopes=" ".join(registration.scopes),
        )
    return application


def do_delete_application(
    actor: User, application: Application, *, request: HttpRequest | None = None
) -> None:
    """Delete an application: every grant and token it holds goes with it, so it can
    no longer call the API for anyone."""
    _check_staff(actor)
    with transaction.atomic():
        record_security_event(
            SecurityKind.OAUTH_APP_DELETED,
            actor=actor,
            request=request,
            application=application.pk,
            name=application.name,
            client_id=application.client_id,
        )
        application.delete()


def record_consent(
    person: User, application: Application, scopes: Iterable[str], *, request: HttpRequest
) -> None:
    """The person allowed `application` on the consent screen (django-oauth-toolkit
    then writes the grant)."""
    record_security_event(
        SecurityKind.OAUTH_APP_AUTHORIZED,
        actor=person,
        subject=person,
        request=request,
        application=application.pk,
        name=application.name,
        scopes=" ".join(scopes),
    )


def do_revoke_authorization(
    actor: User, application: Application, *, request: HttpRequest | None = None
) -> int:
    """Take back everything `application` holds for the actor: access tokens, refresh
    tokens and unused codes are deleted, so its next API call is refused. How many
    tokens went (0: it held none, and nothing is logged)."""
    if not permissions.oauth.may_revoke_authorization(actor, actor):
        raise ActionRefused(_("Log in to revoke an application's access."))
    with transaction.atomic():
        refresh = RefreshToken.objects.filter(user=actor, application=application)
        access = AccessToken.objects.filter(user=actor, application=application)
        count = access.count() + refresh.count()
        # Refresh tokens first: an access token points at the one it came from.
        refresh.delete()
        access.delete()
        Grant.objects.filter(user=actor, application=application).delete()
        if count:
            record_security_event(
                SecurityKind.OAUTH_APP_REVOKED,
                actor=actor,
                subject=actor,
                request=request,
                application=application.pk,
                name=application.name,
            )
    return count
