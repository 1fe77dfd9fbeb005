"""What an identity provider says about a person, in one shape.

OpenID Connect gives claims (the ID token's and the userinfo endpoint's, as allauth
stores them in `SocialAccount.extra_data`), where `groups` may be a list or one string;
SAML gives attributes, each a list of values, often under long names (URIs or OIDs).
Mapping rules read both the same way: attribute names in lower case and short
(`groups`, `department`, `email`, `name`...), each with a list of strings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from allauth.socialaccount.models import SocialLogin

# Long attribute names that identity providers send, and the short name rules use.
ALIASES: Mapping[str, str] = {
    # groups
    "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups": "groups",
    "http://schemas.xmlsoap.org/claims/group": "groups",
    "urn:oid:1.3.6.1.4.1.5923.1.5.1.1": "groups",  # isMemberOf (eduPerson)
    "ismemberof": "groups",
    "memberof": "groups",
    "group": "groups",
    # roles
    "http://schemas.microsoft.com/ws/2008/06/identity/claims/role": "roles",
    "role": "roles",
    # department
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/department": "department",
    "http://schemas.microsoft.com/ws/2008/06/identity/claims/department": "department",
    "urn:oid:2.16.840.1.113730.3.1.2": "department",  # departmentNumber
    "departmentnumber": "department",
    "urn:oid:2.5.4.11": "department",  # ou, organisational unit
    "ou": "department",
    # who they are
    "http://schemas.microsoft.com/identity/claims/displayname": "name",
    "urn:oid:2.16.840.1.113730.3.1.241": "name",  # displayName
    "displayname": "name",
    "urn:oid:2.5.4.3": "name",  # cn
    "cn": "name",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name": "name",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname": "given_name",
    "urn:oid:2.5.4.42": "given_name",
    "givenname": "given_name",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname": "family_name",
    "urn:oid:2.5.4.4": "family_name",
    "sn": "family_name",
    "surname": "family_name",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress": "email",
    "urn:oid:0.9.2342.19200300.100.1.3": "email",
    "mail": "email",
    "emailaddress": "email",
}


def _strings(value: Any) -> list[str]:
    """A claim's value as strings: a string is one value, a list many; nested objects
    (an address, a JSON structure) are not matched by rules and are left out."""
    if value is None:
        return []
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, str | int | float):
        text = str(value).strip()
        return [text] if text else []
    if isinstance(value, list | tuple | set):
        return [text for item in value for text in _strings(item) if not isinstance(item, list)]
    return []


def _short_name(name: str) -> str:
    lowered = name.strip().lower()
    if lowered in ALIASES:
        return ALIASES[lowered]
    if "://" in lowered:
        # Unknown claim URIs still read by their last word (".../claims/groups").
        return ALIASES.get(lowered.rstrip("/").rsplit("/", 1)[-1], lowered.rsplit("/", 1)[-1])
    return lowered


def normalise(*sources: Mapping[Any, Any]) -> dict[str, list[str]]:
    """Merge claim dictionaries (the first one's values come first), with each
    attribute under its lower-case name and, when it has one, its short name too."""
    claims: dict[str, list[str]] = {}
    for source in sources:
        for name, value in source.items():
            if not isinstance(name, str):
                continue
            values = _strings(value)
            if not values:
                continue
            for key in dict.fromkeys((name.strip().lower(), _short_name(name))):
                known = claims.setdefault(key, [])
                known.extend(text for text in values if text not in known)
    return claims


def oidc_claims(extra_data: Mapping[str, Any]) -> dict[str, list[str]]:
    """allauth (65.11 and later) keeps `{"userinfo": {...}, "id_token": {...}}`; before,
    the claims themselves. Userinfo first: it usually says more."""
    userinfo = extra_data.get("userinfo")
    id_token = extra_data.get("id_token")
    if isinstance(userinfo, Mapping) or isinstance(id_token, Mapping):
        parts = [part for part in (userinfo, id_token) if isinstance(part, Mapping)]
        return normalise(*parts)
    return normalise(extra_data)


def saml_claims(attributes: Mapping[str, Any]) -> dict[str, list[str]]:
    """SAML attributes: a name (often a URI or an OID) -> a list of values."""
    return normalise(attributes)


def claims_of(sociallogin: SocialLogin) -> dict[str, list[str]]:
    """What the identity provider of this sign-in says about the person."""
    extra_data = sociallogin.account.extra_data or {}
    if not isinstance(extra_data, Mapping):
        return {}
    provider = getattr(sociallogin, "provider", None)
    provider_class = getattr(provider, "id", "") if provider is not None else ""
    if provider_class == "saml":
        return saml_claims(extra_data)
    return oidc_claims(extra_data)


def parse_lines(text: str) -> dict[str, list[str]]:
    """Claims typed as `attribute=value` lines (the dry-run page); a line without `=`
    is an error, reported with its number (ValueError)."""
    raw: dict[str, list[str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, sep, value = line.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise ValueError(number)
        raw.setdefault(name.strip(), []).append(value.strip())
    return normalise(raw)


def display_name_of(claims: Mapping[str, Iterable[str]]) -> str:
    """The name to show: `name` (or SAML's displayName), else given and family names."""

    def first(name: str) -> str:
        return next(iter(claims.get(name, ())), "").strip()

    name = first("name")
    if not name:
        name = " ".join(part for part in (first("given_name"), first("family_name")) if part)
    return name[:80]
