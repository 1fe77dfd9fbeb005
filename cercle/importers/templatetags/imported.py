"""Showing where an imported post came from, next to it, in one query per page."""

from __future__ import annotations

from typing import Any

from django import template

from cercle.conversations.models import Post
from cercle.importers.models import ImportedPost

register = template.Library()

_CACHE_KEY = "importers.origins"
_RELATION = "imported"  # ImportedPost.post's related_name


@register.simple_tag(takes_context=True)
def imported_origin(context: template.Context, post: Post) -> ImportedPost | None:
    """The origin of `post` if it was imported, else None.

    When the page loaded its posts with `select_related("imported__site")`, this asks
    nothing. Otherwise the first call on a page looks up every post the page shows
    (the topic page's `data.posts` and accepted answer) in one query, and keeps the
    answer for the rest of the page's rendering: never a query per post.
    """
    if _RELATION in post._state.fields_cache:
        # The page's query joined it already (select_related("imported__site")).
        cached: ImportedPost | None = post._state.fields_cache[_RELATION]
        return cached
    # Each included template gets a fresh layer of the render context; its first
    # layer lasts as long as the whole page's rendering.
    page_state: Any = context.render_context.dicts[0]
    known: dict[int, ImportedPost | None] = page_state.setdefault(_CACHE_KEY, {})
    if post.pk not in known:
        wanted = {post.pk, *_page_post_ids(context)} - known.keys()
        found = {
            origin.post_id: origin
            for origin in ImportedPost.objects.filter(post_id__in=wanted).select_related("site")
        }
        for post_id in wanted:
            known[post_id] = found.get(post_id)
    return known[post.pk]


def _page_post_ids(context: template.Context) -> list[int]:
    data: Any = context.get("data")
    views = [*getattr(data, "posts", []), getattr(data, "accepted", None)]
    return [view.post.pk for view in views if view is not None and hasattr(view, "post")]
