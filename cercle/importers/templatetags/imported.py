"""Showing where an imported post came from, next to it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template

if TYPE_CHECKING:
    from cercle.conversations.models import Post
    from cercle.importers.models import ImportedPost

register = template.Library()

_RELATION = "imported"  # ImportedPost.post's related_name


@register.filter
def imported_origin(post: Post) -> ImportedPost | None:
    """The origin of `post` if it was imported, else None: `post|imported_origin`.

    It asks nothing: the page's query joins the origin with its posts
    (`select_related("imported__site")`, as the topic page does), and a post loaded
    without it shows no attribution rather than a query per post.
    """
    origin: ImportedPost | None = post._state.fields_cache.get(_RELATION)
    return origin
