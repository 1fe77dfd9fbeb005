"""Pieces of pages about polls, quizzes and challenges: times on the community's clock,
and the open activities on the community's landing page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import formats
from django.utils.timezone import localtime

from cercle.activities import queries
from cercle.communities.models import Community

register = template.Library()


@register.filter
def community_time(value: datetime | None, community: Community) -> str:
    """`value` on the community's clock, with the clock's name: "12 May 2026, 18:00
    (Europe/Paris)"."""
    if value is None:
        return ""
    shown = formats.date_format(localtime(value, community.zone), "DATETIME_FORMAT")
    return f"{shown} ({community.time_zone})"


@register.inclusion_tag("activities/_landing.html", takes_context=True)
def open_activities(context: template.Context) -> dict[str, Any]:
    """Up to three open polls, quizzes and challenges the reader may see."""
    community = context.get("community")
    access = context.get("access")
    if community is None or access is None:
        return {"entries": []}
    return {
        "community": community,
        "entries": queries.open_activities(access, limit=3),
        "request": context.get("request"),
    }
