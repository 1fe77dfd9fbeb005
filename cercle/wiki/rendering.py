"""An article's Markdown as HTML: headings with anchors, a table of contents, and
`[[Article title]]` links resolved to the articles of the same community.

Everything goes through `cercle.richtext.render_markdown` first (so the allow-list
cleaning applies); the anchors and the link marks are added to its safe output.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import reduce
from operator import or_
from urllib.parse import quote

from django.db.models import Q
from django.urls import reverse
from django.utils.html import escape, strip_tags
from django.utils.text import slugify

from cercle.communities.models import Space
from cercle.richtext import render_markdown
from cercle.wiki.models import Article

WIKI_LINK = re.compile(r"\[\[([^\[\]\n|]{1,200})\]\]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~])")
_HEADING = re.compile(r"<h([23])>(.*?)</h\1>", re.DOTALL)
_MISSING_CLASS = "wiki-missing"


@dataclass
class RenderedArticle:
    html: str
    toc_html: str


def linked_titles(body: str) -> list[str]:
    return list(dict.fromkeys(" ".join(m.group(1).split()) for m in WIKI_LINK.finditer(body)))


def new_article_url(space: Space) -> str:
    return reverse("wiki_new", kwargs={"slug": space.community.slug, "space": space.slug})


def _link_targets(space: Space, titles: list[str]) -> dict[str, str]:
    """The address of each linked title (case-insensitive) that names an article."""
    if not titles:
        return {}
    found = Article.objects.filter(
        reduce(or_, (Q(title__iexact=title) for title in titles)), community_id=space.community_id
    ).values_list("title", "slug")
    community = space.community.slug
    return {
        title.casefold(): reverse("wiki_article", kwargs={"slug": community, "article": slug})
        for title, slug in found
    }


def _resolve_links(body: str, space: Space) -> str:
    targets = _link_targets(space, linked_titles(body))
    missing_base = new_article_url(space)

    def replace(match: re.Match[str]) -> str:
        title = " ".join(match.group(1).split())
        label = _MARKDOWN_SPECIAL.sub(r"\\\1", title)
        target = targets.get(title.casefold()) or f"{missing_base}?title={quote(title)}"
        return f"[{label}](<{target}>)"

    return WIKI_LINK.sub(replace, body)


def _anchor_headings(html: str) -> tuple[str, list[tuple[int, str, str]]]:
    used: set[str] = set()
    entries: list[tuple[int, str, str]] = []

    def replace(match: re.Match[str]) -> str:
        level, inner = int(match.group(1)), match.group(2)
        text = " ".join(strip_tags(inner).split())
        base = f"section-{slugify(text) or 'part'}"
        anchor, counter = base, 2
        while anchor in used:
            anchor, counter = f"{base}-{counter}", counter + 1
        used.add(anchor)
        entries.append((level, anchor, text))
        return f'<h{level} id="{anchor}">{inner}</h{level}>'

    return _HEADING.sub(replace, html), entries


def _toc(entries: list[tuple[int, str, str]]) -> str:
    """Nested list: h3 entries sit under the h2 before them."""
    if len(entries) < 2:
        return ""
    parts = ["<ol>"]
    open_sub = False
    for index, (level, anchor, text) in enumerate(entries):
        link = f'<a href="#{anchor}">{escape(text)}</a>'
        if level == 3 and index > 0:
            if not open_sub:
                parts[-1] = parts[-1].removesuffix("</li>")
                parts.append("<ol>")
                open_sub = True
            parts.append(f"<li>{link}</li>")
            continue
        if open_sub:
            parts.append("</ol></li>")
            open_sub = False
        parts.append(f"<li>{link}</li>")
    if open_sub:
        parts.append("</ol></li>")
    parts.append("</ol>")
    return "".join(parts)


def render_article(body: str, space: Space) -> RenderedArticle:
    html = render_markdown(_resolve_links(body, space))
    missing = escape(new_article_url(space))
    html = html.replace(f'<a href="{missing}?', f'<a class="{_MISSING_CLASS}" href="{missing}?')
    html, entries = _anchor_headings(html)
    return RenderedArticle(html=html, toc_html=_toc(entries))


_MISSING_LINK = re.compile(rf'<a class="{_MISSING_CLASS}" href="[^"]*"[^>]*>(.*?)</a>', re.DOTALL)


def without_create_links(html: str) -> str:
    """For readers who may not write: a missing article is named, not offered."""
    return _MISSING_LINK.sub(rf'<span class="{_MISSING_CLASS}">\1</span>', html)


# --- Differences ----------------------------------------------------------------------------


@dataclass
class DiffLine:
    change: str  # "same", "removed", "added"
    old_number: int | None
    new_number: int | None
    text: str


def line_diff(old: str, new: str) -> list[DiffLine]:
    """Line by line, what changed from `old` to `new` (texts stay raw: templates escape)."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    lines: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            lines.extend(
                DiffLine("same", i1 + k + 1, j1 + k + 1, old_lines[i1 + k]) for k in range(i2 - i1)
            )
            continue
        lines.extend(DiffLine("removed", i + 1, None, old_lines[i]) for i in range(i1, i2))
        lines.extend(DiffLine("added", None, j + 1, new_lines[j]) for j in range(j1, j2))
    return lines
