"""Pieces of pages about polls, quizzes and challenges: times on the community's clock."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django import template
from django.utils import formats
from django.utils.timezone import localtime

if TYPE_CHECKING:
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
