"""An article's Markdown as HTML: headings with anchors, a table of contents, and
`[[Article title]]` / `[[Article title|label]]` links to the articles of the community.

Two steps, because links must follow the articles (one written after the link turns
the link on) and the reader (an article in a space they may not read stays unknown):

- at save time, `render_article` turns the Markdown into cleaned HTML (the same
  Markdown and allow-list as `cercle.richtext`), where each wiki link is a marker
  `<span class="wiki-link" data-wiki-title="…">label</span>`. Links are found by an
  inline rule of the Markdown parser, so `[[…]]` in code spans and code blocks stays
  text. The marker cannot come from what members type: the cleaner drops `data-*`
  attributes, and the markers are added after it;
- at display time, `links_for_reader` looks every marked title up in one query and
  makes each marker a link, a "not written yet" link to the new-article form (for
  people who may write there), or a "not written yet" mention.
"""

from __future__ import annotations

import difflib
import html as html_lib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from urllib.parse import quote

from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.html import escape, strip_tags
from django.utils.text import slugify
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from cercle import permissions
from cercle.communities.models import Space
from cercle.richtext import clean_html, new_markdown_parser
from cercle.wiki.models import Article

WIKI_LINK = re.compile(r"\[\[([^\[\]\n|]{1,200})(?:\|([^\[\]\n]{0,200}))?\]\]")
# More distinct titles than this on one page are shown as plain text, not looked up:
# it keeps the one query of a page within the database's parameter limits.
MAX_LINKED_TITLES = 2000
_PLACEHOLDER_START, _PLACEHOLDER_END = "\ue000", "\ue001"
_PLACEHOLDER = re.compile(f"{_PLACEHOLDER_START}(\\d+){_PLACEHOLDER_END}")
_MARKER = re.compile(r'<span class="wiki-link" data-wiki-title="([^"<>]*)">([^<]*)</span>')
_HEADING = re.compile(r"<h([23])>(.*?)</h\1>", re.DOTALL)
_MISSING_CLASS = "wiki-missing"


@dataclass
class RenderedArticle:
    html: str
    toc_html: str


@dataclass(frozen=True)
class WikiLink:
    title: str
    label: str


def _squeezed(text: str) -> str:
    return " ".join(text.split())


def _wiki_link_rule(state: StateInline, silent: bool) -> bool:
    """`[[Title]]` or `[[Title|label]]` where the parser stands (never inside a link)."""
    if state.linkLevel > 0 or not state.src.startswith("[[", state.pos):
        return False
    match = WIKI_LINK.match(state.src, state.pos)
    if match is None:
        return False
    title = _squeezed(match.group(1))
    if not title:
        return False
    if not silent:
        label = _squeezed(match.group(2) or "") or title
        token = state.push("wiki_link", "", 0)
        token.content = label
        token.meta = {"link": WikiLink(title=title, label=label)}
    state.pos = match.end()
    return True


@cache
def wiki_parser() -> MarkdownIt:
    """The wiki's own parser, built once: Cercle's Markdown (without mentions) plus wiki
    links. It is not the parser of `cercle.richtext.render_markdown`, so `[[…]]` in a
    reply or a note stays text."""
    parser = new_markdown_parser()
    parser.inline.ruler.before("link", "wiki_link", _wiki_link_rule)

    def render_wiki_link(
        self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        links: list[WikiLink] = env["wiki_links"]
        links.append(tokens[idx].meta["link"])
        return f"{_PLACEHOLDER_START}{len(links) - 1}{_PLACEHOLDER_END}"

    parser.add_render_rule("wiki_link", render_wiki_link)
    return parser


def linked_titles(body: str) -> list[str]:
    """The titles the article links to, in order, once each (code is not looked at)."""
    links: list[WikiLink] = []
    wiki_parser().render(_without_placeholders(body), {"wiki_links": links})
    return list(dict.fromkeys(link.title for link in links))


def _without_placeholders(body: str) -> str:
    return (body or "").replace(_PLACEHOLDER_START, "").replace(_PLACEHOLDER_END, "")


def _markdown_with_markers(body: str) -> str:
    links: list[WikiLink] = []
    raw = wiki_parser().render(_without_placeholders(body), {"wiki_links": links})
    cleaned = clean_html(raw)

    def marker(match: re.Match[str]) -> str:
        link = links[int(match.group(1))]
        return (
            f'<span class="wiki-link" data-wiki-title="{escape(link.title)}">'
            f"{escape(link.label)}</span>"
        )

    return _PLACEHOLDER.sub(marker, cleaned)


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


def render_article(body: str) -> RenderedArticle:
    """What is stored with a version: the HTML with link markers, and the contents."""
    html, entries = _anchor_headings(_markdown_with_markers(body))
    return RenderedArticle(html=html, toc_html=_toc(entries))


# --- Links, for one reader ----------------------------------------------------------------


def _new_article_url(access: permissions.CommunityAccess, space: Space) -> str:
    return reverse("wiki_new", kwargs={"slug": access.community.slug, "space": space.slug})


def _readable_targets(
    access: permissions.CommunityAccess, space: Space, titles: set[str]
) -> dict[str, str]:
    """The address of each title (case-insensitive) that names an article the reader may
    read, in one query; an article of the linking space wins over one of another space."""
    keys = {title.lower() for title in titles} | titles  # SQLite lowers ASCII only
    candidates = (
        Article.objects.annotate(title_key=Lower("title"))
        .filter(community_id=access.community.pk, title_key__in=keys)
        .select_related("space")
        .only("title", "slug", "space__is_private")
        .order_by("pk")
    )
    wanted = {title.casefold() for title in titles}
    chosen: dict[str, Article] = {}
    for article in candidates:
        key = article.title.casefold()
        if key not in wanted or not access.reads(article.space):
            continue
        current = chosen.get(key)
        if current is None or (current.space_id != space.pk and article.space_id == space.pk):
            chosen[key] = article
    community = access.community.slug
    return {
        key: reverse("wiki_article", kwargs={"slug": community, "article": article.slug})
        for key, article in chosen.items()
    }


def links_for_reader(html: str, space: Space, access: permissions.CommunityAccess) -> str:
    """`html` (an article of `space`, as stored) with its link markers made into links
    for this reader. An article the reader may not read shows exactly as one that was
    never written, so a link never tells what another space holds."""
    titles = list(dict.fromkeys(html_lib.unescape(m.group(1)) for m in _MARKER.finditer(html)))
    if not titles:
        return html
    looked_up = set(titles[:MAX_LINKED_TITLES])
    targets = _readable_targets(access, space, looked_up)
    offer = access.may_post(space)
    new_base = _new_article_url(access, space)
    not_written = escape(_("not written yet"))
    write_it = escape(_("This article is not written yet: write it"))
    absent = escape(_("This article is not written yet"))

    def replace(match: re.Match[str]) -> str:
        title, label = html_lib.unescape(match.group(1)), match.group(2)
        if title not in looked_up:
            return label
        target = targets.get(title.casefold())
        if target is not None:
            return f'<a class="wiki-link" href="{escape(target)}">{label}</a>'
        hidden = f'<span class="visually-hidden"> ({not_written})</span>'
        if offer:
            href = escape(f"{new_base}?title={quote(title)}")
            return (
                f'<a class="{_MISSING_CLASS}" href="{href}" title="{write_it}">{label}{hidden}</a>'
            )
        return f'<span class="{_MISSING_CLASS}" title="{absent}">{label}{hidden}</span>'

    return _MARKER.sub(replace, html)


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
