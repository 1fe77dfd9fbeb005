"""A feed written as Atom (RFC 4287, through Django's feed generator) or as JSON Feed 1.1
(https://jsonfeed.org/version/1.1)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.feedgenerator import Atom1Feed, get_tag_uri

from cercle.feeds.queries import Entry, Feed

ATOM = "application/atom+xml; charset=utf-8"
JSON_FEED = "application/feed+json; charset=utf-8"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


@dataclass(frozen=True)
class Addresses:
    """What makes the feed's paths absolute, and the feed's own addresses."""

    absolute: Callable[[str], str]
    feed_id: str  # the public address: the same feed whoever reads it
    self_url: str  # the address it was fetched at (secret ones included)


def entry_id(entry: Entry, addresses: Addresses) -> str:
    """A tag: URI (RFC 4151) from the entry's address and first publication: it stays
    the same across edits and whatever address the feed was read at."""
    return get_tag_uri(addresses.absolute(entry.url), entry.published)


class _Atom(Atom1Feed):
    """Django's Atom with the entry's HTML as <content> and a plain-text <summary>."""

    def __init__(self, *args: Any, updated: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._updated = updated

    def latest_post_date(self) -> datetime:
        # The feed's own date, also when it is empty: the same bytes for the same feed.
        return self._updated

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        handler.addQuickElement("summary", item["summary"], {"type": "text"})
        handler.addQuickElement("content", item["content_html"], {"type": "html"})


def atom(feed: Feed, addresses: Addresses, site_name: str) -> bytes:
    document = _Atom(
        title=feed.title,
        link=addresses.absolute(feed.page_url),
        description=feed.description,
        subtitle=feed.description,
        language=feed.language or None,
        feed_url=addresses.self_url,
        feed_guid=addresses.feed_id,
        # Atom asks for an author on every entry or on the feed: the site speaks for
        # entries that have none (a resource whose author left).
        author_name=site_name,
        updated=feed.updated,
    )
    for entry in feed.entries:
        document.add_item(
            title=entry.title,
            link=addresses.absolute(entry.url),
            # None: no <summary type="html">; ours is plain text (add_item_elements).
            description=None,  # type: ignore[arg-type]
            unique_id=entry_id(entry, addresses),
            pubdate=entry.published,
            updateddate=entry.updated,
            author_name=entry.author_name or None,
            categories=list(entry.tags),
            summary=entry.summary,
            content_html=entry.content_html,
        )
    return document.writeString("utf-8").encode()


def json_feed(feed: Feed, addresses: Addresses) -> bytes:
    document: dict[str, Any] = {
        "version": JSON_FEED_VERSION,
        "title": feed.title,
        "home_page_url": addresses.absolute(feed.page_url),
        "feed_url": addresses.self_url,
        "description": feed.description,
        "items": [_item(entry, addresses) for entry in feed.entries],
    }
    if feed.language:
        document["language"] = feed.language
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


def _item(entry: Entry, addresses: Addresses) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": entry_id(entry, addresses),
        "url": addresses.absolute(entry.url),
        "title": entry.title,
        "content_html": entry.content_html,
        "summary": entry.summary,
        "date_published": entry.published.isoformat(),
        "date_modified": entry.updated.isoformat(),
    }
    if entry.author_name:
        item["authors"] = [{"name": entry.author_name}]
    if entry.tags:
        item["tags"] = list(entry.tags)
    return item
