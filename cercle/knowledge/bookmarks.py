"""Reading the Netscape bookmark file that every browser writes with "Export bookmarks".

The format is loose HTML: `<DT><H3>folder</H3>` followed by a `<DL>` holding the
folder's entries, `<DT><A HREF=... ADD_DATE=...>title</A>` for a link, and `<p>`
tags nobody closes. The stdlib parser reads it without building a DOM.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

# Browsers write addresses into HREF as they are: Chromium leaves a query's "&" raw
# (`?q=a&not=b`). The stdlib parser would read "&not" as "¬", as HTML does in text but
# not in attributes; so attributes are read again from the raw tag, decoding only the
# references a browser decodes there: numeric ones and named ones closed by ";".
_ATTRIBUTE = re.compile(r"""([A-Za-z_:][-\w:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""")
_REFERENCE = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]*;)")


def _attribute_value(raw: str) -> str:
    return _REFERENCE.sub(lambda match: html.unescape(match.group(0)), raw)


def _raw_attributes(tag_text: str | None) -> dict[str, str]:
    values: dict[str, str] = {}
    for match in _ATTRIBUTE.finditer(tag_text or ""):
        raw = next((group for group in match.groups()[1:] if group is not None), "")
        values.setdefault(match.group(1).lower(), _attribute_value(raw))
    return values


@dataclass
class BookmarkLink:
    title: str
    url: str
    add_date: int | None = None


@dataclass
class BookmarkFolder:
    title: str
    children: list[BookmarkFolder | BookmarkLink] = field(default_factory=list)


class TooManyBookmarks(ValueError):
    """The file holds more folders or links, or nests folders deeper, than allowed:
    reading stops at the first one past the limit."""

    def __init__(self, what: str, limit: int) -> None:
        super().__init__(f"more than {limit} {what}")
        self.what = what  # "folders", "links" or "depth"
        self.limit = limit


@dataclass(frozen=True)
class Limits:
    folders: int
    links: int
    depth: int  # how deep folders may nest: 1 allows folders but none inside them


class _BookmarkParser(HTMLParser):
    def __init__(self, limits: Limits | None) -> None:
        super().__init__(convert_charrefs=True)
        self.limits = limits
        self.folders = 0
        self.links = 0
        self.root = BookmarkFolder("")
        self.stack: list[BookmarkFolder] = [self.root]
        # For each open <DL>: whether it opened a folder (to close it with </DL>).
        self.lists: list[bool] = []
        self.pending: BookmarkFolder | None = None
        self.text: list[str] | None = None
        self.link: BookmarkLink | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "h3":
            self.text = []
        elif tag == "a":
            values = _raw_attributes(self.get_starttag_text())
            date = values.get("add_date", "")
            self.link = BookmarkLink(
                title="",
                url=values.get("href", "").strip(),
                add_date=int(date) if date.isdigit() else None,
            )
            self.text = []
        elif tag == "dl":
            if self.pending is not None:
                self.stack.append(self.pending)
                self.pending = None
                self.lists.append(True)
            else:
                self.lists.append(False)

    def handle_endtag(self, tag: str) -> None:
        if tag == "h3" and self.text is not None:
            self.folders += 1
            if self.limits is not None:
                if self.folders > self.limits.folders:
                    raise TooManyBookmarks("folders", self.limits.folders)
                # The stack holds the root and the folders this one is in.
                if len(self.stack) > self.limits.depth:
                    raise TooManyBookmarks("depth", self.limits.depth)
            folder = BookmarkFolder(" ".join("".join(self.text).split()))
            self.stack[-1].children.append(folder)
            self.pending = folder
            self.text = None
        elif tag == "a" and self.link is not None and self.text is not None:
            self.links += 1
            if self.limits is not None and self.links > self.limits.links:
                raise TooManyBookmarks("links", self.limits.links)
            self.link.title = " ".join("".join(self.text).split())
            self.stack[-1].children.append(self.link)
            self.link, self.text = None, None
        elif tag == "dl" and self.lists and self.lists.pop() and len(self.stack) > 1:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)


def parse_bookmarks(html: str, limits: Limits | None = None) -> BookmarkFolder:
    """The tree of folders and links in a bookmark file; the root has no title.
    With `limits`, raises `TooManyBookmarks` as soon as the file goes past one."""
    parser = _BookmarkParser(limits)
    parser.feed(html)
    parser.close()
    return parser.root
