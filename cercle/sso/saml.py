"""SAML 2.0 identity providers configured by the operator (docs/sso.md, "SAML 2.0").

`CERCLE_SAML_PROVIDERS` holds a JSON list, one object for each identity provider.
`saml_apps()` reads and checks it at start-up and returns the entries of
`SOCIALACCOUNT_PROVIDERS["saml"]["APPS"]` that allauth's SAML provider serves; a bad
entry stops Cercle with a message naming the provider and the field.

What Cercle always requires, whatever the entry says: the IdP signs its assertions
(python3-saml's `wantAssertionsSigned`), responses are checked strictly (audience,
destination, recipient, timestamps), deprecated algorithms (SHA-1) are refused.
IdP-initiated sign-in is accepted; the replay of an assertion is refused by
`cercle.sso.saml_views`. Timestamps tolerate `CLOCK_SKEW_SECONDS` of clock difference.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

ENV_NAME = "CERCLE_SAML_PROVIDERS"

# python3-saml's tolerance on the assertion's <Conditions NotBefore/NotOnOrAfter>
# (OneLogin_Saml2_Constants.ALLOWED_CLOCK_DRIFT): 5 minutes. docs/sso.md, "SAML 2.0" says it.
CLOCK_SKEW_SECONDS = 300

# The attributes Cercle reads, and the names identity providers commonly give them.
# An entry's "attributes" replaces the names of the keys it gives.
DEFAULT_ATTRIBUTES: dict[str, list[str]] = {
    "uid": [
        "urn:oasis:names:tc:SAML:attribute:subject-id",
        "http://schemas.microsoft.com/identity/claims/objectidentifier",
        "urn:oid:0.9.2342.19200300.100.1.1",
        "uid",
    ],
    "email": [
        "email",
        "mail",
        "urn:oid:0.9.2342.19200300.100.1.3",
        "urn:oid:1.2.840.113549.1.9.1",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
    ],
    "email_verified": ["email_verified", "http://schemas.auth0.com/email_verified"],
    "name": [
        "name",
        "displayName",
        "urn:oid:2.16.840.1.113730.3.1.241",
        "http://schemas.microsoft.com/identity/claims/displayname",
    ],
    "first_name": [
        "givenName",
        "urn:oid:2.5.4.42",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
    ],
    "last_name": [
        "sn",
        "urn:oid:2.5.4.4",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
    ],
    "groups": [
        "groups",
        "memberOf",
        "isMemberOf",
        "urn:oid:1.3.6.1.4.1.5923.1.5.1.1",
        "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
    ],
    "department": [
        "department",
        "urn:oid:2.5.4.11",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/department",
    ],
}

_FIELDS = {
    "id",
    "name",
    "organisation",
    "metadata_url",
    "metadata_file",
    "entity_id",
    "sso_url",
    "slo_url",
    "x509cert",
    "x509cert_file",
    "attributes",
    "sp_entity_id",
    "sp_key_file",
    "sp_cert_file",
    "want_messages_signed",
    "metadata_timeout",
}
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


def _fail(where: str, message: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"{ENV_NAME}: {where}: {message}")


def _text(entry: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> str:
    value = entry.get(key)
    if value is None or value == "":
        if required:
            raise _fail(where, f'"{key}" is missing.')
        return ""
    if not isinstance(value, str):
        raise _fail(where, f'"{key}" must be a string.')
    return value.strip()


def _flag(entry: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
    value = entry.get(key, default)
    if not isinstance(value, bool):
        raise _fail(where, f'"{key}" must be true or false.')
    return value


def _url(entry: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> str:
    value = _text(entry, key, where, required=required)
    if value and not re.match(r"^https?://[^\s/]+", value):
        raise _fail(where, f'"{key}" must be an http:// or https:// URL, not {value!r}.')
    return value


def _read(entry: Mapping[str, Any], key: str, where: str) -> str:
    path = _text(entry, key, where)
    if not path:
        return ""
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise _fail(where, f'"{key}" {path!r} cannot be read ({error.strerror}).') from None


def _pem_body(text: str) -> str:
    """A certificate as python3-saml wants it: the base64 body on one line."""
    lines = [line.strip() for line in text.strip().splitlines()]
    return "".join(line for line in lines if line and not line.startswith("-----"))


def _attributes(entry: Mapping[str, Any], where: str) -> dict[str, list[str]]:
    given = entry.get("attributes", {})
    if not isinstance(given, dict):
        raise _fail(where, '"attributes" must be an object such as {"email": "mail"}.')
    mapping = {key: list(names) for key, names in DEFAULT_ATTRIBUTES.items()}
    for key, given_names in given.items():
        names = [given_names] if isinstance(given_names, str) else given_names
        if key not in DEFAULT_ATTRIBUTES:
            raise _fail(
                where,
                f'"attributes" has an unknown key {key!r}: use '
                f"{', '.join(sorted(DEFAULT_ATTRIBUTES))}.",
            )
        if isinstance(names, str):
            names = [names]
        if (
            not isinstance(names, list)
            or not names
            or not all(isinstance(name, str) and name for name in names)
        ):
            raise _fail(where, f'"attributes.{key}" must be an attribute name or a list of them.')
        mapping[key] = names
    return mapping


def _idp_from_metadata(xml: str, entity_id: str, where: str) -> dict[str, Any]:
    try:
        parsed = OneLogin_Saml2_IdPMetadataParser.parse(xml, entity_id=entity_id or None)
    except Exception as error:  # any parse failure is the operator's to fix
        raise _fail(where, f'"metadata_file" is not SAML metadata ({error}).') from None
    idp = parsed.get("idp", {})
    certificate = idp.get("x509cert") or next(
        iter(idp.get("x509certMulti", {}).get("signing", [])), ""
    )
    sso_url = idp.get("singleSignOnService", {}).get("url", "")
    if not idp.get("entityId") or not sso_url or not certificate:
        raise _fail(
            where,
            '"metadata_file" lacks the IdP\'s entityID, its SingleSignOnService URL '
            "or its signing certificate.",
        )
    result = {"entity_id": idp["entityId"], "sso_url": sso_url, "x509cert": certificate}
    slo_url = idp.get("singleLogoutService", {}).get("url")
    if slo_url:
        result["slo_url"] = slo_url
    return result


def _idp(entry: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Where the IdP is and which certificate signs its assertions."""
    metadata_url = _url(entry, "metadata_url", where)
    metadata_file = _text(entry, "metadata_file", where)
    entity_id = _text(entry, "entity_id", where)
    sources = [bool(metadata_url), bool(metadata_file), bool(_text(entry, "sso_url", where))]
    if sum(sources) != 1:
        raise _fail(
            where,
            'give exactly one of "metadata_url", "metadata_file", or "entity_id" with '
            '"sso_url" and "x509cert" (or "x509cert_file").',
        )
    idp: dict[str, Any]
    if metadata_url:
        timeout = entry.get("metadata_timeout", 10)
        if not isinstance(timeout, int) or isinstance(timeout, bool) or not 1 <= timeout <= 120:
            raise _fail(where, '"metadata_timeout" must be a number of seconds from 1 to 120.')
        # Fetched by allauth at the first sign-in, then kept 4 hours in the cache.
        idp = {
            "metadata_url": metadata_url,
            "entity_id": entity_id or None,
            "metadata_request_timeout": timeout,
        }
    elif metadata_file:
        idp = _idp_from_metadata(_read(entry, "metadata_file", where), entity_id, where)
    else:
        if not entity_id:
            raise _fail(where, '"entity_id" is missing (needed with "sso_url").')
        certificate = _text(entry, "x509cert", where) or _read(entry, "x509cert_file", where)
        if not certificate:
            raise _fail(where, '"x509cert" or "x509cert_file" is missing (needed with "sso_url").')
        idp = {
            "entity_id": entity_id,
            "sso_url": _url(entry, "sso_url", where, required=True),
            "x509cert": _pem_body(certificate),
        }
        slo_url = _url(entry, "slo_url", where)
        if slo_url:
            idp["slo_url"] = slo_url
    return idp


def _app(entry: Any, index: int) -> dict[str, Any]:
    where = f"provider {index + 1}"
    if not isinstance(entry, dict):
        raise _fail(where, "each provider must be a JSON object.")
    provider_id = _text(entry, "id", where, required=True)
    where = f'provider "{provider_id}"'
    if not _ID.match(provider_id):
        raise _fail(
            where,
            '"id" must be 1 to 40 lower-case letters, digits, "-" or "_" '
            "(it appears in the URLs given to the identity provider).",
        )
    unknown = sorted(set(entry) - _FIELDS)
    if unknown:
        raise _fail(where, f"unknown field(s) {', '.join(unknown)}.")
    name = _text(entry, "name", where) or provider_id

    idp = _idp(entry, where)

    advanced: dict[str, Any] = {
        "strict": True,
        # Signed assertions are required: an unsigned one, or one signed by another key,
        # is refused. Signing the whole response as well can be required per IdP.
        "want_assertion_signed": True,
        "want_message_signed": _flag(entry, "want_messages_signed", where, False),
        "reject_deprecated_algorithm": True,
        # IdP-initiated sign-in is accepted; cercle.sso.saml_views refuses replays.
        "reject_idp_initiated_sso": False,
        "allow_single_label_domains": False,
    }
    key_file = _text(entry, "sp_key_file", where)
    cert_file = _text(entry, "sp_cert_file", where)
    if bool(key_file) != bool(cert_file):
        raise _fail(where, '"sp_key_file" and "sp_cert_file" go together: give both or neither.')
    if key_file:
        advanced["private_key"] = _pem_body(_read(entry, "sp_key_file", where))
        advanced["x509cert"] = _pem_body(_read(entry, "sp_cert_file", where))
        advanced["authn_request_signed"] = True
        advanced["logout_request_signed"] = True
        advanced["logout_response_signed"] = True

    settings: dict[str, Any] = {
        "idp": idp,
        "attribute_mapping": _attributes(entry, where),
        "advanced": advanced,
        # Read by the sign-in adapter: people of the organisation's IdP are internal.
        "organisation": _flag(entry, "organisation", where, False),
    }
    sp_entity_id = _text(entry, "sp_entity_id", where)
    if sp_entity_id:
        settings["sp"] = {"entity_id": sp_entity_id}
    return {
        "provider_id": provider_id,
        "client_id": provider_id,
        "name": name,
        "settings": settings,
    }


def saml_apps(environ: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """The SAML apps of `CERCLE_SAML_PROVIDERS` (none when it is unset)."""
    raw = (os.environ if environ is None else environ).get(ENV_NAME, "").strip()
    if not raw:
        return []
    try:
        entries = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ImproperlyConfigured(
            f"{ENV_NAME} is not valid JSON ({error.msg} at character {error.pos})."
        ) from None
    if not isinstance(entries, list):
        raise ImproperlyConfigured(f"{ENV_NAME} must be a JSON list of providers.")
    apps = [_app(entry, index) for index, entry in enumerate(entries)]
    seen: set[str] = set()
    for app in apps:
        if app["client_id"] in seen:
            raise _fail(f'provider "{app["client_id"]}"', '"id" is given twice.')
        seen.add(app["client_id"])
    return apps


def form_action_origins(apps: list[dict[str, Any]]) -> list[str]:
    """The origins the sign-in form may lead to (CSP form-action): allauth's form posts
    to Cercle, which redirects to the IdP's SSO URL, and browsers hold redirects of a
    form to form-action too. For a metadata URL, its own origin (Entra ID, Keycloak and
    Google serve both from one host)."""
    origins: list[str] = []
    for app in apps:
        idp = app["settings"]["idp"]
        url = idp.get("sso_url") or idp.get("metadata_url") or ""
        match = re.match(r"^(https?://[^/?#]+)", url)
        if match and match.group(1) not in origins:
            origins.append(match.group(1))
    return origins


def attribute_values(settings: Mapping[str, Any], raw: Mapping[str, Any], key: str) -> list[str]:
    """Every value of one Cercle attribute (groups, department...) in a response's raw
    attributes (allauth keeps them in `SocialAccount.extra_data`), by the app's mapping."""
    mapping = settings.get("attribute_mapping") or DEFAULT_ATTRIBUTES
    names = mapping.get(key, [])
    for name in [names] if isinstance(names, str) else names:
        values = raw.get(name)
        if values:
            found = values if isinstance(values, list) else [values]
            return [str(value) for value in found if str(value).strip()]
    return []
