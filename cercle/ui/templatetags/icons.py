"""`{% icon "heart" %}`: one of Lucide's icons (vendored SVG files), drawn inline so that
it takes the text's colour and needs no icon font nor emoji font on the reader's machine.

Icons are decorative (`aria-hidden`): a control that shows only an icon carries its name
in a visually hidden text or an `aria-label`. The files are listed in
cercle/static/vendor/lucide/ICONS and copied by `make vendor`."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

ICONS_DIR = Path(__file__).resolve().parents[2] / "static" / "vendor" / "lucide"


@cache
def _inner(name: str) -> str:
    """The drawing inside the icon's <svg> element; an unknown name is an error."""
    if not re.fullmatch(r"[a-z0-9-]+", name):
        raise template.TemplateSyntaxError(f"Not an icon name: {name!r}")
    path = ICONS_DIR / f"{name}.svg"
    if not path.is_file():
        raise template.TemplateSyntaxError(
            f"No icon {name!r}: add it to cercle/static/vendor/lucide/ICONS and run make vendor"
        )
    svg = path.read_text(encoding="utf-8")
    match = re.search(r"<svg[^>]*>(.*)</svg>", svg, re.DOTALL)
    if match is None:
        raise template.TemplateSyntaxError(f"The icon file {path} holds no <svg>")
    return re.sub(r"\s*\n\s*", "", match.group(1))


@register.simple_tag
def icon(name: str, size: int = 18) -> SafeString:
    """An inline SVG icon, `size` pixels square, in the current text colour."""
    return format_html(
        '<svg class="icon icon--{}" width="{}" height="{}" viewBox="0 0 24 24" fill="none" '
        'stroke="currentColor" stroke-width="2" stroke-linecap="round" '
        'stroke-linejoin="round" aria-hidden="true" focusable="false">{}</svg>',
        name,
        size,
        size,
        mark_safe(_inner(name)),  # noqa: S308 - our own vendored files
    )
