"""The idea board on the community's landing page."""

from __future__ import annotations

from typing import Any

from django import template

from cercle.ideas import queries

register = template.Library()


@register.inclusion_tag("ideas/_landing.html", takes_context=True)
def idea_board_on_landing(context: template.Context) -> dict[str, Any]:
    """The most voted open ideas and a link to the board, for those who read the
    community's spaces (bounded: three ideas, one or two queries)."""
    access = context["access"]
    if not access.reads_open_spaces():
        return {"hidden": True}
    return {
        "community": context["community"],
        "ideas": queries.landing_summary(access),
        "hidden": False,
    }
