"""The end of a SAML sign-in: allauth's assertion consumer, with Cercle's refusals.

allauth's ACS view stores the POSTed response and redirects to `saml_finish_acs`;
this view takes that URL's place (cercle.sso.urls is included before allauth's) and
does what allauth's does, plus:

- a refused response (unsigned, signed by another key, expired, meant for another
  service, malformed) shows a page that says why, signs nobody in, and writes an
  `SSO_REFUSED` row of the security log;
- an assertion already used is refused (replay): its ID is remembered in the cache
  until its own expiry plus the clock skew, which covers IdP-initiated sign-ins too.
"""

from __future__ import annotations

import binascii
import logging
import time
from typing import Any

from allauth.core.internal import httpkit
from allauth.socialaccount.helpers import complete_social_login
from allauth.socialaccount.providers.base.constants import AuthProcess
from allauth.socialaccount.providers.saml.utils import (
    build_auth,
    decode_relay_state,
    get_app_or_404,
    prepare_django_request,
)
from allauth.socialaccount.sessions import LoginSession
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views import View
from onelogin.saml2.errors import OneLogin_Saml2_ValidationError
from onelogin.saml2.response import OneLogin_Saml2_Response

from cercle.audit.log import record_security_event
from cercle.audit.models import SecurityKind
from cercle.sso.saml import CLOCK_SKEW_SECONDS

try:  # allauth 65.x: the views a signed-out person must reach
    from allauth.account.internal.decorators import login_not_required
except ImportError:  # pragma: no cover
    from django.contrib.auth.decorators import login_not_required

logger = logging.getLogger("cercle.sso")

_V = OneLogin_Saml2_ValidationError
UNSIGNED = {_V.NO_SIGNED_ASSERTION, _V.NO_SIGNED_MESSAGE, _V.NO_SIGNATURE_FOUND}
BAD_SIGNATURE = {
    _V.INVALID_SIGNATURE,
    _V.WRONG_SIGNED_ELEMENT,
    _V.ID_NOT_FOUND_IN_SIGNED_ELEMENT,
    _V.DUPLICATED_ID_IN_SIGNED_ELEMENTS,
    _V.INVALID_SIGNED_ELEMENT,
    _V.DUPLICATED_REFERENCE_IN_SIGNED_ELEMENTS,
    _V.UNEXPECTED_SIGNED_ELEMENTS,
    _V.WRONG_NUMBER_OF_SIGNATURES_IN_RESPONSE,
    _V.WRONG_NUMBER_OF_SIGNATURES_IN_ASSERTION,
    _V.WRONG_NUMBER_OF_SIGNATURES,
    _V.DEPRECATED_SIGNATURE_METHOD,
    _V.DEPRECATED_DIGEST_METHOD,
}
EXPIRED = {
    _V.ASSERTION_EXPIRED,
    _V.ASSERTION_TOO_EARLY,
    _V.RESPONSE_EXPIRED,
    _V.SESSION_EXPIRED,
    _V.WRONG_SUBJECTCONFIRMATION,
}

# What the refusal page says for each reason (the log keeps python3-saml's own words).
REASONS = {
    "unsigned": _(
        "The identity provider's answer was not signed. Cercle only accepts signed answers."
    ),
    "bad_signature": _(
        "The identity provider's answer was signed with a key Cercle does not know for it, "
        "or was changed after it was signed."
    ),
    "expired": _(
        "The identity provider's answer has expired, or is not valid yet. If it keeps "
        "happening, the clocks of the two servers may differ."
    ),
    "replayed": _("This answer of the identity provider has already been used."),
    "invalid": _("The identity provider's answer could not be accepted."),
    "missing": _("The sign-in took too long or was interrupted."),
    "status": _("The identity provider did not sign you in."),
}


def _classify(error: Exception) -> str:
    if isinstance(error, OneLogin_Saml2_ValidationError):
        code = error.code
        if code in UNSIGNED:
            return "unsigned"
        if code in BAD_SIGNATURE:
            return "bad_signature"
        if code in EXPIRED:
            return "expired"
        if code == _V.STATUS_CODE_IS_NOT_SUCCESS:
            return "status"
    return "invalid"


def refuse(
    request: HttpRequest, provider: Any, reason: str, error: str = "", **detail: Any
) -> HttpResponse:
    """The refusal page, with nobody signed in, and its row of the security log."""
    record_security_event(
        SecurityKind.SSO_REFUSED,
        request=request,
        provider=f"saml:{provider.app.client_id}",
        reason=reason,
        error=error[:300] or None,
        **detail,
    )
    logger.warning("SAML sign-in through %s refused: %s %s", provider.app.client_id, reason, error)
    return render(
        request,
        "sso/saml_refused.html",
        {"provider_name": provider.name, "reason": REASONS[reason], "reason_code": reason},
        status=403,
    )


def _first_use(app_id: str, assertion_id: str, not_on_or_after: float | None) -> bool:
    """True the first time an assertion is seen; remembered until it cannot be valid."""
    now = time.time()
    lifetime = (not_on_or_after or now + 3600) - now + CLOCK_SKEW_SECONDS
    key = f"sso.saml.used.{app_id}.{assertion_id}"
    return bool(cache.add(key, 1, timeout=max(int(lifetime), CLOCK_SKEW_SECONDS)))


class Refused(Exception):
    def __init__(self, reason: str, error: str = "", **detail: Any) -> None:
        super().__init__(reason)
        self.reason, self.error, self.detail = reason, error, detail


def _checked_auth(request: HttpRequest, provider: Any) -> tuple[Any, HttpRequest]:
    """The POST the ACS view kept, and python3-saml's auth holding its valid answer."""
    acs_session = LoginSession(request, "saml_acs_session", "saml-acs-session")
    acs_request_data = acs_session.store.get("request")
    acs_session.delete()
    if not acs_request_data:
        raise Refused("missing")
    acs_request = httpkit.deserialize_request(acs_request_data, HttpRequest())
    auth = build_auth(acs_request, provider)
    encoded = acs_request.POST.get("SAMLResponse", "")
    if not encoded:
        raise Refused("missing")
    try:
        response = OneLogin_Saml2_Response(auth.get_settings(), encoded)
        # InResponseTo is checked by the caller against the state allauth stashed.
        response.is_valid(prepare_django_request(acs_request), None, raise_exceptions=True)
    except (binascii.Error, ValueError) as error:
        raise Refused("invalid", str(error)) from error
    except Exception as error:  # python3-saml raises its own and lxml's errors
        raise Refused(_classify(error), str(error)) from error
    auth.store_valid_response(response)
    assertion_id = auth.get_last_assertion_id() or ""
    if not _first_use(
        provider.app.client_id, assertion_id, auth.get_last_assertion_not_on_or_after()
    ):
        raise Refused("replayed", assertion=assertion_id[:80])
    return auth, acs_request


@method_decorator(login_not_required, name="dispatch")
class FinishACSView(View):
    def dispatch(self, request: HttpRequest, organization_slug: str) -> HttpResponse:
        provider = get_app_or_404(request, organization_slug).get_provider(request)
        try:
            auth, acs_request = _checked_auth(request, provider)
            login = provider.sociallogin_from_response(request, auth)
            state_id = auth.get_last_response_in_response_to()
            if state_id:
                # SP-initiated: the answer must be to a request this browser sent.
                try:
                    login.state = provider.unstash_redirect_state(request, state_id)
                except PermissionDenied:
                    raise Refused("invalid", "no request of this browser") from None
            else:
                # IdP-initiated: accepted (docs/sso.md, "SAML 2.0"); the replay check holds.
                login.state["process"] = AuthProcess.LOGIN
                next_url = decode_relay_state(acs_request.POST.get("RelayState"))
                if next_url:
                    login.state["next"] = next_url
        except Refused as refusal:
            return refuse(request, provider, refusal.reason, refusal.error, **refusal.detail)
        response: HttpResponse = complete_social_login(request, login)
        return response


finish_acs = FinishACSView.as_view()
