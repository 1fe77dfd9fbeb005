"""Figures written as the reader's language writes them (Django's localization): "12.5%"
and "1.5 h" in English, "12,5 %" and "1,5 h" in French, in tables and in sentences alike."""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext as _

NOTHING = "\u2013"  # an en dash: no figure
MINUS = "\u2212"  # the minus sign, wider than a hyphen


def number(value: float | None, decimals: int | None = None) -> str:
    """A number in the active language: "50.4" in English, "50,4" in French. A whole
    float loses its ".0" unless `decimals` asks for them."""
    if value is None:
        return NOTHING
    if decimals is None and isinstance(value, float) and value.is_integer():
        value = int(value)
    return number_format(value, decimal_pos=decimals)


def with_unit(text: str, suffix: str) -> str:
    if suffix == "%":
        return _("%(number)s%%") % {"number": text}
    if suffix == " h":
        return _("%(number)s h") % {"number": text}
    if suffix == " pts":
        return _("%(number)s pts") % {"number": text}
    if suffix == " min":
        return _("%(number)s min") % {"number": text}
    return text


def fmt(value: float | None, suffix: str = "") -> str:
    """A figure with its unit, or a dash for no figure."""
    if value is None:
        return NOTHING
    return with_unit(number(value), suffix)


def percent(value: float | None) -> str:
    """A percentage as written in a sentence: "50.4%" in English, "50,4 %" in French."""
    return fmt(value, "%")


def signed(value: float, suffix: str = "") -> str:
    """A change with its sign: "+3", "-1.5 h" (a minus sign), "+4.2 pts" (0 has none)."""
    sign = "+" if value > 0 else MINUS if value < 0 else ""
    return sign + with_unit(number(abs(value)), suffix)
