"""Imported HTML made safe and readable, with the same nh3 policy as members' posts.

The allow-list is `cercle.richtext`'s: whatever a source site let through, no
script, style or event handler reaches a reader. Two things differ from a post
written here, because the HTML was written for another site:

- links relative to the source site (`/questions/12`) point to it again;
- images are served by other sites, which the Content-Security-Policy does not let
  pages load: each becomes a link to the image (its alt text, or "image").
"""

from __future__ import annotations

import html
import re

import nh3
from django.utils.translation import gettext as _

from cercle.richtext import ALLOWED_ATTRIBUTES, ALLOWED_TAGS

URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow noopener noreferrer"
_TAGS = ALLOWED_TAGS - {"img", "input"}
_ATTRIBUTES = {tag: names for tag, names in ALLOWED_ATTRIBUTES.items() if tag in _TAGS}
_ATTRIBUTE = re.compile(r'\b(src|alt)="([^"]*)"')
_ANCHOR = re.compile(r"<a\b[^>]*>|</a>|<img\b[^>]*>")


def clean_html(fragment: str, *, site_url: str) -> str:
    """Safe HTML for a fragment written on the site at `site_url` (https://host)."""

    def absolute(tag: str, attribute: str, value: str) -> str | None:
        if attribute in {"href", "src"} and value.startswith("/") and not value.startswith("//"):
            return site_url + value
        return value

    cleaned = nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        attribute_filter=absolute,
    )
    if "<img" not in cleaned:
        return cleaned
    # The images are found in nh3's output, whose attributes are always double-quoted;
    # what replaces them is cleaned again.
    return nh3.clean(
        _images_as_links(cleaned),
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
    )


def html_words(fragment: str) -> str:
    """The words of an HTML fragment, as `conversations.rendering.plain_text` gives them
    (nh3 takes the tags away much faster than Django's strip_tags)."""
    return " ".join(html.unescape(nh3.clean(fragment, tags=set())).split())


def _images_as_links(fragment: str) -> str:
    """Each <img> becomes a link to its source, or its words alone inside a link."""
    parts: list[str] = []
    position = 0
    depth = 0
    for match in _ANCHOR.finditer(fragment):
        tag = match.group(0)
        if tag.startswith("<img"):
            parts.append(fragment[position : match.start()])
            parts.append(_image_link(tag, inside_link=depth > 0))
            position = match.end()
        elif tag == "</a>":
            depth = max(depth - 1, 0)
        else:
            depth += 1
    parts.append(fragment[position:])
    return "".join(parts)


def _image_link(tag: str, *, inside_link: bool) -> str:
    values = {match.group(1): html.unescape(match.group(2)) for match in _ATTRIBUTE.finditer(tag)}
    label = html.escape(values.get("alt", "").strip() or _("image"))
    src = values.get("src", "")
    text = f"[{label}]"
    if inside_link or not src:
        return text
    return f'<a href="{html.escape(src)}">{text}</a>'
