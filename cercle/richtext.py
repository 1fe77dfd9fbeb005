"""Markdown written by members, turned into HTML that is safe to show.

Text is rendered once, when it is saved (CommonMark with tables, strikethrough,
task lists and autolinks), then cleaned by nh3 with an allow-list: whatever a
member types, no script, style or event handler reaches another member's page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

import nh3
from django.utils.html import escape
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.tasklists import tasklists_plugin

MENTION = re.compile(r"(?<![\w@/.-])@([a-z0-9][a-z0-9-]{0,39})\b")

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "img", "input", "li", "ol", "p", "pre", "s", "strong", "sub",
    "span", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "span": {"class", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "input": {"type", "checked", "disabled"},
    "li": {"class"},
    "ul": {"class"},
    "code": {"class"},
    "td": {"align"},
    "th": {"align"},
}


def _mentions(state: StateCore) -> None:
    """Turn @handle in plain text (never in code) into a mention of a known person."""
    names: Mapping[str, str] = state.env.get("mentions") or {}
    if not names:
        return
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        for child in block.children:
            if child.type != "text" or "@" not in child.content:
                children.append(child)
                continue
            position = 0
            for match in MENTION.finditer(child.content):
                handle = match.group(1)
                if handle not in names:
                    continue
                if match.start() > position:
                    children.append(_text(child.content[position : match.start()]))
                mention = Token("html_inline", "", 0)
                mention.content = (
                    f'<span class="mention" title="{escape(names[handle])}">@{handle}</span>'
                )
                children.append(mention)
                position = match.end()
            if position < len(child.content):
                children.append(_text(child.content[position:]))
        block.children = children


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def mentioned_handles(text: str) -> set[str]:
    """Every @handle written in `text` (whether or not such a person exists)."""
    return {match.group(1) for match in MENTION.finditer(text or "")}


def new_markdown_parser() -> MarkdownIt:
    """A new parser with Cercle's Markdown (CommonMark, tables, strikethrough, autolinks,
    task lists). Each purpose builds its own from this once and adds its rules while
    building it: a parser is shared by every render of a process, so it is never changed
    after it is built (a rule added at render time would pile up, and leak into the
    texts of other purposes)."""
    parser = MarkdownIt("commonmark", {"linkify": True, "typographer": False})
    parser.enable(["table", "strikethrough", "linkify"])
    parser.use(tasklists_plugin)
    return parser


@cache
def member_parser() -> MarkdownIt:
    """The parser of everything members write outside the wiki (posts, notes, polls,
    events, profiles...): Cercle's Markdown with @mentions."""
    parser = new_markdown_parser()
    parser.core.ruler.push("mentions", _mentions)
    return parser


def clean_html(html: str) -> str:
    """The allow-list every rendered text goes through; links get rel="nofollow noopener"."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )


def render_markdown(text: str, mentions: Mapping[str, str] | None = None) -> str:
    """Safe HTML for `text`. `mentions` maps the handles of people who may be mentioned
    to their names."""
    return clean_html(member_parser().render(text or "", {"mentions": mentions or {}}))
