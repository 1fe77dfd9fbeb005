"""The security log in words: a row's details and the device it came from, as the staff
page and the CSV export show them (never the JSON itself)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cercle.audit.models import SecurityKind
from cercle.communities.models import Role

# The details the writers of the log use (cercle/audit/receivers.py, cercle.sso,
# cercle.scim, cercle.privacy...), in words; any other detail is shown by its own name.
DETAIL_LABELS: dict[str, Promise] = {
    "method": gettext_lazy("how"),
    "second_factor": gettext_lazy("second factor"),
    "provider": gettext_lazy("identity provider"),
    "address": gettext_lazy("address"),
    "previous_address": gettext_lazy("previous address"),
    "community": gettext_lazy("community"),
    "role": gettext_lazy("role"),
    "previous_role": gettext_lazy("previous role"),
    "rule": gettext_lazy("rule"),
    "group": gettext_lazy("group"),
    "groups": gettext_lazy("groups"),
    "reason": gettext_lazy("reason"),
    "what": gettext_lazy("what"),
    "count": gettext_lazy("how many"),
    "token": gettext_lazy("token"),
    "sessions": gettext_lazy("sessions"),
    "last_attempt": gettext_lazy("last attempt allowed"),
    "reauthentication": gettext_lazy("while confirming their identity"),
    "filter": gettext_lazy("filter"),
    "rows": gettext_lazy("rows"),
    # The security log's own filter, in an export's row.
    "person": gettext_lazy("person"),
    "kind": gettext_lazy("what"),
    "since": gettext_lazy("from"),
    "until": gettext_lazy("until"),
    "ip": gettext_lazy("IP address"),
}

# Values that are allauth's or Cercle's own words for a method.
VALUE_WORDS: dict[str, Promise] = {
    "password": gettext_lazy("password"),
    "code": gettext_lazy("a code sent by email"),
    "passkey": gettext_lazy("a passkey"),
    "second_factor": gettext_lazy("second factor"),
    "totp": gettext_lazy("authenticator app"),
    "webauthn": gettext_lazy("security key or passkey"),
    "recovery_codes": gettext_lazy("recovery code"),
    "signup": gettext_lazy("sign-up form"),
}


def _choice_label(value: object, key: str) -> str | None:
    """A kind of the log or a role, by its label."""
    if key == "kind" and value in SecurityKind.values:
        return str(SecurityKind(str(value)).label)
    if key in {"role", "previous_role"} and value in Role.values:
        return str(Role(str(value)).label)
    return None


def _value_in_words(value: object, key: str = "") -> str:
    if isinstance(value, bool) or value is None:
        return {True: _("yes"), False: _("no"), None: "—"}[value]
    label = _choice_label(value, key)
    if label is not None:
        return label
    if isinstance(value, Mapping):
        return "; ".join(
            _("%(label)s: %(value)s")
            % {"label": _label(str(inner)), "value": _value_in_words(item, str(inner))}
            for inner, item in value.items()
        )
    if isinstance(value, list | tuple):
        return ", ".join(_value_in_words(item) for item in value)
    text = str(value)
    word = VALUE_WORDS.get(text)
    return str(word) if word is not None else text


def _label(key: str) -> str:
    known = DETAIL_LABELS.get(key)
    return str(known) if known is not None else key.replace("_", " ")


def detail_in_words(detail: object) -> list[tuple[str, str]]:
    """`(label, value)` pairs, in the order they were written (a JSON field may hold
    something else than an object in a row written by hand: it is shown as it is)."""
    if not isinstance(detail, Mapping):
        return [(_("detail"), str(detail))] if detail else []
    return [(_label(key), _value_in_words(value, key)) for key, value in detail.items()]


def detail_as_text(detail: object) -> str:
    """The details on one line (the CSV export)."""
    return "; ".join(
        _("%(label)s: %(value)s") % {"label": label[:1].upper() + label[1:], "value": value}
        for label, value in detail_in_words(detail)
    )


_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Version/", "Safari"),
)
_SYSTEMS = (
    ("Windows", "Windows"),
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("CrOS", "ChromeOS"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)
_FIRST_WORD = re.compile(r"^[^\s;()]+")


def device(user_agent: str) -> str:
    """A browser's user agent told short ("Firefox on Linux"); the full text stays in
    the export and in the page's tooltip."""
    if not user_agent:
        return ""
    browser = next((name for sign, name in _BROWSERS if sign in user_agent), "")
    system = next((name for sign, name in _SYSTEMS if sign in user_agent), "")
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    if browser or system:
        return browser or system
    first = _FIRST_WORD.match(user_agent)  # a program: "curl/8.5.0", "python-requests/2.32"
    return first.group(0)[:40] if first else user_agent[:40]
