"""Turning a post's Markdown into the HTML every reader sees, and back into words."""

from __future__ import annotations

from html import unescape

from django.utils.html import strip_tags


def plain_text(html: str) -> str:
    """The words of rendered HTML, for search and excerpts."""
    return " ".join(unescape(strip_tags(html)).split())


def quote(body: str, author_name: str) -> str:
    """The start of a reply that quotes another post."""
    lines = "\n".join(f"> {line}" for line in body.strip().splitlines())
    return f"> **{author_name}**:\n{lines}\n\n"
