"""Sections that an app adds to a page of an app below it, computed by the page's query.

A page low in the layers shows parts that belong to apps above it: a community's
landing page shows the next events, the open polls, the members of the month...; the
topic page shows the wiki articles captured from it and the follow button; a profile
shows the person's badges; the member's home shows the newcomer's checklists. The
lower app may not import the higher ones, and a template tag may not query (it only
formats: tests/test_page_queries.py checks both), so:

- each app declares its sections in its own `sections.py` module, found at start-up
  the way Django finds `admin.py` (`discover()`, called by `cercle.ui`'s `ready()`);
- a section's `load` function is the feature's query: it receives what the page's
  query knows (the reader's `access`, the `topic`...), asks the permissions package
  for the `can` record its template needs, and returns the template's data, or None
  to leave the section out;
- the landing's "Animate" card gathers the animators' tools the same way: each app
  registers a `community.landing.animate` section whose data is `{"links": [Link...]}`;
- the page's query function calls `gather(page, ...)` and hands the list to the
  template, which draws each with `{% page_section section %}` (formatting only).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import autodiscover_modules

# A section's query: keyword arguments named by its page (see PAGES), the data its
# template shows (or None to leave it out).
Loader = Callable[..., Mapping[str, Any] | None]

# Each page that takes sections, and the keyword arguments its query passes to them.
PAGES: dict[str, tuple[str, ...]] = {
    "community.landing.main": ("access",),
    "community.landing.aside": ("access",),
    # The animators' tools, gathered in the landing's one "Animate" card: each section
    # gives `links` (a list of `Link`), drawn by communities/_animate_links.html.
    "community.landing.animate": ("access",),
    "conversations.topic.head": ("access", "topic"),
    "conversations.space.head": ("access", "space"),
    # Below the space's links (wiki, feed): other ways into the space.
    "conversations.space.about": ("access", "space"),
    "people.profile": ("reader", "person"),
    "ui.member_home": ("person", "memberships"),
    "ui.member_home.aside": ("person", "memberships"),
    "analytics.cockpit.overview": ("access",),
}


@dataclass(frozen=True)
class Section:
    page: str
    name: str
    template: str
    order: int
    load: Loader


@dataclass(frozen=True)
class Link:
    """One tool of the landing's "Animate" card: a label, where it goes, a Lucide icon
    (cercle/static/vendor/lucide/ICONS) and an optional quieter note."""

    label: str
    url: str
    icon: str = "chevron-right"
    note: str = ""


@dataclass(frozen=True)
class Shown:
    """A section as the page shows it: its template and the data to format."""

    name: str
    template: str
    data: Mapping[str, Any]


_sections: dict[str, dict[str, Section]] = {}


def register(page: str, *, name: str, template: str, order: int, load: Loader) -> None:
    """Add (or replace, by name) a section of `page`; sections show by `order`."""
    if page not in PAGES:
        raise ValueError(f"No page {page!r} takes sections (known: {', '.join(sorted(PAGES))}).")
    _sections.setdefault(page, {})[name] = Section(page, name, template, order, load)


def sections_of(page: str) -> list[Section]:
    return sorted(_sections.get(page, {}).values(), key=lambda section: section.order)


def gather(page: str, **inputs: Any) -> list[Shown]:
    """The sections of `page` that have something to show, each with its data."""
    if set(inputs) != set(PAGES[page]):
        raise TypeError(f"The sections of {page!r} take {PAGES[page]}, not {tuple(inputs)}.")
    shown = []
    for section in sections_of(page):
        data = section.load(**inputs)
        if data is not None:
            shown.append(Shown(section.name, section.template, data))
    return shown


def discover() -> None:
    """Import every installed app's `sections` module, which registers its sections."""
    autodiscover_modules("sections")
