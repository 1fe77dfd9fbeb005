"""Markdown written by members, turned into HTML that is safe to show.

Text is rendered once, when it is saved (CommonMark with tables, strikethrough,
task lists and autolinks), then cleaned by nh3 with an allow-list: whatever a
member types, no script, style or event handler reaches another member's page.
"""

from __future__ import annotations

from functools import cache

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.tasklists import tasklists_plugin

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "img", "input", "li", "ol", "p", "pre", "s", "strong", "sub",
    "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "input": {"type", "checked", "disabled"},
    "li": {"class"},
    "ul": {"class"},
    "code": {"class"},
    "td": {"align"},
    "th": {"align"},
}


@cache
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"linkify": True, "typographer": False})
    parser.enable(["table", "strikethrough", "linkify"])
    parser.use(tasklists_plugin)
    return parser


def render_markdown(text: str) -> str:
    """Safe HTML for `text`; links get rel="nofollow noopener" and open in place."""
    html = _parser().render(text or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
